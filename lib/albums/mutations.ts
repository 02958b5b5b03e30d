import "server-only";
import { randomUUID } from "node:crypto";
import { db, Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getAlbumOrThrow } from "./queries";

const isForeignKeyViolation = (error: unknown) => error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2003";

/** A new album of the owner, optionally holding some of the owner's photos from the start. */
export async function createAlbum(
  ownerId: string,
  input: { title: string; description: string | null; photoIds?: string[] },
): Promise<{ id: string; title: string; added: number }> {
  const album = await db.album.create({ data: { id: randomUUID(), ownerId, title: input.title, description: input.description }, select: { id: true, title: true } });
  const { added } = input.photoIds?.length ? await addPhotosToAlbum(ownerId, album.id, input.photoIds) : { added: 0 };
  return { ...album, added };
}

/** Renames the album and sets its description. */
export async function updateAlbum(ownerId: string, albumId: string, input: { title: string; description: string | null }): Promise<{ id: string }> {
  const { count } = await db.album.updateMany({ where: { id: albumId, ownerId }, data: { title: input.title, description: input.description } });
  if (count === 0) throw new AppError("not_found", "Album not found.");
  return { id: albumId };
}

/** Deletes the album and its share links; its photos stay in the library (and in other albums). */
export async function deleteAlbum(ownerId: string, albumId: string): Promise<{ id: string }> {
  const { count } = await db.album.deleteMany({ where: { id: albumId, ownerId } });
  if (count === 0) throw new AppError("not_found", "Album not found.");
  return { id: albumId };
}

/**
 * Adds the owner's photos to the owner's album. Ids that are not the owner's, or are in
 * Trash, are left out; a photo already in the album stays as it was. A photo still
 * uploading may be added (it shows once READY): dropping files on an album page adds them
 * as soon as the upload is reserved. Returns how many were newly added.
 */
export async function addPhotosToAlbum(ownerId: string, albumId: string, photoIds: string[]): Promise<{ added: number }> {
  await getAlbumOrThrow(ownerId, albumId);
  try {
    // FOR SHARE holds each photo's row until this commits: a concurrent change of its sortAt
    // (processing sets takenAt) waits, and its trigger then sees this entry and updates it too.
    const added = await db.$executeRaw`
      INSERT INTO "AlbumPhoto" ("albumId", "photoId", "sortAt", "addedAt")
      SELECT ${albumId}, p."id", p."sortAt", now()
      FROM "Photo" p
      WHERE p."ownerId" = ${ownerId} AND p."id" IN (${Prisma.join(photoIds)}) AND p."deletedAt" IS NULL
      FOR SHARE
      ON CONFLICT ("albumId", "photoId") DO NOTHING`;
    return { added };
  } catch (error) {
    // The album was deleted between the check and the insert.
    if (isForeignKeyViolation(error) || String(error).includes("AlbumPhoto_albumId_fkey")) throw new AppError("not_found", "Album not found.", { cause: error });
    throw error;
  }
}

/** Takes photos out of the owner's album (they stay in the library). Ids not in the album are ignored. */
export async function removePhotosFromAlbum(ownerId: string, albumId: string, photoIds: string[]): Promise<{ removed: number }> {
  await getAlbumOrThrow(ownerId, albumId);
  const { count } = await db.albumPhoto.deleteMany({ where: { albumId, photoId: { in: photoIds }, album: { ownerId } } });
  return { removed: count };
}

/** Sets the album's cover to one of its photos, or (null) back to its newest photo. */
export async function setAlbumCover(ownerId: string, albumId: string, photoId: string | null): Promise<{ coverPhotoId: string | null }> {
  await getAlbumOrThrow(ownerId, albumId);
  if (photoId) {
    const entry = await db.albumPhoto.findFirst({ where: { albumId, photoId, photo: { ownerId, deletedAt: null, status: "READY" } }, select: { photoId: true } });
    if (!entry) throw new AppError("not_found", "That photo is not in this album.");
  }
  await db.album.updateMany({ where: { id: albumId, ownerId }, data: { coverPhotoId: photoId } });
  return { coverPhotoId: photoId };
}
