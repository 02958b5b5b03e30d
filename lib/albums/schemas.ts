import { z } from "zod";
import { ALBUM_BATCH_MAX } from "./limits";

export { ALBUM_BATCH_MAX };

export const ALBUM_TITLE_MAX = 120;
export const ALBUM_DESCRIPTION_MAX = 2000;

const albumId = z.string().uuid("Unknown album.");
const photoIds = z.array(z.string().uuid("Unknown photo.")).min(1, "Choose at least one photo.").max(ALBUM_BATCH_MAX, `Add at most ${ALBUM_BATCH_MAX} photos at a time.`);
const title = z.string().trim().min(1, "Give the album a name.").max(ALBUM_TITLE_MAX, `Use at most ${ALBUM_TITLE_MAX} characters for the name.`);
// An empty field means "no description", as the form sends it.
const description = z
  .string()
  .trim()
  .max(ALBUM_DESCRIPTION_MAX, `Use at most ${ALBUM_DESCRIPTION_MAX} characters for the description.`)
  .optional()
  .transform((v) => (v ? v : null));

export const createAlbumSchema = z.object({ title, description, photoIds: photoIds.optional() });
export const updateAlbumSchema = z.object({ albumId, title, description });
export const albumIdSchema = z.object({ albumId });
export const albumPhotosSchema = z.object({ albumId, photoIds });
/** null: back to the default cover (the album's newest photo). */
export const setAlbumCoverSchema = z.object({ albumId, photoId: z.string().uuid("Unknown photo.").nullable() });

const downloadBatch = { cursor: z.string().max(200).optional(), variant: z.enum(["original", "web"]) };
export const signAlbumDownloadSchema = z.object({ albumId, ...downloadBatch });
export const signSharedAlbumDownloadSchema = z.object({ token: z.string().regex(/^[A-Za-z0-9_-]{43}$/, "This link is not valid."), ...downloadBatch });
