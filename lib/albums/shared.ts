import "server-only";
import type { Photo } from "@/lib/generated/prisma/client";
import type { PhotoTile } from "@/lib/photos/queries";
import type { PublicAlbumShare } from "@/lib/shares/album-links";
import { shareImageUrl } from "@/lib/shares/image-urls";
import { readAlbumPage } from "./queries";

/** A photo as an album link's visitor gets it: a grid tile plus the large variant for the lightbox. */
export type SharedAlbumPhoto = PhotoTile & {
  largeUrl: string;
  /** Null when the link hides capture details. */
  takenAt: string | null;
  camera: string | null;
};

/**
 * What a visitor of the link may know of a photo. With `hideDetails`, no file name and no
 * date or camera leaves the server: the name is empty (the page numbers the photos) and
 * sortAt is empty too, so the grid draws no month headers.
 */
async function toSharedPhoto(photo: Photo, hideDetails: boolean): Promise<SharedAlbumPhoto> {
  const [thumbUrl, largeUrl] = await Promise.all([shareImageUrl(photo.thumbKey ?? photo.originalKey), shareImageUrl(photo.largeKey ?? photo.originalKey)]);
  return {
    id: photo.id,
    name: hideDetails ? "" : photo.displayName,
    width: photo.width ?? 1,
    height: photo.height ?? 1,
    thumbhash: photo.thumbhash,
    thumbUrl,
    largeUrl,
    sortAt: hideDetails ? "" : photo.sortAt.toISOString(),
    takenAt: hideDetails ? null : (photo.takenAt?.toISOString() ?? null),
    camera: hideDetails ? null : photo.camera,
  };
}

/** One page of a shared album (authorized by the caller: a live, unlocked link). */
export async function readSharedAlbumPage(share: PublicAlbumShare, cursor?: string): Promise<{ photos: SharedAlbumPhoto[]; nextCursor: string | null }> {
  const page = await readAlbumPage(share.album.id, { cursor });
  return { photos: await Promise.all(page.photos.map((p) => toSharedPhoto(p, share.hideDetails))), nextCursor: page.nextCursor };
}
