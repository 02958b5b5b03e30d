import "server-only";
import { db } from "@/lib/db";
import { getStorage } from "@/lib/storage";
import { variantKey } from "./keys";

/**
 * Deletes the caller's photos: rows, share links (cascade) and every stored object.
 * The objects to remove are written down in the same transaction that deletes the
 * rows, so a crash or a storage outage right after cannot forget them: the sweeper
 * retries whatever is still listed. Ids that are not the caller's are ignored.
 */
export async function deletePhotos(ownerId: string, photoIds: string[]): Promise<{ deleted: string[] }> {
  const photos = await db.photo.findMany({ where: { ownerId, id: { in: photoIds } } });
  if (photos.length === 0) return { deleted: [] };
  const keys = photos.flatMap((p) => [p.originalKey, variantKey(ownerId, p.id, "thumb"), variantKey(ownerId, p.id, "large")]);
  const uploads = photos.filter((p) => p.status === "PENDING" && p.multipartUploadId);

  await db.$transaction([
    db.pendingDeletion.createMany({ data: keys.map((key) => ({ key })), skipDuplicates: true }),
    db.photo.deleteMany({ where: { ownerId, id: { in: photos.map((p) => p.id) } } }),
  ]);

  const storage = getStorage();
  await Promise.all(uploads.map((p) => storage.abortMultipart(p.originalKey, p.multipartUploadId!).catch(() => {})));
  await purgePendingDeletions(keys);
  return { deleted: photos.map((p) => p.id) };
}

/** Tries to delete the listed objects; those storage refuses stay listed for the next attempt. */
export async function purgePendingDeletions(keys: string[]): Promise<{ purged: number; failed: number }> {
  const storage = getStorage();
  let purged = 0;
  let failed = 0;
  await Promise.all(
    keys.map(async (key) => {
      try {
        await storage.delete(key);
        await db.pendingDeletion.deleteMany({ where: { key } });
        purged++;
      } catch (error) {
        failed++;
        const lastError = error instanceof Error ? error.message.slice(0, 500) : String(error);
        await db.pendingDeletion.updateMany({ where: { key }, data: { attempts: { increment: 1 }, lastError } }).catch(() => {});
      }
    }),
  );
  return { purged, failed };
}
