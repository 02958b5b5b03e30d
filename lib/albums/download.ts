import "server-only";
import { downloadNameFor } from "@/lib/photos/display-name";
import { ALLOWED_IMAGE_TYPES, isAllowedType } from "@/lib/images/formats";
import { getStorage } from "@/lib/storage";
import { readAlbumPage } from "./queries";

/** "original": the uploaded files; "web": the large WebP variants (up to 2048 px). */
export const DOWNLOAD_VARIANTS = ["original", "web"] as const;
export type DownloadVariant = (typeof DOWNLOAD_VARIANTS)[number];

/** Entries signed per call: the browser asks for the next batch while it zips this one. */
export const DOWNLOAD_BATCH = 50;
/** A batch's URLs are fetched within minutes; a failed one is signed again with the next batch call. */
const DOWNLOAD_URL_TTL_SECONDS = 30 * 60;

export type DownloadEntry = {
  photoId: string;
  url: string;
  /** The name to save under, before the browser makes names unique; null when the link hides names. */
  name: string | null;
  extension: string;
  /** Known for originals (verified at upload); null for variants. */
  size: number | null;
  /** The capture time (the ZIP entry's modification time); null when unknown or hidden. */
  takenAt: string | null;
};

/**
 * One batch of an album's "Download all": signed GET URLs straight to storage, in the album's
 * order, by keyset cursor. The bytes never pass through the app; this is its whole share of
 * the work. Not owner-scoped by itself: callers pass an album they authorized.
 */
export async function signAlbumDownloadBatch(
  albumId: string,
  options: { cursor?: string; variant: DownloadVariant; hideDetails: boolean },
): Promise<{ entries: DownloadEntry[]; nextCursor: string | null }> {
  const { photos, nextCursor } = await readAlbumPage(albumId, { cursor: options.cursor, limit: DOWNLOAD_BATCH });
  const storage = getStorage();
  const entries = await Promise.all(
    photos.map(async (photo): Promise<DownloadEntry> => {
      const original = options.variant === "original" || !photo.largeKey;
      const extension = original ? (isAllowedType(photo.contentType) ? ALLOWED_IMAGE_TYPES[photo.contentType].extensions[0]! : "bin") : "webp";
      const name = options.hideDetails ? null : original ? downloadNameFor(photo.displayName, photo.contentType) : `${photo.displayName.replace(/\.[^.]+$/, "")}.webp`;
      return {
        photoId: photo.id,
        url: await storage.presignGet(original ? photo.originalKey : photo.largeKey!, { expiresInSeconds: DOWNLOAD_URL_TTL_SECONDS }),
        name,
        extension,
        size: original ? Number(photo.sizeBytes) : null,
        takenAt: options.hideDetails ? null : (photo.takenAt?.toISOString() ?? null),
      };
    }),
  );
  return { entries, nextCursor };
}
