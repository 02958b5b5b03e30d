import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import type { Photo } from "@/lib/generated/prisma/client";
import { getStorage, type ObjectInfo } from "@/lib/storage";
import { formatBytes } from "@/lib/utils";
import { purgePendingDeletions } from "./delete";
import { uploadKey } from "./keys";
import { partCountFor } from "./parts";

export type SealablePhoto = Pick<Photo, "id" | "ownerId" | "originalKey" | "contentType" | "sizeBytes" | "multipartUploadId">;

/** `ok: false` is the upload's own fault (short, wrong type, never sent): the photo fails with `reason`. */
export type SealResult = { ok: true; original: ObjectInfo } | { ok: false; reason: string };

/**
 * Moves an upload to its original: finishes a multipart upload, checks the object the
 * browser sent (size and type as announced), copies it server-side to `originalKey`,
 * a key no client ever held a URL for, and deletes the upload key. From here on no
 * URL handed out can change the bytes that are sniffed, processed and served.
 *
 * Idempotent, so any step may be interrupted and the whole run again (a retried
 * complete, processing of a row whose complete crashed): a multipart upload that is
 * gone (its completion answered, or its answer lost) counts when the object is there;
 * an original already copied counts when the upload key is gone. Storage failures
 * throw: the caller keeps the row for a retry.
 */
export async function sealUpload(photo: SealablePhoto): Promise<SealResult> {
  const storage = getStorage();
  const upload = uploadKey(photo.ownerId, photo.id);

  if (photo.multipartUploadId) {
    const unfinished = await finishMultipart(photo, upload, photo.multipartUploadId);
    if (unfinished) return { ok: false, reason: unfinished };
  }

  const landed = await storage.head(upload);
  if (landed) {
    // Checked before the copy, so a wrong object (on Azure it may be any size) is never copied.
    const problem = problemWith(landed, photo);
    if (problem) return { ok: false, reason: problem };
    await storage.copy(upload, photo.originalKey);
  }
  // What was copied is what counts: the upload key may have changed between the HEAD and the copy.
  const original = await storage.head(photo.originalKey);
  if (!original) return { ok: false, reason: "The file never arrived in storage. Please upload it again." };
  const problem = problemWith(original, photo);
  if (problem) return { ok: false, reason: problem };

  // The object exists: a retry must never look for the finished upload id again.
  if (photo.multipartUploadId) await forgetMultipart(photo.id, photo.multipartUploadId);
  if (landed) await deleteUploadKey(upload);
  return { ok: true, original };
}

/** Completes the multipart upload; a reason when parts are missing, undefined when done or already gone. */
async function finishMultipart(photo: SealablePhoto, key: string, uploadId: string): Promise<string | undefined> {
  const storage = getStorage();
  try {
    const parts = await storage.listParts(key, uploadId);
    if (parts.length !== partCountFor(Number(photo.sizeBytes), env.MULTIPART_PART_BYTES)) {
      return "The upload did not finish: some parts never arrived. Please upload the photo again.";
    }
    await storage.completeMultipart(key, uploadId, parts);
    await forgetMultipart(photo.id, uploadId);
  } catch (error) {
    // Completed by an earlier call whose answer was lost, or aborted: the HEADs that follow decide.
    if (!isNoSuchUpload(error)) throw error;
  }
  return undefined;
}

const forgetMultipart = (photoId: string, uploadId: string) =>
  db.photo.updateMany({ where: { id: photoId, multipartUploadId: uploadId }, data: { multipartUploadId: null } });

/** S3 answers NoSuchUpload (404) for an upload id that was completed or aborted; the Azure driver names its error the same. */
export function isNoSuchUpload(error: unknown): boolean {
  const e = error as { name?: string; Code?: string } | undefined;
  return e?.name === "NoSuchUpload" || e?.Code === "NoSuchUpload";
}

function problemWith(object: ObjectInfo, photo: SealablePhoto): string | undefined {
  const expected = Number(photo.sizeBytes);
  if (object.size !== expected) {
    return `The upload was incomplete (${formatBytes(object.size)} of ${formatBytes(expected)}). Please upload it again.`;
  }
  // Storage serves the original under the type it stored. S3 signs that type; an Azure SAS
  // cannot, so a browser could have stored e.g. text/html: only the announced type may stand.
  if (object.contentType !== photo.contentType) {
    return "The file arrived with another type than the one announced. Please upload it again.";
  }
  return undefined;
}

/**
 * Deletes the upload key now; one storage refuses is queued for the sweeper, as every delete is.
 * (Not written down first: if the app dies before this, the sweeper finds the upload key of a
 * photo past PENDING/PROCESSING as an orphan.)
 */
export async function deleteUploadKey(key: string): Promise<void> {
  try {
    await getStorage().delete(key);
  } catch (error) {
    console.error(`[uploads] deleting ${key} failed, queued for the sweeper:`, error);
    await db.pendingDeletion.createMany({ data: [{ key }], skipDuplicates: true });
    await purgePendingDeletions([key]);
  }
}
