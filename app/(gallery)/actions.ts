"use server";

import { after } from "next/server";
import { authedAction } from "@/lib/actions/result";
import { cancelUpload, completeUpload, createUploads, signParts, signUploads } from "@/lib/photos/uploads";
import { createUploadsSchema, photoIdSchema, photoIdsSchema, signPartsSchema, signUploadsSchema } from "@/lib/photos/schemas";
import { schedulePhotoProcessing } from "@/lib/photos/processing";
import { moveToTrash } from "@/lib/photos/trash";

// Every action re-checks the session; photo ids are always paired with the caller's id below.

export const createUploadsAction = authedAction(createUploadsSchema, ({ files, signNow }, user) => createUploads(user.id, files, { signNow }));

export const signUploadsAction = authedAction(signUploadsSchema, ({ photoIds, waitingIds }, user) => signUploads(user.id, photoIds, waitingIds));

export const signPartsAction = authedAction(signPartsSchema, ({ photoId, partNumbers, waitingIds }, user) => signParts(user.id, photoId, partNumbers, waitingIds));

export const completeUploadAction = authedAction(photoIdSchema, async ({ photoId }, user) => {
  const outcome = await completeUpload(user.id, photoId);
  // Verified: answer now, process after the response (bounded queue, see lib/photos/processing.ts).
  if (outcome.startedProcessing) after(() => schedulePhotoProcessing(photoId));
  return outcome;
});

export const cancelUploadAction = authedAction(photoIdSchema, ({ photoId }, user) => cancelUpload(user.id, photoId));

/** Photos go to Trash (restorable for TRASH_RETENTION_DAYS); an unfinished or failed upload goes at once. */
export const deletePhotosAction = authedAction(photoIdsSchema, ({ photoIds }, user) => moveToTrash(user.id, photoIds));
