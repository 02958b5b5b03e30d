/**
 * The upload flow on the Azure driver, whatever storage the rest of the suite runs on:
 * this file starts its own Azurite and points the app's configuration at it before the
 * data layer is loaded (each test file runs in a process of its own).
 *
 * Azure cannot sign an upload's type or size into a SAS, so these are the cases where
 * the server's check on complete is all that stands between a browser and storage.
 */
import { randomUUID } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAzurite, type EmbeddedAzurite } from "@/scripts/embedded/azurite";

const MULTIPART_THRESHOLD = 100 * 1024;

let azurite: EmbeddedAzurite;
let dir: string;
let jpeg: Buffer;
// Loaded after the environment names Azurite (lib/env.ts reads it once, at import).
let lib: {
  db: typeof import("@/lib/db").db;
  uploads: typeof import("@/lib/photos/uploads");
  processPhoto: typeof import("@/lib/photos/processing").processPhoto;
  storage: import("@/lib/storage").StorageDriver;
  seed: typeof import("../helpers/seed");
};

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "snapshelf-azure-uploads-"));
  azurite = await startAzurite({ dir, port: 0, container: "uploads", allowedOrigins: [process.env.APP_URL ?? "http://localhost:3100"] });
  Object.assign(process.env, {
    STORAGE_DRIVER: "azure",
    AZURE_STORAGE_ACCOUNT: azurite.account,
    AZURE_STORAGE_KEY: azurite.key,
    AZURE_STORAGE_CONTAINER: azurite.container,
    AZURE_BLOB_ENDPOINT: azurite.endpoint,
    // Small enough that a photo of a few hundred KB goes multipart (in one part), as a big one would.
    MULTIPART_THRESHOLD_BYTES: String(MULTIPART_THRESHOLD),
  });
  const [{ db }, uploads, { processPhoto }, { getStorage }, seed] = await Promise.all([
    import("@/lib/db"),
    import("@/lib/photos/uploads"),
    import("@/lib/photos/processing"),
    import("@/lib/storage"),
    import("../helpers/seed"),
  ]);
  lib = { db, uploads, processPhoto, storage: getStorage(), seed };
  expect(lib.storage.kind).toBe("azure");
  jpeg = await sharp({ create: { width: 80, height: 60, channels: 3, background: "#c84" } }).jpeg().toBuffer();
});

afterAll(async () => {
  await lib?.seed.removeSeededUsers();
  await azurite?.stop();
  await rm(dir, { recursive: true, force: true });
});

async function presign(ownerId: string, size = jpeg.length) {
  const [plan] = await lib.uploads.createUploads(ownerId, [{ name: "photo.jpg", type: "image/jpeg", size }]);
  if (!plan?.ok || plan.mode !== "single") throw new Error(`no single-PUT plan: ${JSON.stringify(plan)}`);
  return plan;
}

/** What the browser does: the URL and exactly the returned headers, plus whatever it is told to add. */
const put = (request: { url: string; method: string; headers: Record<string, string> }, body: Buffer, extra: Record<string, string> = {}) =>
  fetch(request.url, { method: request.method, headers: { ...request.headers, ...extra }, body: new Uint8Array(body) });

describe("uploads on Azure Blob (Azurite)", () => {
  it("signs a PUT the browser can send as is (blob type included), verifies it and processes it", async () => {
    const owner = await lib.seed.createUser("azure");
    const plan = await presign(owner.id);
    expect(plan.request.headers).toMatchObject({ "x-ms-blob-type": "BlockBlob", "Content-Type": "image/jpeg" });
    expect((await put(plan.request, jpeg)).status).toBe(201);

    expect((await lib.uploads.completeUpload(owner.id, plan.photoId)).status).toBe("PROCESSING");
    await lib.processPhoto(plan.photoId);
    const photo = await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(photo).toMatchObject({ status: "READY", width: 80, height: 60 });
    expect(await lib.storage.head(photo.thumbKey!)).toMatchObject({ contentType: "image/webp" });
  });

  it("fails an upload stored under another type than announced, and removes it", async () => {
    const owner = await lib.seed.createUser("azure-type");
    const plan = await presign(owner.id);
    // The SAS does not stop this PUT: the check on complete must.
    expect((await put(plan.request, jpeg, { "Content-Type": "text/html" })).status).toBe(201);

    const outcome = await lib.uploads.completeUpload(owner.id, plan.photoId);
    expect(outcome.status).toBe("FAILED");
    expect(outcome.failureReason).toMatch(/another type/);
    expect(await lib.storage.head((await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).originalKey)).toBeUndefined();
    expect(await lib.storage.head(`users/${owner.id}/${plan.photoId}/upload`)).toBeUndefined();
  });

  it("fails an upload larger than announced (nothing in the SAS limits its size), and removes it", async () => {
    const owner = await lib.seed.createUser("azure-size");
    const plan = await presign(owner.id, 100);
    expect((await put(plan.request, jpeg)).status).toBe(201);

    const outcome = await lib.uploads.completeUpload(owner.id, plan.photoId);
    expect(outcome).toMatchObject({ status: "FAILED" });
    expect(outcome.failureReason).toMatch(/incomplete/);
    const photo = await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(await lib.storage.head(photo.originalKey)).toBeUndefined();
  });

  it("after READY, a part URL the browser held cannot replace the original: not with a whole Put Blob, not with a block", async () => {
    const owner = await lib.seed.createUser("azure-part-replace");
    const photoBytes = await sharp({ create: { width: 800, height: 600, channels: 3, background: "#48c", noise: { type: "gaussian", mean: 128, sigma: 60 } } })
      .jpeg({ quality: 95 })
      .toBuffer();
    expect(photoBytes.length).toBeGreaterThan(MULTIPART_THRESHOLD);
    const [plan] = await lib.uploads.createUploads(owner.id, [{ name: "big.jpg", type: "image/jpeg", size: photoBytes.length }]);
    if (!plan?.ok || plan.mode !== "multipart") throw new Error(`no multipart plan: ${JSON.stringify(plan)}`);
    expect(plan.partCount).toBe(1);
    const [part] = await lib.uploads.signParts(owner.id, plan.photoId, [1]);
    expect((await put(part!.request, photoBytes)).status).toBe(201);
    expect((await lib.uploads.completeUpload(owner.id, plan.photoId)).status).toBe("PROCESSING");
    await lib.processPhoto(plan.photoId);
    const photo = await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(photo.status).toBe("READY");
    const large = await lib.storage.getBytes(photo.largeKey!);

    const swap = Buffer.concat([
      await sharp({ create: { width: 80, height: 60, channels: 3, background: "#0a0" } }).jpeg().toBuffer(),
      Buffer.alloc(1024 * 1024, randomUUID()),
    ]);
    // The part URL without its block parameters is a Put Blob on the same blob (write permission allows it).
    const wholeBlob = new URL(part!.request.url);
    wholeBlob.searchParams.delete("comp");
    wholeBlob.searchParams.delete("blockid");
    await put({ method: "PUT", url: wholeBlob.toString(), headers: { "x-ms-blob-type": "BlockBlob", "Content-Type": "image/jpeg" } }, swap);
    await put(part!.request, swap);

    const download = await fetch(await lib.storage.presignGet(photo.originalKey, { expiresInSeconds: 60 }));
    expect(Buffer.from(await download.arrayBuffer()).equals(photoBytes)).toBe(true);
    await lib.db.photo.update({ where: { id: photo.id }, data: { status: "PROCESSING" } });
    await lib.processPhoto(photo.id);
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: photo.id } })).toMatchObject({ status: "READY" });
    expect((await lib.storage.getBytes(photo.largeKey!)).equals(large)).toBe(true);
  });

  it("a re-PUT after READY with the URL the browser held leaves the served original, and what processing reads, as verified", async () => {
    const owner = await lib.seed.createUser("azure-replace");
    const plan = await presign(owner.id);
    expect((await put(plan.request, jpeg)).status).toBe(201);
    expect((await lib.uploads.completeUpload(owner.id, plan.photoId)).status).toBe("PROCESSING");
    await lib.processPhoto(plan.photoId);
    const photo = await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(photo.status).toBe("READY");
    const large = await lib.storage.getBytes(photo.largeKey!);

    // Other pixels and a megabyte more: nothing in a SAS limits the size. Whether storage takes
    // the PUT (it lands on the upload key, gone since complete) does not matter; the original must not move.
    const swap = Buffer.concat([
      await sharp({ create: { width: 80, height: 60, channels: 3, background: "#0a0" } }).jpeg().toBuffer(),
      Buffer.alloc(1024 * 1024, randomUUID()),
    ]);
    await put(plan.request, swap);

    // Served: "Download original" signs a GET for the original key.
    const download = await fetch(await lib.storage.presignGet(photo.originalKey, { expiresInSeconds: 60 }));
    expect(Buffer.from(await download.arrayBuffer()).equals(jpeg)).toBe(true);
    // Read by processing: variants made again come from the verified bytes.
    await lib.db.photo.update({ where: { id: photo.id }, data: { status: "PROCESSING" } });
    await lib.processPhoto(photo.id);
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: photo.id } })).toMatchObject({ status: "READY" });
    expect((await lib.storage.getBytes(photo.largeKey!)).equals(large)).toBe(true);
  });
});
