/**
 * A poison image: a legal 25 MP AVIF (736 bytes, tests/faults/fixtures/README.md) that libheif
 * needs seconds to decode, against a 2-second PROCESSING_TIMEOUT_SECONDS. It stands in for
 * any image that makes processing hang. It must end FAILED with a reason after the capped
 * attempts (the first from the queue, the next ones as the sweeper re-runs it), without
 * holding up another owner's photos; then, before any repairing sweep: exactly the expected
 * photos READY with all their objects, 0 orphans; and no later sweep picks it up again.
 */
import { readFileSync } from "node:fs";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { World } from "../security/support/world";
import { startFaultWorld, stopFaultWorld, type DataLayer } from "./support/fault-world";

const POISON = readFileSync("tests/faults/fixtures/slow-avif-5000x5000.avif");
const LIMITS = { PROCESSING_TIMEOUT_SECONDS: "2", PROCESSING_MAX_ATTEMPTS: "3" };

let world: World;
let lib: DataLayer;
let poisoner: string;
let bystander: string;
let photo: Buffer;
const saved = Object.fromEntries(Object.keys(LIMITS).map((name) => [name, process.env[name]]));

beforeAll(async () => {
  // lib/env.ts reads these once, when the data layer is loaded by startFaultWorld.
  Object.assign(process.env, LIMITS);
  ({ world, lib, owner: poisoner } = await startFaultWorld({ name: "faults-poison" }, "poisoner"));
  bystander = (await lib.data.createUser("bystander")).id;
  // A small ordinary photo, far inside the 2-second limit even on a loaded machine.
  photo = await sharp({ create: { width: 640, height: 480, channels: 3, background: "#4a7", noise: { type: "gaussian", mean: 120, sigma: 30 } } })
    .jpeg({ quality: 85 })
    .toBuffer();
});

afterAll(async () => {
  await stopFaultWorld({ world, lib });
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name];
    else process.env[name] = value;
  }
});

/** Presign, PUT and complete as the browser does; returns the photo id, PROCESSING and not yet processed. */
async function uploadVerified(ownerId: string, name: string, type: string, body: Buffer): Promise<string> {
  const [plan] = await lib.data.presign(ownerId, [{ name, type, size: body.length }]);
  if (!plan?.ok) throw new Error(`presign refused ${name}: ${JSON.stringify(plan)}`);
  expect((await lib.data.put(plan, body)).status).toBe(200);
  expect((await lib.uploads.completeUpload(ownerId, plan.photoId)).status).toBe("PROCESSING");
  return plan.photoId;
}

describe("poison image", () => {
  it("times out on each of 3 attempts and ends FAILED with a reason, while another owner's photos become READY; 0 lost, 0 orphans before any repair", async () => {
    const poisonId = await uploadVerified(poisoner, "poison.avif", "image/avif", POISON);
    const poisonerPhotoId = await uploadVerified(poisoner, "after-poison.jpg", "image/jpeg", photo);
    const bystanderIds = [
      await uploadVerified(bystander, "one.jpg", "image/jpeg", photo),
      await uploadVerified(bystander, "two.jpg", "image/jpeg", photo),
    ];

    // The poison is queued first, the way it would be when its owner's drop came in first.
    await Promise.all([poisonId, poisonerPhotoId, ...bystanderIds].map((id) => lib.processing.schedulePhotoProcessing(id)));
    for (const id of [poisonerPhotoId, ...bystanderIds]) {
      expect(await lib.db.photo.findUniqueOrThrow({ where: { id } }), id).toMatchObject({ status: "READY", processingAttempts: 0 });
    }
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: poisonId } })).toMatchObject({ status: "PROCESSING", processingAttempts: 1 });

    // What the sweeper does with a PROCESSING photo nobody has touched for 10 minutes, twice.
    expect(await lib.processing.processPhoto(poisonId)).toBe("timed_out");
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: poisonId } })).toMatchObject({ status: "PROCESSING", processingAttempts: 2 });
    expect(await lib.processing.processPhoto(poisonId)).toBe("settled");

    const poison = await lib.db.photo.findUniqueOrThrow({ where: { id: poisonId } });
    expect(poison).toMatchObject({ status: "FAILED", processingAttempts: 3, failureReason: lib.processing.gaveUpReason(3), thumbKey: null, largeKey: null });
    expect(poison.failureReason).toMatch(/could not process this photo after 3 attempts/);

    // Counted before any repairing sweep: exactly the three good photos, whole; nothing left behind.
    expect(await lib.invariants.expectNothingLost()).toBe(3);
    await lib.invariants.expectNoOrphans();
    expect(await lib.storage.getStorage().head(poison.originalKey)).toBeUndefined();

    // Later sweeps leave it alone, and a stray call is a no-op: the loop is over.
    const report = await lib.invariants.runSweeper(new Date(Date.now() + 11 * 60_000));
    expect(report.staleProcessing).toBe(0);
    expect(await lib.processing.processPhoto(poisonId)).toBe("settled");
    expect(await lib.db.photo.findUniqueOrThrow({ where: { id: poisonId } })).toMatchObject({ status: "FAILED", processingAttempts: 3 });
  }, 120_000);
});
