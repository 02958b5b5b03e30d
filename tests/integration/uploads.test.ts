/**
 * The upload flow against the real PostgreSQL and embedded S3 of the integration
 * global setup: the data layer is called as the server actions call it, and the
 * signed requests are sent with fetch exactly as a browser sends them (URL plus
 * the returned headers; fetch sets Content-Length from the body, as browsers do).
 */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { request as httpRequest } from "node:http";
import path from "node:path";
import exifr from "exifr";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { deletePhotos } from "@/lib/photos/delete";
import { originalKey, uploadKey, variantKey } from "@/lib/photos/keys";
import { failPhoto, processPhoto } from "@/lib/photos/processing";
import { cancelUpload, completeUpload, createUploads, RESERVATION_SECONDS, signParts, signUploads, type UploadPlan } from "@/lib/photos/uploads";
import { sealUpload } from "@/lib/photos/seal";
import { getStorage, type SignedRequest } from "@/lib/storage";
import { noisyPng } from "../helpers/big-image";
import { createUser, removeSeededUsers } from "../helpers/seed";

const FIXTURES = path.resolve("tests/fixtures/photos");
const fixture = (name: string) => readFile(path.join(FIXTURES, name));
const TYPES: Record<string, string> = { jpg: "image/jpeg", png: "image/png", webp: "image/webp", heic: "image/heic", avif: "image/avif" };
const typeOf = (name: string) => TYPES[name.split(".").pop()!]!;

type Single = Extract<UploadPlan, { ok: true; mode: "single" }>;
type Multipart = Extract<UploadPlan, { ok: true; mode: "multipart" }>;
type Refused = Extract<UploadPlan, { ok: false }>;

function send(request: SignedRequest, body: Buffer, headers: Record<string, string> = {}) {
  return fetch(request.url, { method: request.method, headers: { ...request.headers, ...headers }, body: new Uint8Array(body) });
}

/** Starts a PUT, sends the first `sentBytes` of the body, then drops the connection. */
async function sendCutOff(signed: SignedRequest, body: Buffer, sentBytes: number) {
  await new Promise<void>((resolve) => {
    const request = httpRequest(signed.url, { method: signed.method, headers: { ...signed.headers, "Content-Length": String(body.length) } });
    request.on("error", () => resolve());
    request.write(body.subarray(0, sentBytes), () => setTimeout(() => (request.destroy(), resolve()), 200));
  });
  // Let storage notice the dropped connection.
  await new Promise((resolve) => setTimeout(resolve, 300));
}

async function planOne(ownerId: string, file: { name: string; type: string; size: number; resumePhotoId?: string }) {
  const [plan] = await createUploads(ownerId, [file]);
  return plan!;
}

async function presignSingle(ownerId: string, name: string, bytes: Buffer, type = typeOf(name)): Promise<Single> {
  const plan = await planOne(ownerId, { name, type, size: bytes.length });
  expect(plan).toMatchObject({ ok: true, mode: "single" });
  return plan as Single;
}

/** Presign → PUT: the photo is PENDING with its bytes in storage. */
async function putPhoto(ownerId: string, name: string, bytes: Buffer, type = typeOf(name)) {
  const plan = await presignSingle(ownerId, name, bytes, type);
  const response = await send(plan.request, bytes);
  expect(response.status, await response.text()).toBe(200);
  return plan.photoId;
}

/** The whole flow: presign → PUT → complete → process. */
async function uploadPhoto(ownerId: string, name: string, bytes?: Buffer) {
  const photoId = await putPhoto(ownerId, name, bytes ?? (await fixture(name)));
  const outcome = await completeUpload(ownerId, photoId);
  if (outcome.status === "PROCESSING") await processPhoto(photoId);
  return db.photo.findUniqueOrThrow({ where: { id: photoId } });
}

async function variantBytes(key: string) {
  const response = await fetch(await getStorage().presignGet(key, { expiresInSeconds: 60 }));
  expect(response.status).toBe(200);
  return Buffer.from(await response.arrayBuffer());
}

async function rejection(promise: Promise<unknown>) {
  return promise.then(
    () => undefined,
    (e: unknown) => e,
  );
}

async function expectNotFound(promise: Promise<unknown>) {
  const error = await rejection(promise);
  expect(error).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("not_found");
}

const head = (key: string) => getStorage().head(key);

/**
 * GPS in a file's EXIF block. exifr cannot open WebP (nor our HEIC fixture) itself, so the
 * block is taken out by sharp, as lib/images/exif.ts does, and handed to exifr as TIFF.
 */
async function gpsOf(bytes: Buffer) {
  const { exif } = await sharp(bytes).metadata();
  if (!exif) return undefined;
  const tiff = exif.subarray(0, 6).toString("latin1") === "Exif\0\0" ? exif.subarray(6) : exif;
  return exifr.gps(tiff);
}

/** The chunk names of a WebP file (RIFF): metadata would sit in EXIF and XMP chunks. */
function webpChunks(bytes: Buffer): string[] {
  expect(bytes.toString("latin1", 0, 4)).toBe("RIFF");
  expect(bytes.toString("latin1", 8, 12)).toBe("WEBP");
  const chunks: string[] = [];
  for (let offset = 12; offset + 8 <= bytes.length; ) {
    const size = bytes.readUInt32LE(offset + 4);
    chunks.push(bytes.toString("latin1", offset, offset + 4));
    offset += 8 + size + (size % 2);
  }
  return chunks;
}

let owner: { id: string };
let intruder: { id: string };

beforeAll(async () => {
  owner = await createUser("uploader");
  intruder = await createUser("intruder");
});

afterAll(async () => {
  const photos = await db.photo.findMany({ where: { ownerId: { in: [owner.id, intruder.id] } } });
  for (const ownerId of [owner.id, intruder.id]) {
    await deletePhotos(ownerId, photos.filter((p) => p.ownerId === ownerId).map((p) => p.id));
  }
  await removeSeededUsers();
});

describe("single-request uploads", () => {
  it("presign → PUT → complete → process gives a READY photo with both variants in storage", async () => {
    const photo = await uploadPhoto(owner.id, "camera-gps-landscape.jpg");

    expect(photo).toMatchObject({ status: "READY", width: 1012, height: 759, failureReason: null, multipartUploadId: null });
    expect(photo.thumbhash).toBeTruthy();
    expect(photo.camera).toMatch(/Pixel/);
    expect(photo.takenAt?.toISOString()).toMatch(/^2018-07-25/);
    expect(photo.thumbKey).toBe(variantKey(owner.id, photo.id, "thumb"));
    expect(photo.largeKey).toBe(variantKey(owner.id, photo.id, "large"));
    for (const key of [photo.originalKey, photo.thumbKey!, photo.largeKey!]) expect(await head(key), key).toBeDefined();
    expect((await head(photo.thumbKey!))?.contentType).toBe("image/webp");
  });

  it("turns the iPhone orientation-6 photo into a 1836×2448 portrait, thumbnail included", async () => {
    const photo = await uploadPhoto(owner.id, "camera-portrait-orientation-6.jpg");

    expect(photo).toMatchObject({ status: "READY", width: 1836, height: 2448 });
    const large = await sharp(await variantBytes(photo.largeKey!)).metadata();
    const thumb = await sharp(await variantBytes(photo.thumbKey!)).metadata();
    for (const variant of [large, thumb]) {
      expect(variant.format).toBe("webp");
      expect(variant.height).toBeGreaterThan(variant.width);
      // Pixels are rotated, not flagged: nothing left for a viewer to rotate again.
      expect(variant.orientation ?? 1).toBe(1);
      expect(variant.width / variant.height).toBeCloseTo(1836 / 2448, 2);
    }
    expect(large.height).toBe(2048);
    expect(thumb.height).toBe(480);
  });

  it("storage refuses a PUT whose content type or length differs from what was signed (403)", async () => {
    const bytes = await fixture("camera-gps-landscape.jpg");
    const plan = await presignSingle(owner.id, "swap.jpg", bytes);

    expect((await send(plan.request, bytes, { "Content-Type": "text/html" })).status).toBe(403);
    expect((await send(plan.request, bytes, { "Content-Type": "image/png" })).status).toBe(403);
    expect((await send(plan.request, Buffer.concat([bytes, Buffer.from([0])]))).status).toBe(403);
    expect((await send(plan.request, bytes.subarray(1))).status).toBe(403);
    expect(await head(uploadKey(owner.id, plan.photoId))).toBeUndefined();

    // The same URL with exactly what was signed still works.
    expect((await send(plan.request, bytes)).status).toBe(200);
  });

  it("storage refuses an expired upload URL (403)", async () => {
    const bytes = await fixture("camera-gps-landscape.jpg");
    const key = `tests/expired/${owner.id}/original`;
    const request = await getStorage().presignPut(key, { contentType: "image/jpeg", contentLength: bytes.length, expiresInSeconds: 1 });
    await new Promise((resolve) => setTimeout(resolve, 2_100));

    const response = await send(request, bytes);
    expect(response.status).toBe(403);
    expect(await response.text()).toMatch(/expired/i);
    expect(await head(key)).toBeUndefined();
  });

  it("fails an HTML file sent as image/jpeg with a readable reason, and removes it from storage", async () => {
    const photoId = await putPhoto(owner.id, "not-really.jpg", await fixture("not-really.jpg"));
    expect(await head(uploadKey(owner.id, photoId))).toBeDefined();

    const outcome = await completeUpload(owner.id, photoId);

    expect(outcome.status).toBe("FAILED");
    expect(outcome.failureReason).toMatch(/not a photo/i);
    expect(outcome.failureReason).not.toMatch(/error|exception|\bat\b .*\(/i);
    expect(await head(uploadKey(owner.id, photoId))).toBeUndefined();
    expect(await head(originalKey(owner.id, photoId))).toBeUndefined();
    expect(await db.photo.findUniqueOrThrow({ where: { id: photoId } })).toMatchObject({ status: "FAILED", failureReason: outcome.failureReason });
  });

  it("fails a truncated JPEG at processing and removes every object", async () => {
    const photo = await uploadPhoto(owner.id, "truncated.jpg");

    expect(photo.status).toBe("FAILED");
    expect(photo.failureReason).toBeTruthy();
    expect(photo.thumbKey).toBeNull();
    for (const key of [photo.originalKey, variantKey(owner.id, photo.id, "thumb"), variantKey(owner.id, photo.id, "large")]) {
      expect(await head(key), key).toBeUndefined();
    }
  });

  it("refuses empty and oversize files at presign, each with its own message, and creates no row for them", async () => {
    const before = await db.photo.count({ where: { ownerId: owner.id } });
    const plans = await createUploads(owner.id, [
      { name: "empty.jpg", type: "image/jpeg", size: 0 },
      { name: "huge.jpg", type: "image/jpeg", size: env.UPLOAD_MAX_BYTES + 1 },
      { name: "script.svg", type: "image/svg+xml", size: 327 },
      { name: "fine.jpg", type: "image/jpeg", size: 1000 },
    ]);

    expect(plans.map((p) => p.ok)).toEqual([false, false, false, true]);
    const [empty, huge, svg] = (plans as Refused[]).map((p) => p.message);
    expect(empty).toBe("This file is empty.");
    expect(huge).toMatch(/limit is/);
    expect(svg).toMatch(/JPEG, PNG/);
    expect(plans.map((p) => p.index)).toEqual([0, 1, 2, 3]);
    // Only the acceptable file got a row.
    expect(await db.photo.count({ where: { ownerId: owner.id } })).toBe(before + 1);
    await cancelUpload(owner.id, (plans[3] as Single).photoId);
  });

  it("the upload URL the browser held cannot change a verified photo: a re-PUT after READY leaves the original, and what processing reads, as verified", async () => {
    const bytes = await fixture("camera-gps-landscape.jpg");
    const plan = await presignSingle(owner.id, "verified.jpg", bytes);
    expect((await send(plan.request, bytes)).status).toBe(200);
    expect((await completeUpload(owner.id, plan.photoId)).status).toBe("PROCESSING");
    await processPhoto(plan.photoId);
    const photo = await db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(photo.status).toBe("READY");
    const large = await variantBytes(photo.largeKey!);

    // Same signed type and length, other pixels: the URL is still within its life, so storage takes it.
    const other = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#0a0" } }).jpeg().toBuffer();
    const swap = Buffer.alloc(bytes.length);
    other.copy(swap);
    expect((await send(plan.request, swap)).status).toBe(200);

    // Served: "Download original" signs a GET for the original key.
    expect((await variantBytes(photo.originalKey)).equals(bytes)).toBe(true);
    // Read by processing: variants made again (as the sweeper does for a missing variant) come from the verified bytes.
    await db.photo.update({ where: { id: photo.id }, data: { status: "PROCESSING" } });
    await processPhoto(photo.id);
    expect(await db.photo.findUniqueOrThrow({ where: { id: photo.id } })).toMatchObject({ status: "READY", width: photo.width, height: photo.height });
    expect((await variantBytes(photo.largeKey!)).equals(large)).toBe(true);
  });

  it("a reserved file is signed when its turn comes: its expiry moves forward, the queued files' reservations are renewed, and ids not the caller's are refused one by one", async () => {
    const bytes = await fixture("camera-gps-landscape.jpg");
    const plans = await createUploads(owner.id, [1, 2].map((i) => ({ name: `queued-${i}.jpg`, type: "image/jpeg", size: bytes.length })), { signNow: false });
    expect(plans).toMatchObject([{ ok: true, mode: "reserved" }, { ok: true, mode: "reserved" }]);
    const [turn, waiting] = plans.map((p) => (p as { photoId: string }).photoId) as [string, string];
    // As if reserved long ago: both rows are close to their expiry.
    const old = new Date(Date.now() - 60_000);
    await db.photo.updateMany({ where: { id: { in: [turn, waiting] } }, data: { uploadExpiresAt: old } });

    const signed = await signUploads(owner.id, [turn, randomUUID()], [waiting]);
    expect(signed).toMatchObject([{ ok: true, photoId: turn }, { ok: false, message: expect.stringMatching(/no longer in progress/) }]);
    const rows = await db.photo.findMany({ where: { id: { in: [turn, waiting] } } });
    const expiry = (id: string) => rows.find((r) => r.id === id)!.uploadExpiresAt.getTime();
    expect(expiry(turn)).toBeGreaterThanOrEqual(Date.now() + (env.UPLOAD_URL_TTL_SECONDS - 60) * 1000);
    expect(expiry(waiting)).toBeGreaterThanOrEqual(Date.now() + (RESERVATION_SECONDS - 60) * 1000);
    expect(await signUploads(intruder.id, [waiting])).toMatchObject([{ ok: false }]);

    const request = (signed[0] as { request: SignedRequest }).request;
    expect((await send(request, bytes)).status).toBe(200);
    expect((await completeUpload(owner.id, turn)).status).toBe("PROCESSING");
    await processPhoto(turn);
    expect(await db.photo.findUniqueOrThrow({ where: { id: turn } })).toMatchObject({ status: "READY" });
    await cancelUpload(owner.id, waiting);
  });

  it("a complete that died after claiming the row (bytes still at the upload key), or after the copy, is finished by sealing again", async () => {
    const bytes = await fixture("camera-gps-landscape.jpg");
    for (const stage of ["claimed", "copied"] as const) {
      const photoId = await putPhoto(owner.id, `crash-${stage}.jpg`, bytes);
      // The state the crash left: the row claimed PROCESSING (and the copy made, for the later crash).
      const row = await db.photo.update({ where: { id: photoId }, data: { status: "PROCESSING" } });
      if (stage === "copied") await getStorage().copy(uploadKey(owner.id, photoId), row.originalKey);

      const sealed = await sealUpload(row);
      expect(sealed).toMatchObject({ ok: true, original: { size: bytes.length } });
      expect(await sealUpload(row), "sealing is idempotent").toMatchObject({ ok: true });
      expect(await head(uploadKey(owner.id, photoId))).toBeUndefined();
      await processPhoto(photoId);
      expect(await db.photo.findUniqueOrThrow({ where: { id: photoId } })).toMatchObject({ status: "READY" });
      expect((await variantBytes(row.originalKey)).equals(bytes)).toBe(true);
    }
  });

  it("processing a row whose complete died before the copy (the sweeper's re-run) seals it first and ends READY", async () => {
    const bytes = await fixture("camera-gps-landscape.jpg");
    const photoId = await putPhoto(owner.id, "crash-before-copy.jpg", bytes);
    const row = await db.photo.update({ where: { id: photoId }, data: { status: "PROCESSING" } });
    expect(await head(row.originalKey)).toBeUndefined();

    await processPhoto(photoId);
    expect(await db.photo.findUniqueOrThrow({ where: { id: photoId } })).toMatchObject({ status: "READY", failureReason: null });
    expect((await variantBytes(row.originalKey)).equals(bytes)).toBe(true);
    expect(await head(uploadKey(owner.id, photoId))).toBeUndefined();
  });

  it("a photo that fails after its upload landed leaves neither its upload key nor its original behind", async () => {
    const photoId = await putPhoto(owner.id, "fails-later.jpg", await fixture("camera-gps-landscape.jpg"));
    const row = await db.photo.findUniqueOrThrow({ where: { id: photoId } });
    await failPhoto(row, "Refused for the test.");
    expect(await head(uploadKey(owner.id, photoId))).toBeUndefined();
    expect(await head(row.originalKey)).toBeUndefined();
    expect(await db.pendingDeletion.count({ where: { key: { startsWith: `users/${owner.id}/${photoId}/` } } })).toBe(0);
  });

  it("completing twice is harmless: the second call reports the current status and processing runs once", async () => {
    const photoId = await putPhoto(owner.id, "camera-gps-landscape.jpg", await fixture("camera-gps-landscape.jpg"));

    const [first, second] = await Promise.all([completeUpload(owner.id, photoId), completeUpload(owner.id, photoId)]);
    const outcomes = [first, second];
    // Exactly one call verified the upload and owns processing it.
    expect(outcomes.filter((o) => o.startedProcessing)).toHaveLength(1);
    expect(outcomes.map((o) => o.status).sort()).toEqual(["PROCESSING", "PROCESSING"]);

    await processPhoto(photoId);
    const ready = await db.photo.findUniqueOrThrow({ where: { id: photoId } });
    expect(ready.status).toBe("READY");

    const again = await completeUpload(owner.id, photoId);
    expect(again).toMatchObject({ status: "READY", startedProcessing: false, failureReason: null });
    // A late second processing run does nothing to a READY photo.
    await processPhoto(photoId);
    expect(await db.photo.findUniqueOrThrow({ where: { id: photoId } })).toEqual(ready);
  });

  it("two processing runs of the same photo at once (e.g. the sweeper racing the queue) leave it READY with its variants", async () => {
    const photoId = await putPhoto(owner.id, "camera-gps-landscape.jpg", await fixture("camera-gps-landscape.jpg"));
    await completeUpload(owner.id, photoId);

    await Promise.all([processPhoto(photoId), processPhoto(photoId)]);

    const photo = await db.photo.findUniqueOrThrow({ where: { id: photoId } });
    expect(photo.status).toBe("READY");
    expect(await head(photo.thumbKey!)).toBeDefined();
    expect(await head(photo.largeKey!)).toBeDefined();
  });

  it.each(["camera-gps-landscape.jpg", "photo-exif-gps.webp", "photo-gps.heic"])(
    "serves %s without any EXIF or GPS in its variants",
    async (name) => {
      const original = await fixture(name);
      expect((await gpsOf(original))?.latitude, "the fixture itself carries GPS").toBeTypeOf("number");

      const photo = await uploadPhoto(owner.id, name, original);
      expect(photo.status).toBe("READY");
      for (const key of [photo.thumbKey!, photo.largeKey!]) {
        const served = await variantBytes(key);
        const meta = await sharp(served).metadata();
        expect(meta.format).toBe("webp");
        expect(meta.exif, key).toBeUndefined();
        expect(meta.xmp, key).toBeUndefined();
        expect(meta.iptc, key).toBeUndefined();
        expect(await gpsOf(served)).toBeUndefined();
        const chunks = webpChunks(served);
        expect(chunks.some((c) => c === "VP8 " || c === "VP8L"), chunks.join()).toBe(true);
        expect(chunks).not.toContain("EXIF");
        expect(chunks).not.toContain("XMP ");
      }
    },
  );

  it("stores path-traversal names under the server's own key and shows a sanitised name", async () => {
    const bytes = await fixture("camera-gps-landscape.jpg");
    const names = {
      "../../etc/passwd.jpg": "passwd.jpg",
      "..\\..\\windows\\win.ini.jpg": "win.ini.jpg",
      "photo.jpg\u0000.html": "photo.jpg.html",
      "%2e%2e%2fetc%2fpasswd.jpg": "%2e%2e%2fetc%2fpasswd.jpg",
    };
    for (const [name, shown] of Object.entries(names)) {
      const photoId = await putPhoto(owner.id, name, bytes, "image/jpeg");
      const row = await db.photo.findUniqueOrThrow({ where: { id: photoId } });
      expect(row.originalKey).toBe(`users/${owner.id}/${photoId}/original`);
      expect(row.displayName).toBe(shown);
      expect(await head(uploadKey(owner.id, photoId))).toMatchObject({ size: bytes.length });
      await cancelUpload(owner.id, photoId);
    }
  });
});

describe("another person's upload", () => {
  it("cannot be completed, signed, cancelled or resumed by someone else, and stays as it was", async () => {
    const bytes = await fixture("camera-gps-landscape.jpg");
    const single = await putPhoto(owner.id, "mine.jpg", bytes);
    const multipart = (await planOne(owner.id, { name: "big.png", type: "image/png", size: env.MULTIPART_THRESHOLD_BYTES + 1 })) as Multipart;
    expect(multipart.mode).toBe("multipart");
    const before = await db.photo.findMany({ where: { id: { in: [single, multipart.photoId] } }, orderBy: { id: "asc" } });

    await expectNotFound(completeUpload(intruder.id, single));
    await expectNotFound(signParts(intruder.id, multipart.photoId, [1]));
    // Cancelling is idempotent, so an unknown id is "already gone": the same answer as for a random id.
    await expect(cancelUpload(intruder.id, single)).resolves.toBeUndefined();
    await expect(cancelUpload(intruder.id, multipart.photoId)).resolves.toBeUndefined();
    const resumed = await planOne(intruder.id, { name: "big.png", type: "image/png", size: env.MULTIPART_THRESHOLD_BYTES + 1, resumePhotoId: multipart.photoId });
    expect(resumed).toMatchObject({ ok: true, mode: "multipart" });
    expect((resumed as Multipart).photoId).not.toBe(multipart.photoId);
    expect(await deletePhotos(intruder.id, [single, multipart.photoId])).toEqual({ deleted: [] });

    expect(await db.photo.findMany({ where: { id: { in: [single, multipart.photoId] } }, orderBy: { id: "asc" } })).toEqual(before);
    expect(await head(uploadKey(owner.id, single))).toMatchObject({ size: bytes.length });
    const upload = before.find((p) => p.id === multipart.photoId)!;
    await expect(getStorage().listParts(uploadKey(owner.id, upload.id), upload.multipartUploadId!)).resolves.toEqual([]);

    await cancelUpload(intruder.id, (resumed as Multipart).photoId);
    await cancelUpload(owner.id, multipart.photoId);
    await cancelUpload(owner.id, single);
  });
});

describe("multipart uploads", () => {
  let big: Buffer;
  let bigSize: { width: number; height: number };

  beforeAll(async () => {
    // Between the multipart threshold and the upload limit, so it is accepted and goes multipart.
    const image = await noisyPng(Math.round((env.MULTIPART_THRESHOLD_BYTES + env.UPLOAD_MAX_BYTES) / 2));
    big = image.bytes;
    bigSize = { width: image.width, height: image.height };
    expect(big.length).toBeGreaterThan(env.MULTIPART_THRESHOLD_BYTES);
    expect(big.length).toBeLessThan(env.UPLOAD_MAX_BYTES);
  });

  const part = (plan: Multipart, n: number) => big.subarray((n - 1) * plan.partSize, n * plan.partSize);

  async function sendParts(plan: Multipart, numbers: number[]) {
    const signed = await signParts(owner.id, plan.photoId, numbers);
    const statuses = await Promise.all(signed.map(({ partNumber, request }) => send(request, part(plan, partNumber)).then((r) => r.status)));
    expect(statuses).toEqual(numbers.map(() => 200));
  }

  it("goes multipart above the threshold, resumes from the parts already sent, and ends READY", async () => {
    const plan = (await planOne(owner.id, { name: "big.png", type: "image/png", size: big.length })) as Multipart;
    expect(plan).toMatchObject({ ok: true, mode: "multipart", partSize: env.MULTIPART_PART_BYTES, uploadedParts: [] });
    expect(plan.partCount).toBe(Math.ceil(big.length / env.MULTIPART_PART_BYTES));
    expect(plan.partCount).toBeGreaterThan(2);

    // A part is signed with its exact length: storage refuses anything else.
    const [signedFirst] = await signParts(owner.id, plan.photoId, [1]);
    expect((await send(signedFirst!.request, part(plan, 2).subarray(1))).status).toBe(403);
    const pastTheEnd = await rejection(signParts(owner.id, plan.photoId, [plan.partCount + 1]));
    expect(pastTheEnd).toBeInstanceOf(AppError);
    expect((pastTheEnd as AppError).code).toBe("invalid_input");

    await sendParts(plan, [1, 2]);

    // The page was reloaded: the same file asks to resume.
    const resumed = (await planOne(owner.id, { name: "big.png", type: "image/png", size: big.length, resumePhotoId: plan.photoId })) as Multipart;
    expect(resumed).toMatchObject({ ok: true, mode: "multipart", photoId: plan.photoId, partCount: plan.partCount, uploadedParts: [1, 2] });

    const rest = Array.from({ length: plan.partCount }, (_, i) => i + 1).filter((n) => !resumed.uploadedParts.includes(n));
    await sendParts(resumed, rest);

    const outcome = await completeUpload(owner.id, plan.photoId);
    expect(outcome).toMatchObject({ status: "PROCESSING", startedProcessing: true });
    await processPhoto(plan.photoId);

    const photo = await db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(photo).toMatchObject({ status: "READY", multipartUploadId: null, ...bigSize });
    expect(await head(photo.originalKey)).toMatchObject({ size: big.length });
    expect(await head(uploadKey(owner.id, photo.id)), "the upload key goes once its bytes are the original").toBeUndefined();
    expect(await head(photo.thumbKey!)).toBeDefined();
  });

  it("a part cut off mid-upload (the page reloaded) is not listed, so the upload still resumes", async () => {
    const plan = (await planOne(owner.id, { name: "big.png", type: "image/png", size: big.length })) as Multipart;
    await sendParts(plan, [1]);
    const [second] = await signParts(owner.id, plan.photoId, [2]);
    await sendCutOff(second!.request, part(plan, 2), 1024 * 1024);

    const resumed = (await planOne(owner.id, { name: "big.png", type: "image/png", size: big.length, resumePhotoId: plan.photoId })) as Multipart;

    expect(resumed).toMatchObject({ ok: true, photoId: plan.photoId, uploadedParts: [1] });
    await cancelUpload(owner.id, plan.photoId);
  });

  it("fails an upload completed with parts missing, and aborts it", async () => {
    const plan = (await planOne(owner.id, { name: "big.png", type: "image/png", size: big.length })) as Multipart;
    await sendParts(plan, [1]);
    const row = await db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });

    const outcome = await completeUpload(owner.id, plan.photoId);

    expect(outcome.status).toBe("FAILED");
    expect(outcome.failureReason).toMatch(/parts never arrived/);
    await expect(getStorage().listParts(uploadKey(owner.id, row.id), row.multipartUploadId!)).rejects.toThrow();
    expect(await head(uploadKey(owner.id, row.id))).toBeUndefined();
    expect(await head(row.originalKey)).toBeUndefined();
  });

  it("deleting an unfinished upload aborts its multipart upload and removes its upload object", async () => {
    const plan = (await planOne(owner.id, { name: "big.png", type: "image/png", size: big.length })) as Multipart;
    await sendParts(plan, [1]);
    const single = await putPhoto(owner.id, "unfinished.jpg", await fixture("camera-gps-landscape.jpg"));
    const row = await db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });

    expect((await deletePhotos(owner.id, [plan.photoId, single])).deleted.sort()).toEqual([plan.photoId, single].sort());

    await expect(getStorage().listParts(uploadKey(owner.id, row.id), row.multipartUploadId!)).rejects.toThrow();
    expect(await head(uploadKey(owner.id, single))).toBeUndefined();
    expect(await db.pendingDeletion.count({ where: { key: { in: [uploadKey(owner.id, single), uploadKey(owner.id, row.id)] } } })).toBe(0);
  });

  it("cancel aborts the multipart upload and removes the row", async () => {
    const plan = (await planOne(owner.id, { name: "big.png", type: "image/png", size: big.length })) as Multipart;
    await sendParts(plan, [1, 2]);
    const row = await db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(await getStorage().listParts(uploadKey(owner.id, row.id), row.multipartUploadId!)).toHaveLength(2);

    await cancelUpload(owner.id, plan.photoId);

    await expect(getStorage().listParts(uploadKey(owner.id, row.id), row.multipartUploadId!)).rejects.toThrow();
    expect(await db.photo.findUnique({ where: { id: plan.photoId } })).toBeNull();
    expect(await head(uploadKey(owner.id, row.id))).toBeUndefined();
    expect(await db.pendingDeletion.count({ where: { key: { startsWith: `users/${owner.id}/${row.id}/` } } })).toBe(0);
    // Nothing left to sign or resume.
    await expectNotFound(signParts(owner.id, plan.photoId, [3]));
    const fresh = (await planOne(owner.id, { name: "big.png", type: "image/png", size: big.length, resumePhotoId: plan.photoId })) as Multipart;
    expect(fresh.photoId).not.toBe(plan.photoId);
    expect(fresh.uploadedParts).toEqual([]);
    await cancelUpload(owner.id, fresh.photoId);
  });
});
