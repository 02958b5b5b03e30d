/**
 * What every fault test ends with, counted BEFORE any repairing sweep runs (a repair
 * could hide a loss, or cause one), with exact numbers:
 *  - 0 lost photos: exactly the expected number of READY rows, each with all three
 *    of its objects in storage;
 *  - 0 orphans: a dry-run sweep, dated past every grace period, finds nothing at
 *    all (no object without a live row, no expired or stuck upload, no queued
 *    deletion, no READY row missing an object) — or exactly what the test expects
 *    the sweeper to finish, when that is the recovery under test.
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

/** Checks every READY photo has all three objects; returns how many READY photos there are (assert it exactly). */
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

/**
 * A dry-run sweep dated `now` finds exactly `expected` and nothing else: every count of the
 * report not named is 0, and it is not halted.
 */
export async function expectSweepFinds(expected: Partial<Record<keyof typeof NOTHING_TO_SWEEP, number>>, now = afterAllGracePeriods()) {
  expect(await sweep({ fix: false, now })).toEqual({ ...NOTHING_TO_SWEEP, ...expected });
}

export function expectNoOrphans() {
  return expectSweepFinds({});
}

/**
 * After the service is back and the test's own recovery steps: exactly `readyPhotos` READY photos,
 * all intact, and nothing for the sweeper to do, counted first; then one fixing sweeper run past
 * every grace period must change none of it.
 */
export async function expectRecoveredCleanly(readyPhotos: number) {
  expect(await expectNothingLost(), "READY photos before the fixing sweep").toBe(readyPhotos);
  await expectNoOrphans();
  await runSweeper(afterAllGracePeriods());
  expect(await expectNothingLost(), "READY photos after the fixing sweep").toBe(readyPhotos);
  await expectNoOrphans();
}

/** One run of the sweeper as the periodic job does it, dated `now` (default: real time). */
export function runSweeper(now?: Date) {
  return sweep({ fix: true, now });
}

/** How many READY photos the world holds now: a test's starting point for its exact counts. */
export function countReady() {
  return db.photo.count({ where: { status: "READY" } });
}
