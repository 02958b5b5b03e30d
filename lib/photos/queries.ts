import "server-only";
import { db, type Prisma } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { getStorage } from "@/lib/storage";
import type { Photo } from "@/lib/generated/prisma/client";

/**
 * Image URLs are signed with a timestamp rounded down to the hour and live two hours,
 * so the same photo has the same URL for an hour and browsers and CDNs can cache it.
 */
const URL_WINDOW_SECONDS = 3600;

function signingWindowStart(now = Date.now()) {
  return new Date(Math.floor(now / (URL_WINDOW_SECONDS * 1000)) * URL_WINDOW_SECONDS * 1000);
}

export async function imageUrl(key: string): Promise<string> {
  return getStorage().presignGet(key, { expiresInSeconds: 2 * URL_WINDOW_SECONDS, signedAt: signingWindowStart() });
}

/**
 * A photo that is not in Trash. Every query that shows, serves or shares a photo
 * includes it, so a photo moved to Trash leaves the gallery, its page, its
 * downloads and its share links at once, and comes back with them on restore.
 */
export const livePhoto = { deletedAt: null } satisfies Prisma.PhotoWhereInput;

export type PhotoTile = {
  id: string;
  name: string;
  width: number;
  height: number;
  thumbhash: string | null;
  thumbUrl: string;
  sortAt: string;
};

export async function toTile(photo: Photo): Promise<PhotoTile> {
  return {
    id: photo.id,
    name: photo.displayName,
    width: photo.width ?? 1,
    height: photo.height ?? 1,
    thumbhash: photo.thumbhash,
    thumbUrl: await imageUrl(photo.thumbKey ?? photo.originalKey),
    sortAt: photo.sortAt.toISOString(),
  };
}

/** Keyset cursor over (sortAt, id): stable while photos are added, and as fast on page 1,000 as on page 1. */
export function encodeCursor(photo: { sortAt: Date; id: string }): string {
  return Buffer.from(`${photo.sortAt.toISOString()}|${photo.id}`).toString("base64url");
}

export function decodeCursor(cursor: string): { sortAt: Date; id: string } {
  const [iso, id] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  const sortAt = new Date(iso ?? "");
  if (!id || Number.isNaN(sortAt.getTime())) throw new AppError("invalid_input", "Invalid page cursor.");
  return { sortAt, id };
}

export const FEED_PAGE_SIZE = 60;

export async function listPhotoPage(ownerId: string, options: { cursor?: string; limit?: number } = {}) {
  const limit = Math.min(options.limit ?? FEED_PAGE_SIZE, 200);
  const after = options.cursor ? decodeCursor(options.cursor) : undefined;
  const rows = await db.photo.findMany({
    where: {
      ownerId,
      status: "READY",
      ...livePhoto,
      // The redundant `lte` is what PostgreSQL turns into an index range starting at the cursor;
      // with the OR alone it walks the index from the newest photo and filters (slower on every page).
      ...(after && {
        sortAt: { lte: after.sortAt },
        OR: [{ sortAt: { lt: after.sortAt } }, { sortAt: after.sortAt, id: { lt: after.id } }],
      }),
    },
    orderBy: [{ sortAt: "desc" }, { id: "desc" }],
    take: limit + 1,
  });
  const page = rows.slice(0, limit);
  const last = page.at(-1);
  return {
    tiles: await Promise.all(page.map(toTile)),
    nextCursor: rows.length > limit && last ? encodeCursor(last) : null,
  };
}

/** Owner-scoped: another person's photo, a missing one and one in Trash are the same "not found". */
export async function getPhotoOrThrow(ownerId: string, photoId: string) {
  const photo = await db.photo.findFirst({ where: { id: photoId, ownerId, ...livePhoto } });
  if (!photo) throw new AppError("not_found", "Photo not found.");
  return photo;
}

export async function listFailedPhotos(ownerId: string) {
  return db.photo.findMany({
    where: { ownerId, status: "FAILED", ...livePhoto },
    orderBy: { createdAt: "desc" },
    take: 50,
    select: { id: true, displayName: true, failureReason: true },
  });
}

export async function countReadyPhotos(ownerId: string) {
  return db.photo.count({ where: { ownerId, status: "READY", ...livePhoto } });
}

export type PhotoNeighbour = { id: string; name: string };

/**
 * The photos either side of `photo` in the gallery's order (sortAt desc, id desc):
 * `previous` is the one shown before it (newer), `next` the one after (older).
 * Two keyset lookups on the feed index (the gte/lte bound the index range, as in listPhotoPage),
 * so it is as fast deep in the timeline as at the top.
 */
export async function getNeighbours(
  ownerId: string,
  photo: { id: string; sortAt: Date },
): Promise<{ previous: PhotoNeighbour | null; next: PhotoNeighbour | null }> {
  const select = { id: true, displayName: true } as const;
  const [previous, next] = await Promise.all([
    db.photo.findFirst({
      where: { ownerId, status: "READY", ...livePhoto, sortAt: { gte: photo.sortAt }, OR: [{ sortAt: { gt: photo.sortAt } }, { sortAt: photo.sortAt, id: { gt: photo.id } }] },
      orderBy: [{ sortAt: "asc" }, { id: "asc" }],
      select,
    }),
    db.photo.findFirst({
      where: { ownerId, status: "READY", ...livePhoto, sortAt: { lte: photo.sortAt }, OR: [{ sortAt: { lt: photo.sortAt } }, { sortAt: photo.sortAt, id: { lt: photo.id } }] },
      orderBy: [{ sortAt: "desc" }, { id: "desc" }],
      select,
    }),
  ]);
  const toNeighbour = (p: { id: string; displayName: string } | null) => (p ? { id: p.id, name: p.displayName } : null);
  return { previous: toNeighbour(previous), next: toNeighbour(next) };
}
