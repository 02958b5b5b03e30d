import "server-only";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { DELETE_BATCH, deletePhotos } from "./delete";
import { toTile, type PhotoTile } from "./queries";

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Photos whose bytes were verified: what Trash keeps. A PENDING upload (cancelled or
 * retried by the uploader) or a FAILED one has nothing to restore and goes at once.
 */
const TRASHABLE = ["READY", "PROCESSING"] as const;
const UNFINISHED = ["PENDING", "FAILED"] as const;

const inTrash = { deletedAt: { not: null } } as const;

/** When a photo moved to Trash at `deletedAt` is deleted for good. */
export function trashExpiresAt(deletedAt: Date): Date {
  return new Date(deletedAt.getTime() + env.TRASH_RETENTION_DAYS * DAY_MS);
}

/**
 * What "delete" does: the owner's verified photos move to Trash (out of the gallery,
 * photo page, downloads and shares at once; restorable for TRASH_RETENTION_DAYS),
 * unfinished and failed uploads are deleted for good. Ids that are not the caller's,
 * or already in Trash, are ignored, so a repeated request changes nothing.
 */
export async function moveToTrash(ownerId: string, photoIds: string[]): Promise<{ trashed: string[]; deleted: string[] }> {
  const trashed = await db.photo.updateManyAndReturn({
    where: { ownerId, id: { in: photoIds }, deletedAt: null, status: { in: [...TRASHABLE] } },
    data: { deletedAt: new Date() },
    select: { id: true },
  });
  const trashedIds = new Set(trashed.map((p) => p.id));
  const rest = photoIds.filter((id) => !trashedIds.has(id));
  const { deleted } = rest.length > 0 ? await deletePhotos(ownerId, rest, { deletedAt: null, status: { in: [...UNFINISHED] } }) : { deleted: [] };
  return { trashed: [...trashedIds], deleted };
}

/** Brings the owner's photos back from Trash, share links included. Other ids, and photos not in Trash, are ignored. */
export async function restorePhotos(ownerId: string, photoIds: string[]): Promise<{ restored: string[] }> {
  const restored = await db.photo.updateManyAndReturn({
    where: { ownerId, id: { in: photoIds }, ...inTrash },
    data: { deletedAt: null },
    select: { id: true },
  });
  return { restored: restored.map((p) => p.id) };
}

/** Deletes for good those of the given photos that are in the owner's Trash (a live photo must go through Trash first). */
export async function deleteFromTrash(ownerId: string, photoIds: string[]): Promise<{ deleted: string[] }> {
  return deletePhotos(ownerId, photoIds, inTrash);
}

/**
 * Deletes for good every photo the owner moved to Trash up to `trashedUpTo` (when
 * they looked at it): a photo trashed afterwards, e.g. in another tab, is not
 * taken by a confirmation given before it was there.
 */
export async function emptyTrash(ownerId: string, trashedUpTo: Date): Promise<{ deleted: number }> {
  return deleteInBatches({ ownerId, deletedAt: { not: null, lte: trashedUpTo } });
}

/**
 * Deletes for good every photo, of any owner, that has been in Trash for
 * TRASH_RETENTION_DAYS at `now`: rows go and their objects are written to
 * PendingDeletion in the same transaction, then removed (the sweeper retries
 * any that storage refused). Meant to run from the sweeper.
 */
export async function purgeExpiredTrash(now: Date): Promise<{ purged: number }> {
  const cutoff = new Date(now.getTime() - env.TRASH_RETENTION_DAYS * DAY_MS);
  return deleteInBatches({ deletedAt: { not: null, lte: cutoff } }).then(({ deleted }) => ({ purged: deleted }));
}

/** Pages through the matching rows so a trash of any size is removed in bounded transactions, each through deletePhotos. */
async function deleteInBatches(where: { ownerId?: string; deletedAt: { not: null; lte: Date } }): Promise<{ deleted: number }> {
  let total = 0;
  for (;;) {
    const batch = await db.photo.findMany({ where, select: { id: true, ownerId: true }, orderBy: [{ deletedAt: "asc" }, { id: "asc" }], take: DELETE_BATCH });
    const byOwner = new Map<string, string[]>();
    for (const { id, ownerId } of batch) byOwner.set(ownerId, [...(byOwner.get(ownerId) ?? []), id]);
    let deleted = 0;
    for (const [ownerId, ids] of byOwner) deleted += (await deletePhotos(ownerId, ids, { deletedAt: where.deletedAt })).deleted.length;
    total += deleted;
    // A short page was the last; a page of which nothing went (all restored meanwhile) is not read again.
    if (batch.length < DELETE_BATCH || deleted === 0) return { deleted: total };
  }
}

export type TrashTile = PhotoTile & { deletedAt: string; expiresAt: string };

const TRASH_LIST_LIMIT = 500;

/** The owner's Trash, most recently deleted first, with when each photo goes for good. */
export async function listTrash(ownerId: string): Promise<{ tiles: TrashTile[]; total: number }> {
  const rows = await db.photo.findMany({
    where: { ownerId, ...inTrash },
    // Photos deleted together keep their gallery order.
    orderBy: [{ deletedAt: "desc" }, { sortAt: "desc" }, { id: "desc" }],
    take: TRASH_LIST_LIMIT,
  });
  const total = rows.length < TRASH_LIST_LIMIT ? rows.length : await db.photo.count({ where: { ownerId, ...inTrash } });
  const tiles = await Promise.all(
    rows.map(async (photo) => ({
      ...(await toTile(photo)),
      deletedAt: photo.deletedAt!.toISOString(),
      expiresAt: trashExpiresAt(photo.deletedAt!).toISOString(),
    })),
  );
  return { tiles, total };
}
