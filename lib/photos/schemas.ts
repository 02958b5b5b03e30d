import { z } from "zod";
import { ALLOWED_TYPES } from "@/lib/images/formats";

/** Validated at the server-action boundary; the browser checks the same rules first to fail fast. */
export const uploadFileSchema = z.object({
  name: z.string().min(1, "A file needs a name.").max(1000, "That file name is too long."),
  type: z.enum(ALLOWED_TYPES, { error: "Only JPEG, PNG, WebP, GIF, AVIF and HEIC photos can be uploaded." }),
  size: z.number().int().positive("This file is empty."),
  /** Set when the browser remembers an interrupted multipart upload of this same file. */
  resumePhotoId: z.string().uuid().optional(),
});

export const createUploadsSchema = z.object({
  files: z.array(z.unknown()).min(1, "Choose at least one photo."),
  /** false: single-PUT files are only reserved, and signed by signUploads when their turn comes (the browser). */
  signNow: z.boolean().optional(),
});

/** The ids of a page's files still queued, whose reservations a signing call renews (the first this many). */
export const MAX_WAITING_IDS = 1000;
const waitingIdsSchema = z.array(z.string().uuid()).max(MAX_WAITING_IDS).optional();

export const signUploadsSchema = z.object({
  photoIds: z.array(z.string().uuid("Unknown photo.")).min(1).max(20),
  waitingIds: waitingIdsSchema,
});

export const photoIdSchema = z.object({ photoId: z.string().uuid("Unknown photo.") });

export const signPartsSchema = z.object({
  photoId: z.string().uuid("Unknown photo."),
  partNumbers: z.array(z.number().int().min(1).max(10_000)).min(1).max(100),
  waitingIds: waitingIdsSchema,
});

export const photoIdsSchema = z.object({ photoIds: z.array(z.string().uuid()).min(1).max(500) });

export type UploadFile = z.infer<typeof uploadFileSchema>;

/** Empty Trash takes what was in it when the person looked (see emptyTrash). */
export const emptyTrashSchema = z.object({ trashedUpTo: z.iso.datetime({ error: "Reload the page and try again." }) });
