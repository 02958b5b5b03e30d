/**
 * PostgreSQL goes away in the middle of the upload flow and comes back: this
 * file's own embedded PostgreSQL (with its data on disk) is stopped and restarted
 * on the same port, under a live connection pool. The person gets "try again",
 * never a stack; after recovery nothing is lost or orphaned, counted exactly before
 * any repairing sweeper run.
 */
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../security/support/world";
import { messageFor, startFaultWorld, stopFaultWorld, type DataLayer } from "./support/fault-world";

let world: World;
let lib: DataLayer;
let owner: string;
let jpeg: Buffer;
let databaseUp = true;

beforeAll(async () => {
  ({ world, lib, owner, jpeg } = await startFaultWorld({ name: "faults-db", persistentDatabase: true }, "db-faults"));
});

afterEach(async () => {
  if (!databaseUp) await startDatabase();
});

afterAll(() => stopFaultWorld({ world, lib }));

async function stopDatabase() {
  await world.stopPostgres();
  databaseUp = false;
}

async function startDatabase() {
  await world.startPostgres();
  databaseUp = true;
  expect(world.pg.url, "PostgreSQL came back on another port").toBe(world.env.DATABASE_URL);
}

const TRY_AGAIN = "The service is temporarily unavailable. Please try again in a moment.";

/** The two cases that decode a 24 MP photo twice (cut off, then again by the sweeper): ~45 s on a quiet 2-core machine. */
const PROCESSES_TWICE_MS = 180_000;

/**
 * Uploads and completes a 24 MP photo and starts processing it. Big enough that decoding takes a
 * while: when this returns, processing has loaded the row and is decoding, so the database can go away mid-way.
 */
async function startProcessingBigPhoto(name: string) {
  const big = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
    .jpeg({ quality: 90 })
    .toBuffer();
  const [plan] = await lib.uploads.createUploads(owner, [{ name, type: "image/jpeg", size: big.length }]);
  if (!plan?.ok) throw new Error("presign refused");
  expect((await lib.data.put(plan, big)).status).toBe(200);
  expect((await lib.uploads.completeUpload(owner, plan.photoId)).status).toBe("PROCESSING");
  const processing = lib.processing.schedulePhotoProcessing(plan.photoId);
  await new Promise((resolve) => setTimeout(resolve, 150));
  return { photoId: plan.photoId, processing };
}

describe("database down", () => {
  it("at presign: 'try again', no URL handed out; the same call works once it is back", async () => {
    const ready = await lib.invariants.countReady();
    await stopDatabase();
    const files = [{ name: "a.jpg", type: "image/jpeg", size: jpeg.length }];
    expect(await messageFor(lib.uploads.createUploads(owner, files))).toBe(TRY_AGAIN);
    await startDatabase();
    const [plan] = await lib.uploads.createUploads(owner, files);
    expect(plan?.ok).toBe(true);
    await lib.uploads.cancelUpload(owner, (plan as { photoId: string }).photoId);
    await lib.invariants.expectRecoveredCleanly(ready);
  });

  it("between the PUT and complete: 'try again'; the bytes wait in storage and complete finishes them after recovery", async () => {
    const ready = await lib.invariants.countReady();
    const [plan] = await lib.uploads.createUploads(owner, [{ name: "b.jpg", type: "image/jpeg", size: jpeg.length }]);
    if (!plan?.ok) throw new Error("presign refused");
    expect((await lib.data.put(plan, jpeg)).status).toBe(200);
    await stopDatabase();
    expect(await messageFor(lib.uploads.completeUpload(owner, plan.photoId))).toBe(TRY_AGAIN);
    await startDatabase();
    expect((await lib.uploads.completeUpload(owner, plan.photoId)).status).toBe("PROCESSING");
    await lib.processing.processPhoto(plan.photoId);
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).toMatchObject({ status: "READY" });
    await lib.invariants.expectRecoveredCleanly(ready + 1);
  });

  it("in the middle of processing (variants being written): the photo is not lost; the sweeper finishes it", async () => {
    const ready = await lib.invariants.countReady();
    const { photoId, processing } = await startProcessingBigPhoto("big.jpg");
    await stopDatabase();
    await processing;
    await startDatabase();
    const row = await lib.db.photo.findUniqueOrThrow({ where: { id: photoId } });
    expect(row.status, "a database outage must not fail the photo").toBe("PROCESSING");

    // Before anything repairs: nothing lost, and the stuck photo is all there is to finish.
    const stuckAfter = new Date(Date.now() + 11 * 60_000);
    expect(await lib.invariants.expectNothingLost()).toBe(ready);
    await lib.invariants.expectSweepFinds({ staleProcessing: 1 }, stuckAfter);
    const report = await lib.invariants.runSweeper(stuckAfter);
    expect(report.staleProcessing).toBe(1);
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: photoId } })).toMatchObject({ status: "READY", width: 6000, height: 4000 });
    await lib.invariants.expectRecoveredCleanly(ready + 1);
  }, PROCESSES_TWICE_MS);

  it("a quick restart during processing (a blink) does not fail the photo or lose its original", async () => {
    const ready = await lib.invariants.countReady();
    const { photoId, processing } = await startProcessingBigPhoto("blink.jpg");
    await stopDatabase();
    await startDatabase();
    await processing;
    const row = await lib.db.photo.findUniqueOrThrow({ where: { id: photoId } });
    expect(row.status).not.toBe("FAILED");
    expect(await lib.storage.getStorage().head(row.originalKey)).toBeDefined();
    // Processing either finished through the blink or is left for the sweeper: exactly one of the two.
    const finished = row.status === "READY";
    const stuckAfter = new Date(Date.now() + 11 * 60_000);
    expect(await lib.invariants.expectNothingLost()).toBe(ready + (finished ? 1 : 0));
    await lib.invariants.expectSweepFinds(finished ? {} : { staleProcessing: 1 }, stuckAfter);
    await lib.invariants.runSweeper(stuckAfter);
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: photoId } })).toMatchObject({ status: "READY" });
    await lib.invariants.expectRecoveredCleanly(ready + 1);
  }, PROCESSES_TWICE_MS);

  it("the pool recovers by itself: queries after the restart succeed without restarting the app", async () => {
    await stopDatabase();
    await expect(lib.db.photo.count()).rejects.toBeDefined();
    await startDatabase();
    expect(await lib.db.photo.count({ where: { ownerId: owner } })).toBeGreaterThanOrEqual(1);
  });
});
