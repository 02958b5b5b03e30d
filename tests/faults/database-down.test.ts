/**
 * PostgreSQL goes away in the middle of the upload flow and comes back: this
 * file's own embedded PostgreSQL (with its data on disk) is stopped and restarted
 * on the same port, under a live connection pool. The person gets "try again",
 * never a stack; after recovery plus one sweeper run nothing is lost or orphaned.
 */
import sharp from "sharp";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startWorld, type World } from "../security/support/world";

let world: World;
let lib: {
  data: typeof import("../security/support/data");
  invariants: typeof import("./support/invariants");
  uploads: typeof import("@/lib/photos/uploads");
  processing: typeof import("@/lib/photos/processing");
  actions: typeof import("@/lib/actions/result");
  storage: typeof import("@/lib/storage");
  db: typeof import("@/lib/db").db;
};
let owner: string;
let jpeg: Buffer;
let databaseUp = true;

beforeAll(async () => {
  world = await startWorld({ name: "faults-db", s3Port: 0, persistentDatabase: true });
  Object.assign(process.env, world.env);
  lib = {
    data: await import("../security/support/data"),
    invariants: await import("./support/invariants"),
    uploads: await import("@/lib/photos/uploads"),
    processing: await import("@/lib/photos/processing"),
    actions: await import("@/lib/actions/result"),
    storage: await import("@/lib/storage"),
    db: (await import("@/lib/db")).db,
  };
  owner = (await lib.data.createUser("db-faults")).id;
  jpeg = lib.data.fixture("camera-gps-landscape.jpg");
});

afterEach(async () => {
  if (!databaseUp) await startDatabase();
});

afterAll(async () => {
  await lib?.db.$disconnect();
  await world?.stop();
});

async function stopDatabase() {
  await world.stopPostgres();
  databaseUp = false;
}

async function startDatabase() {
  await world.startPostgres();
  databaseUp = true;
  expect(world.pg.url, "PostgreSQL came back on another port").toBe(world.env.DATABASE_URL);
}

async function messageFor(promise: Promise<unknown>): Promise<string> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, "expected the call to fail").toBeDefined();
  const result = lib.actions.toActionError(error);
  return result.ok ? "" : result.error.message;
}

const TRY_AGAIN = "The service is temporarily unavailable. Please try again in a moment.";

async function recoveredCleanly() {
  await lib.invariants.runSweeper(lib.invariants.afterAllGracePeriods());
  const intact = await lib.invariants.expectNothingLost();
  await lib.invariants.expectNoOrphans();
  return intact;
}

describe("database down", () => {
  it("at presign: 'try again', no URL handed out; the same call works once it is back", async () => {
    await stopDatabase();
    const files = [{ name: "a.jpg", type: "image/jpeg", size: jpeg.length }];
    expect(await messageFor(lib.uploads.createUploads(owner, files))).toBe(TRY_AGAIN);
    await startDatabase();
    const [plan] = await lib.uploads.createUploads(owner, files);
    expect(plan?.ok).toBe(true);
    await lib.uploads.cancelUpload(owner, (plan as { photoId: string }).photoId);
    await recoveredCleanly();
  });

  it("between the PUT and complete: 'try again'; the bytes wait in storage and complete finishes them after recovery", async () => {
    const [plan] = await lib.uploads.createUploads(owner, [{ name: "b.jpg", type: "image/jpeg", size: jpeg.length }]);
    if (!plan?.ok) throw new Error("presign refused");
    expect((await lib.data.put(plan, jpeg)).status).toBe(200);
    await stopDatabase();
    expect(await messageFor(lib.uploads.completeUpload(owner, plan.photoId))).toBe(TRY_AGAIN);
    await startDatabase();
    expect((await lib.uploads.completeUpload(owner, plan.photoId)).status).toBe("PROCESSING");
    await lib.processing.processPhoto(plan.photoId);
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).toMatchObject({ status: "READY" });
    expect(await recoveredCleanly()).toBeGreaterThanOrEqual(1);
  });

  it("in the middle of processing (variants being written): the photo is not lost; the sweeper finishes it", async () => {
    // Big enough that decoding takes a while, so the database can go away mid-way.
    const big = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const [plan] = await lib.uploads.createUploads(owner, [{ name: "big.jpg", type: "image/jpeg", size: big.length }]);
    if (!plan?.ok) throw new Error("presign refused");
    expect((await lib.data.put(plan, big)).status).toBe(200);
    expect((await lib.uploads.completeUpload(owner, plan.photoId)).status).toBe("PROCESSING");

    const processing = lib.processing.schedulePhotoProcessing(plan.photoId);
    // Let it load the row and start decoding, then pull the database away.
    await new Promise((resolve) => setTimeout(resolve, 150));
    await stopDatabase();
    await processing;
    await startDatabase();
    const row = await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(row.status, "a database outage must not fail the photo").toBe("PROCESSING");

    const report = await lib.invariants.runSweeper(new Date(Date.now() + 11 * 60_000));
    expect(report.staleProcessing).toBe(1);
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).toMatchObject({ status: "READY", width: 6000, height: 4000 });
    await recoveredCleanly();
  });

  it("a quick restart during processing (a blink) does not fail the photo or lose its original", async () => {
    const big = await sharp({ create: { width: 6000, height: 4000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 40 } } })
      .jpeg({ quality: 90 })
      .toBuffer();
    const [plan] = await lib.uploads.createUploads(owner, [{ name: "blink.jpg", type: "image/jpeg", size: big.length }]);
    if (!plan?.ok) throw new Error("presign refused");
    expect((await lib.data.put(plan, big)).status).toBe(200);
    expect((await lib.uploads.completeUpload(owner, plan.photoId)).status).toBe("PROCESSING");
    const processing = lib.processing.schedulePhotoProcessing(plan.photoId);
    await new Promise((resolve) => setTimeout(resolve, 150));
    await stopDatabase();
    await startDatabase();
    await processing;
    const row = await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
    expect(row.status).not.toBe("FAILED");
    expect(await lib.storage.getStorage().head(row.originalKey)).toBeDefined();
    await lib.invariants.runSweeper(new Date(Date.now() + 11 * 60_000));
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: plan.photoId } })).toMatchObject({ status: "READY" });
    await recoveredCleanly();
  });

  it("the pool recovers by itself: queries after the restart succeed without restarting the app", async () => {
    await stopDatabase();
    await expect(lib.db.photo.count()).rejects.toBeDefined();
    await startDatabase();
    expect(await lib.db.photo.count({ where: { ownerId: owner } })).toBeGreaterThanOrEqual(1);
  });
});
