import "server-only";
import { randomUUID } from "node:crypto";
import { env } from "@/lib/env";
import { getStorage } from "@/lib/storage";
import { processPhoto } from "@/lib/photos/processing";
import { InstallationMismatchError, requireMatchingInstallation } from "@/lib/installation/identity";
import { findInconsistencies } from "./find";
import { purgeExpiredFailed, purgeQueuedDeletions, removeExpiredUpload, repairMissingObjects } from "./repair";
import { purgeExpiredTrash } from "@/lib/photos/trash";
import { purgeExpiredQuarantine, quarantineOrphans } from "./quarantine";
import { withSweeperLease } from "./lease";

export { withLease, withSweeperLease } from "./lease";
export { InstallationMismatchError } from "@/lib/installation/identity";

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
  /** Set when a fixing run found too much to remove and changed nothing (the brake): why, and what to do. */
  halted?: string;
}

export interface SweepOptions {
  fix: boolean;
  /** Acts even when the run would remove more than the brake allows (`storage:check -- --fix --force`). */
  force?: boolean;
  /** The moment to judge ages against (tests look into the future instead of waiting). */
  now?: Date;
  log?: (line: string) => void;
  /** Rows read per database page (tests make it small to cross many pages). */
  pageSize?: number;
  /** Overrides SWEEPER_MAX_REMOVAL_PERCENT. */
  maxRemovalPercent?: number;
}

/**
 * However small the share, a run may always move this many objects to quarantine, so a
 * small library still gets cleaned (and quarantine can be undone).
 */
export const REMOVAL_FLOOR = 25;

export function removalLimit(objectsListed: number, maxPercent: number): number {
  return Math.max(REMOVAL_FLOOR, Math.floor((objectsListed * maxPercent) / 100));
}

/**
 * A fixing run first requires the database and the bucket to carry the same install
 * identity (binding a fresh or pre-identity install), and throws InstallationMismatchError
 * otherwise, before it changes anything. A dry run reports either way.
 */
export async function sweep(options: SweepOptions): Promise<SweepReport> {
  const now = options.now ?? new Date();
  const log = options.log ?? (() => {});
  const storage = getStorage();
  if (options.fix) await requireMatchingInstallation(storage);
  const found = await findInconsistencies(storage, now, { pageSize: options.pageSize });

  const report: SweepReport = { ...found.counts };
  if (!options.fix) return report;

  const limit = removalLimit(found.objectsListed, options.maxRemovalPercent ?? env.SWEEPER_MAX_REMOVAL_PERCENT);
  if (found.counts.orphanObjects > limit && !options.force) {
    report.halted =
      `${found.counts.orphanObjects} of ${found.objectsListed} objects under users/ have no photo row, more than this run may move ` +
      `(${limit}; SWEEPER_MAX_REMOVAL_PERCENT=${options.maxRemovalPercent ?? env.SWEEPER_MAX_REMOVAL_PERCENT}). Nothing was changed. ` +
      "A database restored from an older backup, or one that is not this bucket's, looks like this: check DATABASE_URL. " +
      "If these objects really are leftovers, run `npm run storage:check -- --fix --force` (they go to quarantine/ first).";
    log(report.halted);
    return report;
  }

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
    if (outcome === "original-missing") log(`photo ${photo.id}: original missing from storage; the photo is kept, restore the object to ${photo.originalKey}`);
  }
  const quarantined = await quarantineOrphans(storage, found.orphanObjects);
  if (quarantined) log(`moved ${quarantined} objects with no photo to quarantine/ (restore: npm run storage:check -- --restore)`);
  // Everything queued goes now: earlier deletions storage refused, and what the steps above queued.
  const purge = await purgeQueuedDeletions();
  log(`deleted ${purge.purged} objects${purge.failed ? `, ${purge.failed} still refused by storage` : ""}`);
  const expired = await purgeExpiredQuarantine(storage, now, env.QUARANTINE_RETENTION_DAYS);
  if (expired) log(`deleted ${expired} objects kept in quarantine for ${env.QUARANTINE_RETENTION_DAYS} days`);
  const failed = await purgeExpiredFailed(now, env.FAILED_RETENTION_DAYS);
  if (failed) log(`removed ${failed} failed photos older than ${env.FAILED_RETENTION_DAYS} days`);
  const trash = await purgeExpiredTrash(now);
  if (trash.purged) log(`deleted ${trash.purged} photos that were in Trash for ${env.TRASH_RETENTION_DAYS} days`);
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
      if (report?.halted) console.error(`[sweeper] STOPPED: ${report.halted}`);
      if (report && Object.values(report).some((n) => typeof n === "number" && n > 0)) console.log("[sweeper]", JSON.stringify(report));
    } catch (error) {
      if (error instanceof InstallationMismatchError) console.error(`[sweeper] REFUSED: ${error.message}`);
      else console.error("[sweeper] run failed:", error instanceof Error ? error.message : error);
    } finally {
      running = false;
    }
  };
  const timer = setInterval(run, intervalSeconds * 1000);
  timer.unref();
  setTimeout(run, 30_000).unref();
}
