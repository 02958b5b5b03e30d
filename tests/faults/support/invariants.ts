/**
 * What every fault test ends with, after recovery and one sweeper run:
 *  - 0 lost photos: every READY row has all three of its objects in storage;
 *  - 0 orphans: a dry-run sweep, dated past every grace period, finds nothing at
 *    all (no object without a live row, no expired or stuck upload, no queued
 *    deletion, no READY row missing an object).
 * Load after process.env points at the test's own database and bucket.
 */
import { expect } from "vitest";
import { db } from "@/lib/db";
import { getStorage } from "@/lib/storage";
import { sweep, type SweepReport } from "@/lib/sweeper";

/** Later than every grace period of the sweeper (uploads 15 min past expiry, processing 10 min, orphans 5 min). */
export const afterAllGracePeriods = () => new Date(Date.now() + 60 * 60_000);

export const NOTHING_TO_SWEEP: SweepReport = {
  expiredPending: 0,
  staleProcessing: 0,
  pendingDeletions: 0,
  staleMultipart: 0,
  orphanObjects: 0,
  missingObjects: 0,
};

/** Returns how many READY photos were checked, all intact. */
export async function expectNothingLost(): Promise<number> {
  const ready = await db.photo.findMany({ where: { status: "READY" } });
  const storage = getStorage();
  for (const photo of ready) {
    for (const key of [photo.originalKey, photo.thumbKey, photo.largeKey]) {
      expect(key, `photo ${photo.id}`).toBeTruthy();
      expect(await storage.head(key!), `${key} of READY photo ${photo.id}`).toBeDefined();
    }
  }
  return ready.length;
}

export async function expectNoOrphans() {
  expect(await sweep({ fix: false, now: afterAllGracePeriods() })).toEqual(NOTHING_TO_SWEEP);
}

/** After the service is back: one sweeper run past every grace period, then nothing lost and no orphans. Returns how many READY photos are intact. */
export async function expectRecoveredCleanly(): Promise<number> {
  await runSweeper(afterAllGracePeriods());
  const intact = await expectNothingLost();
  await expectNoOrphans();
  return intact;
}

/** One run of the sweeper as the periodic job does it, dated `now` (default: real time). */
export function runSweeper(now?: Date) {
  return sweep({ fix: true, now });
}
