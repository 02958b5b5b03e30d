import "server-only";
import { db, type Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getStorage } from "@/lib/storage";
import { uploadKey, variantKey } from "./keys";

/** Rows deleted per transaction: bounds the lock time and the statement size when a whole trash is emptied. */
export const DELETE_BATCH = 200;

/** A row changed between being read and being deleted (e.g. restored from Trash meanwhile). */
class ConcurrentChange extends Error {}

const ATTEMPTS = 3;

/**
 * Deletes the caller's photos for good: rows, share links (cascade) and every stored
 * object. This is the one path by which a photo is permanently removed (a delete
 * from Trash, emptying Trash, the retention purge, a cancelled or failed upload).
 *
 * `where` narrows which of the photos may go (e.g. only those in Trash); the owner
 * and the ids always apply, so ids that are not the caller's are ignored.
 *
 * The objects to remove are written down in the same transaction that deletes the
 * rows, so a crash or a storage outage right after cannot forget them: the sweeper
 * retries whatever is still listed. A row that stops matching `where` while we work
 * (restored from Trash by a concurrent request) is never deleted and its objects are
 * never listed: the transaction checks it deleted exactly the rows it read.
 */
export async function deletePhotos(ownerId: string, photoIds: string[], where: Prisma.PhotoWhereInput = {}): Promise<{ deleted: string[] }> {
  const deleted: string[] = [];
  for (let start = 0; start < photoIds.length; start += DELETE_BATCH) {
    const batch = photoIds.slice(start, start + DELETE_BATCH);
    deleted.push(...(await deleteBatch({ AND: [where, { ownerId, id: { in: batch } }] })));
  }
  return { deleted };
}

async function deleteBatch(where: Prisma.PhotoWhereInput): Promise<string[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      const photos = await db.$transaction(async (tx) => {
        const rows = await tx.photo.findMany({ where, select: { id: true, ownerId: true, status: true, originalKey: true, multipartUploadId: true } });
        if (rows.length === 0) return rows;
        const { count } = await tx.photo.deleteMany({ where: { AND: [where, { id: { in: rows.map((p) => p.id) } }] } });
        if (count !== rows.length) throw new ConcurrentChange();
        await tx.pendingDeletion.createMany({ data: objectKeys(rows).map((key) => ({ key })), skipDuplicates: true });
        return rows;
      });
      if (photos.length === 0) return [];
      const storage = getStorage();
      const uploads = photos.filter((p) => p.status === "PENDING" && p.multipartUploadId);
      await Promise.all(uploads.map((p) => storage.abortMultipart(uploadKey(p.ownerId, p.id), p.multipartUploadId!).catch(() => {})));
      await purgePendingDeletions(objectKeys(photos));
      return photos.map((p) => p.id);
    } catch (error) {
      if (!(error instanceof ConcurrentChange)) throw error;
      // Read again: what still matches is what may go.
      if (attempt < ATTEMPTS) continue;
      throw new AppError("conflict", "These photos changed while they were being deleted. Please try again.", { cause: error });
    }
  }
}

function objectKeys(photos: { id: string; ownerId: string; originalKey: string }[]): string[] {
  // The upload key too: an unfinished upload's bytes are there (lib/photos/seal.ts).
  return photos.flatMap((p) => [uploadKey(p.ownerId, p.id), p.originalKey, variantKey(p.ownerId, p.id, "thumb"), variantKey(p.ownerId, p.id, "large")]);
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
