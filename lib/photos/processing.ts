import "server-only";
import { rm } from "node:fs/promises";
import path from "node:path";
import { db } from "@/lib/db";
import { isDependencyUnavailable } from "@/lib/errors";
import { env } from "@/lib/env";
import { getStorage, type ObjectInfo, type StorageDriver } from "@/lib/storage";
import { ObjectTooLargeError } from "@/lib/storage/download";
import { processImage, ImageProcessingError } from "@/lib/images/process";
import { ProcessingTimeoutError, startTimeLimit, withinTimeLimit } from "@/lib/images/time-limit";
import type { Photo } from "@/lib/generated/prisma/client";
import { createFairQueue, type FairQueue } from "./fair-queue";
import { uploadKey, variantKey } from "./keys";
import { sealUpload } from "./seal";
import { purgePendingDeletions } from "./delete";
import { createWorkDir, removeStaleWorkDirs } from "./work-dir";

/**
 * Decoding images is CPU- and memory-heavy: at most PROCESSING_CONCURRENCY run at
 * once per app instance, the rest wait their turn, taken round-robin over owners so a
 * large drop does not hold anyone else's photos behind it. The queue is per process;
 * a photo whose process died mid-way stays PROCESSING and the sweeper runs it again
 * (the attempt counter ends that loop).
 */
const globalForQueue = globalThis as unknown as { snapshelfFairProcessingQueue?: FairQueue; snapshelfStaleWorkDirs?: Promise<unknown> };
const queue = (globalForQueue.snapshelfFairProcessingQueue ??= createFairQueue(env.PROCESSING_CONCURRENCY));

/** Once per process, before its first run: temporary originals left by a process that was killed mid-run. */
function removeStaleWorkDirsOnce() {
  globalForQueue.snapshelfStaleWorkDirs ??= removeStaleWorkDirs().catch((error: unknown) => {
    console.error("[processing] could not remove stale temporary originals:", error);
  });
}

const VARIANT_CACHE_CONTROL = "private, max-age=31536000, immutable";

/**
 * What one run of processPhoto came to: `settled` (READY, FAILED, or nothing to do),
 * `timed_out` (hit the time limit with attempts left), `deferred` (storage or database
 * unavailable). Both leave the photo PROCESSING for the sweeper's next run.
 */
export type ProcessingRun = "settled" | "timed_out" | "deferred";

/**
 * Queues the photo behind its owner's earlier ones and processes it. Resolves once the
 * photo is settled or left to the sweeper; never rejects.
 *
 * A run that hit the time limit is not queued again here: its decode may still be running
 * (a native decode cannot be interrupted), and retrying at once would pile up such decodes.
 * The sweeper runs it again 10 minutes later, until the attempts run out.
 */
export async function schedulePhotoProcessing(photoId: string): Promise<void> {
  try {
    const photo = await db.photo.findUnique({ where: { id: photoId }, select: { ownerId: true } });
    if (photo) await queue.run(photo.ownerId, () => processPhoto(photoId));
  } catch (error) {
    console.error(`[processing] photo ${photoId} could not be settled:`, error);
  }
}

/** The stored original is not the one that was verified: refused without reading it. */
class OriginalRefusedError extends Error {
  override readonly name = "OriginalRefusedError";
}

export const gaveUpReason = (attempts: number) =>
  `We could not process this photo after ${attempts} attempts. It may be damaged or too complex; please try another copy of it.`;

/**
 * Original → oriented WebP variants, thumbhash, dimensions, EXIF date and camera.
 * Idempotent: reloads the row and does nothing unless it is still PROCESSING
 * (deleted, finished or failed photos end cleanly).
 *
 * Every run is counted before any work (Photo.processingAttempts), so a photo whose
 * run crashes the process is counted too; one that has used PROCESSING_MAX_ATTEMPTS
 * ends FAILED instead of running again. The original is checked by HEAD (size as
 * verified, within UPLOAD_MAX_BYTES), streamed to a temporary file and decoded from
 * there, all within PROCESSING_TIMEOUT_SECONDS.
 */
export async function processPhoto(photoId: string): Promise<ProcessingRun> {
  const claimed = await db.photo.updateMany({
    where: { id: photoId, status: "PROCESSING", processingAttempts: { lt: env.PROCESSING_MAX_ATTEMPTS } },
    data: { processingAttempts: { increment: 1 } },
  });
  const photo = await db.photo.findUnique({ where: { id: photoId } });
  if (!photo || photo.status !== "PROCESSING") return "settled";
  if (claimed.count === 0) {
    if (photo.processingAttempts >= env.PROCESSING_MAX_ATTEMPTS) await failPhoto(photo, gaveUpReason(photo.processingAttempts));
    return "settled";
  }

  const storage = getStorage();
  removeStaleWorkDirsOnce();
  const timeLimit = startTimeLimit(env.PROCESSING_TIMEOUT_SECONDS);
  const workDir = await createWorkDir();
  try {
    const originalFile = path.join(workDir, "original");
    await withinTimeLimit(timeLimit, downloadVerifiedOriginal(storage, photo, originalFile, timeLimit.signal));
    const image = await processImage(originalFile, { maxPixels: env.MAX_IMAGE_PIXELS, timeLimit });
    // Past this point the work is two small uploads and one update: bounded by their size, not the input.
    const thumbKey = variantKey(photo.ownerId, photo.id, "thumb");
    const largeKey = variantKey(photo.ownerId, photo.id, "large");
    await storage.put(thumbKey, image.thumbnail.data, { contentType: "image/webp", cacheControl: VARIANT_CACHE_CONTROL });
    await storage.put(largeKey, image.large.data, { contentType: "image/webp", cacheControl: VARIANT_CACHE_CONTROL });
    const updated = await db.photo.updateMany({
      where: { id: photo.id, status: "PROCESSING" },
      data: {
        status: "READY",
        thumbKey,
        largeKey,
        width: image.width,
        height: image.height,
        thumbhash: image.thumbhash,
        takenAt: image.takenAt ?? null,
        camera: image.camera ?? null,
        sortAt: image.takenAt ?? photo.createdAt,
        failureReason: null,
        multipartUploadId: null,
        // The cap bounds runs in a row that did not succeed; a later re-run (missing variants) starts afresh.
        processingAttempts: 0,
      },
    });
    if (updated.count === 0) {
      // Deleted or failed while we worked: the variants we just wrote belong to nobody. But when
      // another run of this same photo finished first (READY), they are its variants: same keys.
      const current = await db.photo.findUnique({ where: { id: photo.id }, select: { status: true } });
      if (current?.status !== "READY") await Promise.all([storage.delete(thumbKey), storage.delete(largeKey)]);
    }
    return "settled";
  } catch (error) {
    if (error instanceof ProcessingTimeoutError) {
      if (photo.processingAttempts >= env.PROCESSING_MAX_ATTEMPTS) {
        await failPhoto(photo, gaveUpReason(photo.processingAttempts));
        return "settled";
      }
      console.error(`[processing] photo ${photo.id}: attempt ${photo.processingAttempts} took longer than ${env.PROCESSING_TIMEOUT_SECONDS} s`);
      return "timed_out";
    }
    if (error instanceof ImageProcessingError || error instanceof OriginalRefusedError) {
      await failPhoto(photo, error.message);
      return "settled";
    }
    if (isDependencyUnavailable(error)) {
      // Storage or database blinked: leave it PROCESSING for the sweeper to retry. Not the
      // image's fault, so this run gives its attempt back (when the database answers).
      console.error(`[processing] photo ${photo.id}: transient failure, will retry:`, error);
      await db.photo
        .updateMany({ where: { id: photo.id, status: "PROCESSING", processingAttempts: { gt: 0 } }, data: { processingAttempts: { decrement: 1 } } })
        .catch(() => {});
      return "deferred";
    }
    console.error(`[processing] photo ${photo.id} failed:`, error);
    await failPhoto(photo, "We could not process this photo. Please try uploading it again.");
    return "settled";
  } finally {
    await rm(workDir, { recursive: true, force: true });
  }
}

const megabytes = (bytes: number) => `${(bytes / 1_000_000).toFixed(1)} MB`;

/**
 * Streams the original to `filePath` after HEAD shows it is what complete verified: the
 * same size, and within UPLOAD_MAX_BYTES. Bytes beyond that size stop the download.
 */
async function downloadVerifiedOriginal(storage: StorageDriver, photo: Photo, filePath: string, signal: AbortSignal) {
  const object = (await storage.head(photo.originalKey)) ?? (await sealAfterCrash(photo));
  if (!object) throw new OriginalRefusedError("The uploaded file went missing. Please upload the photo again.");
  if (object.size > env.UPLOAD_MAX_BYTES) {
    throw new OriginalRefusedError(`The stored file is ${megabytes(object.size)}; the limit is ${megabytes(env.UPLOAD_MAX_BYTES)}.`);
  }
  const verified = Number(photo.sizeBytes);
  if (object.size !== verified) {
    throw new OriginalRefusedError(
      `The stored file changed after it was checked (${megabytes(object.size)} instead of ${megabytes(verified)}). Please upload the photo again.`,
    );
  }
  try {
    await storage.download(photo.originalKey, filePath, { maxBytes: verified, signal });
  } catch (error) {
    if (error instanceof ObjectTooLargeError) {
      throw new OriginalRefusedError("The stored file changed while it was read. Please upload the photo again.", { cause: error });
    }
    throw error;
  }
}

/**
 * A row claimed PROCESSING whose complete died before the copy to the original (crash,
 * deploy) still has its verified bytes at the upload key: sealing again finishes the move.
 * An upload that is not what was announced fails the photo with the seal's reason.
 */
async function sealAfterCrash(photo: Photo): Promise<ObjectInfo | undefined> {
  const sealed = await sealUpload(photo);
  if (!sealed.ok) throw new OriginalRefusedError(sealed.reason);
  return sealed.original;
}

/**
 * FAILED with a reason the person sees; every stored object of the photo is
 * removed (a deletion storage refuses is queued for the sweeper, never forgotten).
 */
export async function failPhoto(photo: Pick<Photo, "id" | "ownerId" | "originalKey" | "multipartUploadId">, reason: string) {
  await db.photo.updateMany({
    where: { id: photo.id },
    data: { status: "FAILED", failureReason: reason, thumbKey: null, largeKey: null, thumbhash: null, multipartUploadId: null },
  });
  const storage = getStorage();
  const upload = uploadKey(photo.ownerId, photo.id);
  if (photo.multipartUploadId) await storage.abortMultipart(upload, photo.multipartUploadId).catch(() => {});
  await deleteObjects([upload, photo.originalKey, variantKey(photo.ownerId, photo.id, "thumb"), variantKey(photo.ownerId, photo.id, "large")]);
  return { photoId: photo.id, status: "FAILED" as const, failureReason: reason };
}

/** Deletes objects now; any that storage refuses stay listed for the sweeper. */
async function deleteObjects(keys: string[]): Promise<void> {
  await db.pendingDeletion.createMany({ data: keys.map((key) => ({ key })), skipDuplicates: true });
  await purgePendingDeletions(keys);
}
