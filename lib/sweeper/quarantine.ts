import "server-only";
import { db } from "@/lib/db";
import type { StorageDriver } from "@/lib/storage";
import { parseKey } from "@/lib/photos/keys";
import { ownsObject, type SweptPhoto } from "./find";

/**
 * What the sweeper removes as orphaned is moved here first (same key under this prefix) and
 * deleted only QUARANTINE_RETENTION_DAYS later: a mistake (a restored older backup, a row
 * lost some other way) can be undone with `npm run storage:check -- --restore`.
 */
export const QUARANTINE_ROOT = "quarantine/";
export const quarantineKey = (key: string) => `${QUARANTINE_ROOT}${key}`;
export const keyFromQuarantine = (key: string) => key.slice(QUARANTINE_ROOT.length);

const BATCH = 100;

/**
 * Copies each orphan into quarantine, then deletes it. Each batch is checked against the rows
 * and the deletion queue once more first: the app kept running since the listing.
 */
export async function quarantineOrphans(storage: StorageDriver, keys: string[]): Promise<number> {
  let moved = 0;
  for (let start = 0; start < keys.length; start += BATCH) {
    const batch = keys.slice(start, start + BATCH);
    const parsed = batch.map((key) => ({ key, parsed: parseKey(key) }));
    const ids = parsed.flatMap((p) => (p.parsed ? [p.parsed.photoId] : []));
    const [rows, queued] = await Promise.all([
      db.photo.findMany({ where: { id: { in: ids } } }),
      db.pendingDeletion.findMany({ where: { key: { in: batch } }, select: { key: true } }),
    ]);
    const rowsById = new Map(rows.map((r) => [r.id, r as SweptPhoto]));
    const queuedKeys = new Set(queued.map((q) => q.key));
    for (const { key, parsed: ids } of parsed) {
      if (queuedKeys.has(key)) continue;
      const row = ids && rowsById.get(ids.photoId);
      if (row && ownsObject(row, ids)) continue;
      await storage.copy(key, quarantineKey(key));
      await storage.delete(key);
      moved++;
    }
  }
  return moved;
}

/** Deletes quarantined objects older than the retention; returns how many. */
export async function purgeExpiredQuarantine(storage: StorageDriver, now: Date, retentionDays: number): Promise<number> {
  const cutoff = now.getTime() - retentionDays * 24 * 60 * 60 * 1000;
  let purged = 0;
  for await (const object of storage.list(QUARANTINE_ROOT)) {
    if (object.lastModified && object.lastModified.getTime() < cutoff) {
      await storage.delete(object.key);
      purged++;
    }
  }
  return purged;
}
