import "server-only";
import { db } from "@/lib/db";
import type { StorageDriver } from "@/lib/storage";
import { purgePendingDeletions } from "@/lib/photos/delete";
import { processPhoto } from "@/lib/photos/processing";
import { uploadKey } from "@/lib/photos/keys";
import { PENDING_GRACE_MS, type SweptPhoto } from "./find";

/**
 * One repair per kind of finding. Each re-checks the row under a condition before it
 * acts, because the app keeps running while the sweeper works: an upload may complete,
 * a resume may extend its expiry, a photo may be deleted.
 */

/**
 * Removes the row and queues what its browser upload may have left (the upload key, and the
 * original a half-done seal may have written); the PENDING + still-expired condition makes a
 * late completion win.
 */
export async function removeExpiredUpload(storage: StorageDriver, photo: SweptPhoto, now: Date): Promise<boolean> {
  const cutoff = new Date(now.getTime() - PENDING_GRACE_MS);
  const upload = uploadKey(photo.ownerId, photo.id);
  const removed = await db.$transaction(async (tx) => {
    const { count } = await tx.photo.deleteMany({ where: { id: photo.id, status: "PENDING", uploadExpiresAt: { lt: cutoff } } });
    // Written down in the same transaction as the delete: a crash right after cannot forget the objects.
    if (count > 0) await tx.pendingDeletion.createMany({ data: [{ key: upload }, { key: photo.originalKey }], skipDuplicates: true });
    return count > 0;
  });
  // If the abort fails, the upload has no row any more: the next sweep finds it as stale multipart.
  if (removed && photo.multipartUploadId) await storage.abortMultipart(upload, photo.multipartUploadId).catch(() => {});
  return removed;
}

/**
 * A READY photo lost objects. With the original still there, nothing is lost: the
 * variants are made again. Without it the row stays READY and is reported, never
 * failed: a missing original is far more often a wrong or not-yet-restored bucket than
 * a lost photo, and a FAILED row would give its objects up as orphans once they are back.
 */
export async function repairMissingObjects(storage: StorageDriver, photo: SweptPhoto): Promise<"ok" | "reprocessed" | "original-missing" | "gone"> {
  const current = await db.photo.findUnique({ where: { id: photo.id } });
  if (current?.status !== "READY") return "gone";
  // Ask storage directly: the listing is a snapshot, the photo may have been repaired since.
  const [original, thumb, large] = await Promise.all(
    [current.originalKey, current.thumbKey, current.largeKey].map((key) => (key ? storage.head(key) : undefined)),
  );
  if (original && thumb && large) return "ok";
  if (!original) return "original-missing";
  const claimed = await db.photo.updateMany({ where: { id: current.id, status: "READY" }, data: { status: "PROCESSING" } });
  if (claimed.count === 0) return "gone";
  await processPhoto(current.id);
  return "reprocessed";
}

/** FAILED rows keep their reason for the owner to read, then go: their objects were removed when they failed. */
export async function purgeExpiredFailed(now: Date, retentionDays: number): Promise<number> {
  const cutoff = new Date(now.getTime() - retentionDays * 24 * 60 * 60 * 1000);
  const { count } = await db.photo.deleteMany({ where: { status: "FAILED", updatedAt: { lt: cutoff } } });
  return count;
}

// Deletes are cheap but not free: a long backlog goes out a batch at a time.
const PURGE_BATCH = 50;

/** Deletes every queued key; returns how many storage confirmed and how many it refused (they stay queued). */
export async function purgeQueuedDeletions(): Promise<{ purged: number; failed: number }> {
  const total = { purged: 0, failed: 0 };
  // By key, a batch at a time: refused keys stay queued, so the next batch starts after the last key seen.
  let after = "";
  for (;;) {
    const keys = (await db.pendingDeletion.findMany({ where: { key: { gt: after } }, orderBy: { key: "asc" }, take: PURGE_BATCH, select: { key: true } })).map(
      (d) => d.key,
    );
    if (keys.length === 0) return total;
    const result = await purgePendingDeletions(keys);
    total.purged += result.purged;
    total.failed += result.failed;
    after = keys.at(-1)!;
  }
}
