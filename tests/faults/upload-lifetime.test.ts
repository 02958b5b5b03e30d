/**
 * An upload stays alive while it makes progress, and a completion whose answer is
 * lost does not cost the photo. Each case runs in a world of its own (database and
 * bucket nobody else writes to), so "0 lost, 0 orphans" are exact counts, and the
 * sweeper's report is read before it repairs anything.
 *
 * Time is simulated where the case needs it: the calls the browser makes later are
 * made with the clock set forward (only Date is faked; storage checks presigned URLs
 * against its own clock, which is fine for a URL dated later), and the sweeper is
 * asked to judge as of that later moment.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { noisyPng } from "../helpers/big-image";
import type { World } from "../security/support/world";
import { startFaultWorld, stopFaultWorld, type DataLayer } from "./support/fault-world";

let world: World;
let lib: DataLayer;
let owner: string;
let jpeg: Buffer;
let big: Buffer;
let sweeper: typeof import("@/lib/sweeper");
let keys: typeof import("@/lib/photos/keys");

const MINUTE = 60_000;

beforeAll(async () => {
  ({ world, lib, owner, jpeg } = await startFaultWorld({ name: "faults-upload-lifetime" }, "lifetime"));
  sweeper = await import("@/lib/sweeper");
  keys = await import("@/lib/photos/keys");
  // Above the default multipart threshold (32 MiB): 5 parts of 8 MiB.
  big = (await noisyPng(33 * 1024 * 1024)).bytes;
});

afterAll(() => stopFaultWorld({ world, lib }));

type Plan = Awaited<ReturnType<DataLayer["uploads"]["createUploads"]>>[number];
type MultipartPlan = Extract<Plan, { ok: true; mode: "multipart" }>;

/** Runs `work` with the clock showing `when` (Date only: timers and the network stay real). */
async function at<T>(when: number, work: () => Promise<T>): Promise<T> {
  vi.useFakeTimers({ toFake: ["Date"], now: when });
  try {
    return await work();
  } finally {
    vi.useRealTimers();
  }
}

function multipart(plan: Plan | undefined): MultipartPlan {
  if (!plan?.ok || plan.mode !== "multipart") throw new Error(`expected a multipart plan, got ${JSON.stringify(plan)}`);
  return plan;
}

async function startBig(name = "big.png") {
  return multipart((await lib.uploads.createUploads(owner, [{ name, type: "image/png", size: big.length }]))[0]);
}

const partBody = (plan: MultipartPlan, partNumber: number) => big.subarray((partNumber - 1) * plan.partSize, partNumber * plan.partSize);

async function putParts(plan: MultipartPlan, signed: { partNumber: number; request: { url: string; method: string; headers: Record<string, string> } }[]) {
  for (const { partNumber, request } of signed) {
    const response = await fetch(request.url, { method: request.method, headers: request.headers, body: new Uint8Array(partBody(plan, partNumber)) });
    expect(response.status, `part ${partNumber}: ${await response.text()}`).toBe(200);
  }
}

const allParts = (plan: MultipartPlan) => Array.from({ length: plan.partCount }, (_, i) => i + 1);

/** What storage holds as the upload in progress for this row (found by listing, whatever key the app chose). */
async function storageUploadOf(photoId: string) {
  const row = await lib.db.photo.findUniqueOrThrow({ where: { id: photoId } });
  const uploads = await lib.storage.getStorage().listStaleMultipart(keys.photoPrefix(owner, photoId), new Date(Date.now() + MINUTE));
  const upload = uploads.find((u) => u.uploadId === row.multipartUploadId);
  if (!upload) throw new Error(`no multipart upload in storage for ${photoId}`);
  return upload;
}

/** CompleteMultipartUpload went through in storage, but its answer never reached the app. */
async function completeBehindTheAppsBack(photoId: string) {
  const storage = lib.storage.getStorage();
  const upload = await storageUploadOf(photoId);
  await storage.completeMultipart(upload.key, upload.uploadId, await storage.listParts(upload.key, upload.uploadId));
}

async function finish(photoId: string) {
  const outcome = await lib.uploads.completeUpload(owner, photoId);
  expect(outcome).toMatchObject({ status: "PROCESSING" });
  await lib.processing.processPhoto(photoId);
  const photo = await lib.db.photo.findUniqueOrThrow({ where: { id: photoId } });
  expect(photo).toMatchObject({ status: "READY", multipartUploadId: null });
  return photo;
}

async function expectOriginal(photoId: string, bytes: Buffer) {
  const photo = await lib.db.photo.findUniqueOrThrow({ where: { id: photoId } });
  expect((await lib.storage.getStorage().getBytes(photo.originalKey)).equals(bytes), "the original is the uploaded file").toBe(true);
}

async function readyCount() {
  return lib.db.photo.count({ where: { ownerId: owner, status: "READY" } });
}

describe("an upload is alive while it makes progress", () => {
  it("a multipart upload still sending 45 minutes after its drop, and a file queued behind it, both end READY: 0 lost, 0 orphans", async () => {
    const dropAt = Date.now();
    const ready = await readyCount();
    const plan = await startBig();
    // A small file of the same drop waits its turn behind the in-flight limit: reserved, not signed yet.
    const [queued] = await lib.uploads.createUploads(owner, [{ name: "queued.jpg", type: "image/jpeg", size: jpeg.length }], { signNow: false });
    expect(queued).toMatchObject({ ok: true, mode: "reserved" });
    const queuedId = (queued as { photoId: string }).photoId;

    await putParts(plan, await lib.uploads.signParts(owner, plan.photoId, [1]));
    // A slow link: the other parts are signed one by one over the next 44 minutes; each signing
    // also tells the server the queued file is still waiting.
    for (const [i, partNumber] of allParts(plan).slice(1).entries()) {
      const signed = await at(dropAt + (10 + i * 10) * MINUTE, () => lib.uploads.signParts(owner, plan.photoId, [partNumber], [queuedId]));
      await putParts(plan, signed);
    }

    // 45 minutes after the drop the sweeper runs. Counted before it repairs anything: nothing to do.
    const now = new Date(dropAt + 45 * MINUTE);
    expect(await sweeper.sweep({ fix: false, now })).toEqual(lib.invariants.NOTHING_TO_SWEEP);
    await sweeper.sweep({ fix: true, now });

    expect((await finish(plan.photoId)).sizeBytes).toBe(BigInt(big.length));
    await expectOriginal(plan.photoId, big);
    // The queued file's turn comes: signed now, sent, completed.
    const [signed] = await at(dropAt + 46 * MINUTE, () => lib.uploads.signUploads(owner, [queuedId]));
    if (!signed?.ok) throw new Error(`signing the queued file was refused: ${JSON.stringify(signed)}`);
    const put = await fetch(signed.request.url, { method: signed.request.method, headers: signed.request.headers, body: new Uint8Array(jpeg) });
    expect(put.status).toBe(200);
    await finish(queuedId);

    expect(await readyCount()).toBe(ready + 2);
    expect(await lib.invariants.expectNothingLost()).toBe(ready + 2);
    await lib.invariants.expectNoOrphans();
  });
});

describe("complete is idempotent across lost answers", () => {
  it("CompleteMultipartUpload succeeded but its answer was lost: completing again finds the object and ends READY with the original intact", async () => {
    const ready = await readyCount();
    const plan = await startBig();
    await putParts(plan, await lib.uploads.signParts(owner, plan.photoId, allParts(plan)));
    await completeBehindTheAppsBack(plan.photoId);

    await finish(plan.photoId);
    await expectOriginal(plan.photoId, big);
    expect(await readyCount()).toBe(ready + 1);
    expect(await lib.invariants.expectNothingLost()).toBe(ready + 1);
    await lib.invariants.expectNoOrphans();
  });

  it("a resume that cannot continue stays with its file: a finished upload resumes as fully sent, an aborted one starts afresh, the rest of the drop goes on", async () => {
    const ready = await readyCount();
    const finished = await startBig("finished.png");
    await putParts(finished, await lib.uploads.signParts(owner, finished.photoId, allParts(finished)));
    await completeBehindTheAppsBack(finished.photoId);

    const aborted = await startBig("aborted.png");
    await putParts(aborted, await lib.uploads.signParts(owner, aborted.photoId, [1]));
    const upload = await storageUploadOf(aborted.photoId);
    await lib.storage.getStorage().abortMultipart(upload.key, upload.uploadId);

    // The page reloads; the person drops the same two files again, with a new one.
    const plans = await lib.uploads.createUploads(owner, [
      { name: "finished.png", type: "image/png", size: big.length, resumePhotoId: finished.photoId },
      { name: "aborted.png", type: "image/png", size: big.length, resumePhotoId: aborted.photoId },
      { name: "new.jpg", type: "image/jpeg", size: jpeg.length },
    ]);
    const [resumed, restarted, fresh] = plans;
    expect(resumed).toMatchObject({ ok: true, mode: "multipart", photoId: finished.photoId, uploadedParts: allParts(finished) });
    expect(restarted).toMatchObject({ ok: true, mode: "multipart", uploadedParts: [] });
    expect(multipart(restarted).photoId).not.toBe(aborted.photoId);
    expect(fresh).toMatchObject({ ok: true, mode: "single" });
    // The dead upload's row is gone with it, not left to expire.
    expect(await lib.db.photo.findUnique({ where: { id: aborted.photoId } })).toBeNull();

    await finish(finished.photoId);
    await expectOriginal(finished.photoId, big);
    const again = multipart(restarted);
    await putParts(again, await lib.uploads.signParts(owner, again.photoId, allParts(again)));
    await finish(again.photoId);
    if (!fresh?.ok || fresh.mode !== "single") throw new Error("expected a single plan");
    expect((await fetch(fresh.request.url, { method: "PUT", headers: fresh.request.headers, body: new Uint8Array(jpeg) })).status).toBe(200);
    await finish(fresh.photoId);

    expect(await readyCount()).toBe(ready + 3);
    expect(await lib.invariants.expectNothingLost()).toBe(ready + 3);
    await lib.invariants.expectNoOrphans();
  });
});
