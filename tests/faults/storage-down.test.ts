/**
 * Object storage goes away at each step of a photo's life — presign, the PUT,
 * complete, processing, delete — and comes back. The embedded S3 of this file's own
 * world is really stopped (its port closes) and restarted on the same port with
 * the same data. Each case checks what the person is told, then recovery: 0 lost
 * photos and 0 orphans, counted exactly before any repairing sweeper run.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../security/support/world";
import { messageFor, startFaultWorld, stopFaultWorld, type DataLayer } from "./support/fault-world";

let world: World;
let lib: DataLayer;
let owner: string;
let jpeg: Buffer;

beforeAll(async () => {
  ({ world, lib, owner, jpeg } = await startFaultWorld({ name: "faults-storage" }, "storage-faults"));
});

afterEach(async () => {
  // Whatever a case did, storage is back for the next one.
  if (!(await storageAnswers())) await world.startS3();
});

afterAll(() => stopFaultWorld({ world, lib }));

async function storageAnswers() {
  try {
    await fetch(world.env.S3_ENDPOINT!, { signal: AbortSignal.timeout(2000) });
    return true;
  } catch {
    return false;
  }
}

async function presignOne(size = jpeg.length) {
  const [plan] = await lib.uploads.createUploads(owner, [{ name: "photo.jpg", type: "image/jpeg", size }]);
  if (!plan?.ok) throw new Error(`presign refused: ${JSON.stringify(plan)}`);
  return plan;
}

async function endsReady(photoId: string) {
  expect(await lib.db.photo.findUniqueOrThrow({ where: { id: photoId } })).toMatchObject({ status: "READY" });
}

describe("storage down", () => {
  it("during presign: a multipart start is refused with 'try again' and leaves no row; a single PUT fails in the browser, and the retry after recovery succeeds", async () => {
    const ready = await lib.invariants.countReady();
    await world.stopS3();
    const rowsBefore = await lib.db.photo.count();
    const refused = await messageFor(lib.uploads.createUploads(owner, [{ name: "big.jpg", type: "image/jpeg", size: 40 * 1024 * 1024 }]));
    expect(refused).toBe("Storage is not reachable right now. Please try again in a moment.");
    expect(await lib.db.photo.count()).toBe(rowsBefore);

    // Signing a single PUT is local: the URL is issued, and the browser's PUT is what fails.
    const plan = await presignOne();
    await expect(lib.data.put(plan, jpeg)).rejects.toThrow(/fetch failed/);
    const kept = await messageFor(lib.uploads.completeUpload(owner, plan.photoId));
    expect(kept).toBe("Storage is not reachable right now. Your upload is kept; please retry in a moment.");
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).toMatchObject({ status: "PENDING" });

    await world.startS3();
    // The uploader retries the PUT (same URL, still valid), then complete.
    expect((await lib.data.put(plan, jpeg)).status).toBe(200);
    expect((await lib.uploads.completeUpload(owner, plan.photoId)).status).toBe("PROCESSING");
    await lib.processing.processPhoto(plan.photoId);
    await endsReady(plan.photoId);
    await lib.invariants.expectRecoveredCleanly(ready + 1);
  });

  it("during complete: the person is told the upload is kept; completing again after recovery finishes it", async () => {
    const ready = await lib.invariants.countReady();
    const plan = await presignOne();
    expect((await lib.data.put(plan, jpeg)).status).toBe(200);
    await world.stopS3();
    const message = await messageFor(lib.uploads.completeUpload(owner, plan.photoId));
    expect(message).toBe("Storage is not reachable right now. Your upload is kept; please retry in a moment.");
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).toMatchObject({ status: "PENDING" });
    await world.startS3();
    expect((await lib.uploads.completeUpload(owner, plan.photoId)).status).toBe("PROCESSING");
    await lib.processing.processPhoto(plan.photoId);
    await endsReady(plan.photoId);
    await lib.invariants.expectRecoveredCleanly(ready + 1);
  });

  it("during processing: the photo stays PROCESSING (not FAILED), and the sweeper finishes it once storage is back", async () => {
    const ready = await lib.invariants.countReady();
    const plan = await presignOne();
    expect((await lib.data.put(plan, jpeg)).status).toBe(200);
    expect((await lib.uploads.completeUpload(owner, plan.photoId)).status).toBe("PROCESSING");
    await world.stopS3();
    await lib.processing.schedulePhotoProcessing(plan.photoId);
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).toMatchObject({ status: "PROCESSING", failureReason: null });
    await world.startS3();
    // Before anything repairs: nothing lost, and the stuck photo is all there is to finish.
    const stuckAfter = new Date(Date.now() + 11 * 60_000);
    expect(await lib.invariants.expectNothingLost()).toBe(ready);
    await lib.invariants.expectSweepFinds({ staleProcessing: 1 }, stuckAfter);
    // One sweeper run, dated after processing counts as stuck (10 minutes).
    const report = await lib.invariants.runSweeper(stuckAfter);
    expect(report.staleProcessing).toBe(1);
    await endsReady(plan.photoId);
    await lib.invariants.expectRecoveredCleanly(ready + 1);
  });

  it("during delete: the photo is gone for the person at once; its objects go when storage is back", async () => {
    const ready = await lib.invariants.countReady();
    const photo = await lib.data.upload(owner, { name: "delete-me.jpg", type: "image/jpeg", body: jpeg });
    await world.stopS3();
    expect(await lib.deletion.deletePhotos(owner, [photo.id])).toEqual({ deleted: [photo.id] });
    expect(await lib.db.photo.findUnique({ where: { id: photo.id } })).toBeNull();
    // Every object of the photo is queued (its upload key too, where that is still listed).
    const queued = (await lib.db.pendingDeletion.findMany()).map((row) => row.key);
    expect(queued).toEqual(expect.arrayContaining([photo.originalKey, photo.thumbKey!, photo.largeKey!]));
    expect(queued.every((key) => key.includes(photo.id))).toBe(true);
    await world.startS3();
    const now = new Date();
    expect(await lib.invariants.expectNothingLost()).toBe(ready);
    await lib.invariants.expectSweepFinds({ pendingDeletions: queued.length }, now);
    const report = await lib.invariants.runSweeper(now);
    expect(report.pendingDeletions).toBe(queued.length);
    expect(await lib.db.pendingDeletion.count()).toBe(0);
    for (const key of [photo.originalKey, photo.thumbKey!, photo.largeKey!]) {
      expect(await lib.storage.getStorage().head(key)).toBeUndefined();
    }
    await lib.invariants.expectRecoveredCleanly(ready);
  });

  it("during cancel: the upload disappears for the person; the bytes that already landed are removed by the sweeper", async () => {
    const ready = await lib.invariants.countReady();
    const plan = await presignOne();
    expect((await lib.data.put(plan, jpeg)).status).toBe(200);
    await world.stopS3();
    await lib.uploads.cancelUpload(owner, plan.photoId);
    expect(await lib.db.photo.findUnique({ where: { id: plan.photoId } })).toBeNull();
    await world.startS3();
    const key = (await lib.data.objectKeys(owner)).find((k) => k.includes(plan.photoId));
    expect(key, "the object is still there: storage could not delete it").toBeDefined();
    // Cancel queued the upload's keys (upload and original) for deletion; the sweeper retries them.
    const queued = (await lib.db.pendingDeletion.findMany()).map((row) => row.key);
    expect(queued).toContain(key);
    const now = new Date();
    expect(await lib.invariants.expectNothingLost()).toBe(ready);
    await lib.invariants.expectSweepFinds({ pendingDeletions: queued.length }, now);
    const report = await lib.invariants.runSweeper(now);
    expect(report.pendingDeletions).toBe(queued.length);
    expect(await lib.storage.getStorage().head(key!)).toBeUndefined();
    await lib.invariants.expectRecoveredCleanly(ready);
  });
});
