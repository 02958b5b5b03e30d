import "server-only";
import { db } from "@/lib/db";
import type { StorageDriver } from "@/lib/storage";
import { purgePendingDeletions } from "@/lib/photos/delete";
import { failPhoto, processPhoto } from "@/lib/photos/processing";
import { PENDING_GRACE_MS, type SweptPhoto } from "./find";

/**
 * One repair per kind of finding. Each re-checks the row under a condition before it
 * acts, because the app keeps running while the sweeper works: an upload may complete,
 * a resume may extend its expiry, a photo may be deleted.
 */

/** Removes the row and queues its original; the PENDING + still-expired condition makes a late completion win. */
export async function removeExpiredUpload(storage: StorageDriver, photo: SweptPhoto, now: Date): Promise<boolean> {
  const cutoff = new Date(now.getTime() - PENDING_GRACE_MS);
  const removed = await db.$transaction(async (tx) => {
    const { count } = await tx.photo.deleteMany({ where: { id: photo.id, status: "PENDING", uploadExpiresAt: { lt: cutoff } } });
    // Written down in the same transaction as the delete: a crash right after cannot forget the object.
    if (count > 0) await tx.pendingDeletion.createMany({ data: [{ key: photo.originalKey }], skipDuplicates: true });
    return count > 0;
  });
  // If the abort fails, the upload has no row any more: the next sweep finds it as stale multipart.
  if (removed && photo.multipartUploadId) await storage.abortMultipart(photo.originalKey, photo.multipartUploadId).catch(() => {});
  return removed;
}

/**
 * A READY photo lost objects. With the original still there, nothing is lost: the
 * variants are made again. Without it the photo is gone; it becomes FAILED with a
 * reason the owner sees, and whatever objects remain are removed.
 */
export async function repairMissingObjects(storage: StorageDriver, photo: SweptPhoto): Promise<"ok" | "reprocessed" | "failed" | "gone"> {
  const current = await db.photo.findUnique({ where: { id: photo.id } });
  if (current?.status !== "READY") return "gone";
  // Ask storage directly: the listing is a snapshot, the photo may have been repaired since.
  const [original, thumb, large] = await Promise.all(
    [current.originalKey, current.thumbKey, current.largeKey].map((key) => (key ? storage.head(key) : undefined)),
  );
  if (original && thumb && large) return "ok";
  if (!original) {
    await failPhoto(current, "The stored file went missing. Please upload the photo again.");
    return "failed";
  }
  const claimed = await db.photo.updateMany({ where: { id: current.id, status: "READY" }, data: { status: "PROCESSING" } });
  if (claimed.count === 0) return "gone";
  await processPhoto(current.id);
  return "reprocessed";
}

// Deletes are cheap but not free: a long backlog goes out a batch at a time.
const PURGE_BATCH = 50;

/** Deletes every queued key; returns how many storage confirmed and how many it refused (they stay queued). */
export async function purgeQueuedDeletions(): Promise<{ purged: number; failed: number }> {
  const keys = (await db.pendingDeletion.findMany({ select: { key: true } })).map((d) => d.key);
  const total = { purged: 0, failed: 0 };
  for (let start = 0; start < keys.length; start += PURGE_BATCH) {
    const result = await purgePendingDeletions(keys.slice(start, start + PURGE_BATCH));
    total.purged += result.purged;
    total.failed += result.failed;
  }
  return total;
}

export async function queueDeletions(keys: string[]): Promise<void> {
  if (keys.length > 0) await db.pendingDeletion.createMany({ data: keys.map((key) => ({ key })), skipDuplicates: true });
}
