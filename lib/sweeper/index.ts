import "server-only";
import { randomUUID } from "node:crypto";
import { getStorage } from "@/lib/storage";
import { processPhoto } from "@/lib/photos/processing";
import { findInconsistencies } from "./find";
import { purgeQueuedDeletions, queueDeletions, removeExpiredUpload, repairMissingObjects } from "./repair";
import { withSweeperLease } from "./lease";

export { withLease, withSweeperLease } from "./lease";

/**
 * Finds, and with `fix` repairs, every way storage and database can disagree:
 * nothing uploaded is lost and nothing is left behind. The report counts what was
 * found (before any repair); a run right after a fixing run reports zeros.
 */
export interface SweepReport {
  expiredPending: number;
  staleProcessing: number;
  pendingDeletions: number;
  staleMultipart: number;
  orphanObjects: number;
  missingObjects: number;
}

export interface SweepOptions {
  fix: boolean;
  /** The moment to judge ages against (tests look into the future instead of waiting). */
  now?: Date;
  log?: (line: string) => void;
}

export async function sweep(options: SweepOptions): Promise<SweepReport> {
  const now = options.now ?? new Date();
  const log = options.log ?? (() => {});
  const storage = getStorage();
  const found = await findInconsistencies(storage, now);

  const report: SweepReport = {
    expiredPending: found.expiredPending.length,
    staleProcessing: found.staleProcessing.length,
    pendingDeletions: found.pendingDeletions.length,
    staleMultipart: found.staleMultipart.length,
    orphanObjects: found.orphanObjects.length,
    missingObjects: found.missingObjects.length,
  };
  if (!options.fix) return report;

  for (const photo of found.expiredPending) {
    if (await removeExpiredUpload(storage, photo, now)) log(`removed expired upload ${photo.id}`);
  }
  for (const upload of found.staleMultipart) {
    await storage.abortMultipart(upload.key, upload.uploadId);
    log(`aborted stale multipart upload of ${upload.key}`);
  }
  for (const { id } of found.staleProcessing) {
    await processPhoto(id);
    log(`processed photo ${id} again`);
  }
  for (const photo of found.missingObjects) {
    const outcome = await repairMissingObjects(storage, photo);
    if (outcome === "reprocessed") log(`photo ${photo.id}: variants missing, made again from the original`);
    if (outcome === "failed") log(`photo ${photo.id}: original missing, marked failed`);
  }
  await queueDeletions(found.orphanObjects);
  // Everything queued goes now: earlier deletions storage refused, and what the steps above queued.
  const purge = await purgeQueuedDeletions();
  log(`deleted ${purge.purged} objects${purge.failed ? `, ${purge.failed} still refused by storage` : ""}`);
  return report;
}

const INSTANCE_ID = randomUUID();
const LEASE_TTL_MS = 10 * 60 * 1000;

/** Started once per app instance (instrumentation.ts). */
export function startPeriodicSweeper(intervalSeconds: number) {
  let running = false;
  const run = async () => {
    // A sweep slower than the interval must not overlap itself.
    if (running) return;
    running = true;
    try {
      const report = await withSweeperLease(INSTANCE_ID, LEASE_TTL_MS, () => sweep({ fix: true }));
      if (report && Object.values(report).some((n) => n > 0)) console.log("[sweeper]", JSON.stringify(report));
    } catch (error) {
      console.error("[sweeper] run failed:", error instanceof Error ? error.message : error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, intervalSeconds * 1000);
  timer.unref();
  setTimeout(run, 30_000).unref();
}
