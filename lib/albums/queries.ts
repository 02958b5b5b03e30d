import "server-only";
import { db, Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import type { Photo } from "@/lib/generated/prisma/client";
import { decodeCursor, encodeCursor, FEED_PAGE_SIZE, toTile, type PhotoNeighbour, type PhotoTile } from "@/lib/photos/queries";

/*
 * An album's photos are read through AlbumPhoto's (albumId, sortAt desc, photoId desc) index:
 * AlbumPhoto.sortAt is the photo's own sortAt (a trigger keeps it equal), so the album shows in
 * the gallery's order and a page is one index range from the cursor, joined to its photos by
 * primary key. Only live, READY photos show: one removed from the album, moved to Trash or
 * deleted leaves every album page (the owner's and a shared one) on the next read.
 */

const LIVE_READY = Prisma.sql`p."status" = 'READY' AND p."deletedAt" IS NULL`;

export type AlbumSummary = {
  id: string;
  title: string;
  description: string | null;
  photoCount: number;
  /** The oldest and newest photo's place in the timeline (taken, else uploaded); null for an empty album. */
  firstAt: string | null;
  lastAt: string | null;
  cover: PhotoTile | null;
  createdAt: string;
};

type AlbumRow = { id: string; title: string; description: string | null; coverPhotoId: string | null; createdAt: Date };

/** The owner's album, or "not found" (a missing album and another person's are the same answer). */
export async function getAlbumOrThrow(ownerId: string, albumId: string): Promise<AlbumRow> {
  const album = await db.album.findFirst({
    where: { id: albumId, ownerId },
    select: { id: true, title: true, description: true, coverPhotoId: true, createdAt: true },
  });
  if (!album) throw new AppError("not_found", "Album not found.");
  return album;
}

/** The chosen cover while it is live and in the album, else the album's newest live photo. */
export async function getAlbumCover(album: { id: string; coverPhotoId: string | null }): Promise<Photo | null> {
  if (album.coverPhotoId) {
    const [chosen] = await db.$queryRaw<Photo[]>`
      SELECT p.* FROM "AlbumPhoto" ap JOIN "Photo" p ON p."id" = ap."photoId"
      WHERE ap."albumId" = ${album.id} AND ap."photoId" = ${album.coverPhotoId} AND ${LIVE_READY}`;
    if (chosen) return chosen;
  }
  const [newest] = await albumPhotoRows(album.id, undefined, 1);
  return newest ?? null;
}

async function albumPhotoRows(albumId: string, after: { sortAt: Date; id: string } | undefined, take: number): Promise<Photo[]> {
  // A row comparison on the index's columns: PostgreSQL starts the index scan at the cursor.
  const from = after ? Prisma.sql`AND (ap."sortAt", ap."photoId") < (${after.sortAt}, ${after.id})` : Prisma.empty;
  return db.$queryRaw<Photo[]>`
    SELECT p.* FROM "AlbumPhoto" ap JOIN "Photo" p ON p."id" = ap."photoId"
    WHERE ap."albumId" = ${albumId} ${from} AND ${LIVE_READY}
    ORDER BY ap."sortAt" DESC, ap."photoId" DESC
    LIMIT ${take}`;
}

export type AlbumPage = { tiles: PhotoTile[]; nextCursor: string | null };

/**
 * One page of an album, in the gallery's order, by keyset cursor. Not owner-scoped by
 * itself: callers pass an album id they authorized (the owner's, or a live share's).
 */
export async function readAlbumPage(albumId: string, options: { cursor?: string; limit?: number } = {}): Promise<{ photos: Photo[]; nextCursor: string | null }> {
  const limit = Math.min(options.limit ?? FEED_PAGE_SIZE, 200);
  const rows = await albumPhotoRows(albumId, options.cursor ? decodeCursor(options.cursor) : undefined, limit + 1);
  const photos = rows.slice(0, limit);
  const last = photos.at(-1);
  return { photos, nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
}

/** The owner's album page: another person's album is "not found". */
export async function listAlbumPhotoPage(ownerId: string, albumId: string, options: { cursor?: string; limit?: number } = {}): Promise<AlbumPage> {
  await getAlbumOrThrow(ownerId, albumId);
  const { photos, nextCursor } = await readAlbumPage(albumId, options);
  return { tiles: await Promise.all(photos.map(toTile)), nextCursor };
}

/** The owner's albums, newest first, each with its cover, live photo count and date range. */
export async function listAlbums(ownerId: string): Promise<AlbumSummary[]> {
  const albums = await db.album.findMany({
    where: { ownerId },
    orderBy: [{ createdAt: "desc" }, { id: "desc" }],
    select: { id: true, title: true, description: true, coverPhotoId: true, createdAt: true },
    take: 1000,
  });
  return summarize(albums);
}

/** The owner's album with its summary (for the album page). */
export async function getAlbumSummaryOrThrow(ownerId: string, albumId: string): Promise<AlbumSummary & { coverPhotoId: string | null }> {
  const album = await getAlbumOrThrow(ownerId, albumId);
  const [summary] = await summarize([album]);
  return { ...summary!, coverPhotoId: album.coverPhotoId };
}

async function summarize(albums: AlbumRow[]): Promise<AlbumSummary[]> {
  if (albums.length === 0) return [];
  const stats = await db.$queryRaw<{ albumId: string; photoCount: bigint; firstAt: Date | null; lastAt: Date | null }[]>`
    SELECT ap."albumId", count(*) AS "photoCount", min(ap."sortAt") AS "firstAt", max(ap."sortAt") AS "lastAt"
    FROM "AlbumPhoto" ap JOIN "Photo" p ON p."id" = ap."photoId"
    WHERE ap."albumId" IN (${Prisma.join(albums.map((a) => a.id))}) AND ${LIVE_READY}
    GROUP BY ap."albumId"`;
  const byAlbum = new Map(stats.map((s) => [s.albumId, s]));
  return Promise.all(
    albums.map(async (album) => {
      const stat = byAlbum.get(album.id);
      const cover = stat ? await getAlbumCover(album) : null;
      return {
        id: album.id,
        title: album.title,
        description: album.description,
        photoCount: Number(stat?.photoCount ?? 0),
        firstAt: stat?.firstAt?.toISOString() ?? null,
        lastAt: stat?.lastAt?.toISOString() ?? null,
        cover: cover ? await toTile(cover) : null,
        createdAt: album.createdAt.toISOString(),
      };
    }),
  );
}

/** The owner's albums for an "Add to album" picker: names only, newest first. */
export async function listAlbumChoices(ownerId: string): Promise<{ id: string; title: string }[]> {
  return db.album.findMany({ where: { ownerId }, orderBy: [{ createdAt: "desc" }, { id: "desc" }], select: { id: true, title: true }, take: 1000 });
}

/** Which of the owner's albums hold the photo (for its page). */
export async function listAlbumsOfPhoto(ownerId: string, photoId: string): Promise<{ id: string; title: string }[]> {
  return db.album.findMany({ where: { ownerId, entries: { some: { photoId } } }, orderBy: { title: "asc" }, select: { id: true, title: true } });
}

/**
 * The photos either side of `photoId` inside the album, in its order: `previous` is newer,
 * `next` older. Two one-row index lookups from the photo's place, like the gallery's neighbours.
 * Undefined when the photo is not (or no longer) in the album.
 */
export async function getAlbumNeighbours(
  albumId: string,
  photoId: string,
): Promise<{ previous: PhotoNeighbour | null; next: PhotoNeighbour | null } | undefined> {
  const entry = await db.albumPhoto.findUnique({ where: { albumId_photoId: { albumId, photoId } }, select: { sortAt: true } });
  if (!entry) return undefined;
  const [previous, next] = await Promise.all([
    db.$queryRaw<{ id: string; displayName: string }[]>`
      SELECT p."id", p."displayName" FROM "AlbumPhoto" ap JOIN "Photo" p ON p."id" = ap."photoId"
      WHERE ap."albumId" = ${albumId} AND (ap."sortAt", ap."photoId") > (${entry.sortAt}, ${photoId}) AND ${LIVE_READY}
      ORDER BY ap."sortAt" ASC, ap."photoId" ASC LIMIT 1`,
    db.$queryRaw<{ id: string; displayName: string }[]>`
      SELECT p."id", p."displayName" FROM "AlbumPhoto" ap JOIN "Photo" p ON p."id" = ap."photoId"
      WHERE ap."albumId" = ${albumId} AND (ap."sortAt", ap."photoId") < (${entry.sortAt}, ${photoId}) AND ${LIVE_READY}
      ORDER BY ap."sortAt" DESC, ap."photoId" DESC LIMIT 1`,
  ]);
  const toNeighbour = (rows: { id: string; displayName: string }[]) => (rows[0] ? { id: rows[0].id, name: rows[0].displayName } : null);
  return { previous: toNeighbour(previous), next: toNeighbour(next) };
}

/** How many live READY photos the album shows (not owner-scoped: for an authorized album). */
export async function countAlbumPhotos(albumId: string): Promise<number> {
  const [row] = await db.$queryRaw<{ count: bigint }[]>`
    SELECT count(*) AS "count" FROM "AlbumPhoto" ap JOIN "Photo" p ON p."id" = ap."photoId" WHERE ap."albumId" = ${albumId} AND ${LIVE_READY}`;
  return Number(row?.count ?? 0);
}
