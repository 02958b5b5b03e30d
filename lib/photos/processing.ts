import "server-only";
import pLimit from "p-limit";
import { db } from "@/lib/db";
import { isDependencyUnavailable } from "@/lib/errors";
import { env } from "@/lib/env";
import { getStorage } from "@/lib/storage";
import { processImage, ImageProcessingError } from "@/lib/images/process";
import type { Photo } from "@/lib/generated/prisma/client";
import { variantKey } from "./keys";
import { purgePendingDeletions } from "./delete";

/**
 * Decoding images is CPU- and memory-heavy: at most PROCESSING_CONCURRENCY run at
 * once per app instance, the rest wait their turn, so requests stay responsive.
 * The queue is per process; a photo whose process died mid-way stays PROCESSING
 * and the sweeper schedules it again.
 */
const globalForQueue = globalThis as unknown as { snapshelfProcessingQueue?: ReturnType<typeof pLimit> };
const queue = (globalForQueue.snapshelfProcessingQueue ??= pLimit(env.PROCESSING_CONCURRENCY));

const VARIANT_CACHE_CONTROL = "private, max-age=31536000, immutable";

export function schedulePhotoProcessing(photoId: string): Promise<void> {
  return queue(() => processPhoto(photoId)).catch((error: unknown) => {
    console.error(`[processing] photo ${photoId} could not be settled:`, error);
  });
}

/**
 * Original → oriented WebP variants, thumbhash, dimensions, EXIF date and camera.
 * Idempotent: reloads the row and does nothing unless it is still PROCESSING
 * (deleted, finished or failed photos end cleanly).
 */
export async function processPhoto(photoId: string): Promise<void> {
  const photo = await db.photo.findUnique({ where: { id: photoId } });
  if (!photo || photo.status !== "PROCESSING") return;
  const storage = getStorage();
  try {
    const original = await storage.getBytes(photo.originalKey);
    const image = await processImage(original, { maxPixels: env.MAX_IMAGE_PIXELS });
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
      },
    });
    if (updated.count === 0) {
      // Deleted or failed while we worked: the variants we just wrote belong to nobody. But when
      // another run of this same photo finished first (READY), they are its variants: same keys.
      const current = await db.photo.findUnique({ where: { id: photo.id }, select: { status: true } });
      if (current?.status !== "READY") await Promise.all([storage.delete(thumbKey), storage.delete(largeKey)]);
    }
  } catch (error) {
    if (error instanceof ImageProcessingError) {
      await failPhoto(photo, error.message);
      return;
    }
    if (isDependencyUnavailable(error)) {
      // Storage or database blinked: leave it PROCESSING for the sweeper to retry.
      console.error(`[processing] photo ${photo.id}: transient failure, will retry:`, error);
      return;
    }
    console.error(`[processing] photo ${photo.id} failed:`, error);
    await failPhoto(photo, "We could not process this photo. Please try uploading it again.");
  }
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
  if (photo.multipartUploadId) await storage.abortMultipart(photo.originalKey, photo.multipartUploadId).catch(() => {});
  await deleteObjects([photo.originalKey, variantKey(photo.ownerId, photo.id, "thumb"), variantKey(photo.ownerId, photo.id, "large")]);
  return { photoId: photo.id, status: "FAILED" as const, failureReason: reason };
}

/** Deletes objects now; any that storage refuses stay listed for the sweeper. */
async function deleteObjects(keys: string[]): Promise<void> {
  await db.pendingDeletion.createMany({ data: keys.map((key) => ({ key })), skipDuplicates: true });
  await purgePendingDeletions(keys);
}
