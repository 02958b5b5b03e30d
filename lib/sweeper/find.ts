import "server-only";
import { db } from "@/lib/db";
import type { ObjectInfo, StorageDriver } from "@/lib/storage";
import { KEY_ROOT, parseKey } from "@/lib/photos/keys";
import { DEFAULT_PAGE_SIZE, walkPhotosAndObjects, type SweptPhoto } from "./walk";

export type { SweptPhoto } from "./walk";

/** Leaves in-flight work alone: an upload URL lives minutes, processing takes seconds. */
export const PENDING_GRACE_MS = 15 * 60 * 1000;
export const PROCESSING_STALE_MS = 10 * 60 * 1000;
/** An object may land a moment before its row is visible to us (or after a cancel): give it time. */
export const ORPHAN_GRACE_MS = 5 * 60 * 1000;
/**
 * One run acts on at most this many findings of each kind (the counts include all of them;
 * the next run takes the rest). Keeps a run's memory bounded however much is wrong.
 */
export const MAX_FINDINGS_PER_KIND = 10_000;

const rowSelect = {
  id: true,
  ownerId: true,
  status: true,
  originalKey: true,
  thumbKey: true,
  largeKey: true,
  multipartUploadId: true,
  uploadExpiresAt: true,
  updatedAt: true,
  deletedAt: true,
} as const;

/**
 * Every disagreement between database and storage, each in exactly one list, so the
 * counts add up to the number of things wrong. Each list holds at most
 * MAX_FINDINGS_PER_KIND entries; `counts` has how many there are in all.
 */
export interface Findings {
  /** PENDING rows whose upload URL expired long ago (with or without bytes in storage). */
  expiredPending: SweptPhoto[];
  /** PROCESSING rows nobody is working on any more (the process died mid-way). */
  staleProcessing: SweptPhoto[];
  /** Keys written down for deletion that storage has not confirmed gone yet. */
  pendingDeletions: string[];
  /** Multipart uploads in storage that no row claims (their row was removed, or never written). */
  staleMultipart: { key: string; uploadId: string }[];
  /** Objects under users/ that no row owns (see `ownsObject`) and not already queued for deletion. */
  orphanObjects: string[];
  /** READY rows (trashed ones too) with at least one of their objects gone. */
  missingObjects: SweptPhoto[];
  counts: Record<FindingKind, number>;
  /** Objects under users/ in the listing: the base of the sweeper's removal brake. */
  objectsListed: number;
}

export type FindingKind = "expiredPending" | "staleProcessing" | "pendingDeletions" | "staleMultipart" | "orphanObjects" | "missingObjects";

/**
 * Which objects a row owns: the original and variants of any photo that did not fail, and
 * the browser's upload of one still PENDING or PROCESSING (a complete that died before its
 * copy leaves the bytes there; sealUpload finishes it from them). A trashed photo keeps its
 * objects until it is purged. Everything else under users/ is an orphan once it is old enough.
 */
export function ownsObject(row: SweptPhoto, object: { ownerId: string; photoId: string; object: string }): boolean {
  if (row.id !== object.photoId || row.ownerId !== object.ownerId) return false;
  if (object.object === "upload") return row.status === "PENDING" || row.status === "PROCESSING";
  return row.status !== "FAILED";
}

export async function findInconsistencies(storage: StorageDriver, now: Date, options: { pageSize?: number } = {}): Promise<Findings> {
  const ago = (ms: number) => new Date(now.getTime() - ms);
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;

  const expiredWhere = { status: "PENDING", uploadExpiresAt: { lt: ago(PENDING_GRACE_MS) } } as const;
  const staleWhere = { status: "PROCESSING", updatedAt: { lt: ago(PROCESSING_STALE_MS) } } as const;
  const [expiredPending, expiredCount, staleProcessing, staleCount, pendingDeletions, queuedCount] = await Promise.all([
    db.photo.findMany({ where: expiredWhere, select: rowSelect, take: MAX_FINDINGS_PER_KIND }),
    db.photo.count({ where: expiredWhere }),
    db.photo.findMany({ where: staleWhere, select: rowSelect, take: MAX_FINDINGS_PER_KIND }),
    db.photo.count({ where: staleWhere }),
    db.pendingDeletion.findMany({ select: { key: true }, orderBy: { key: "asc" }, take: MAX_FINDINGS_PER_KIND }),
    db.pendingDeletion.count(),
  ]);

  const orphans = new BoundedList<string>();
  const missing = new BoundedList<SweptPhoto>();
  let objectsListed = 0;
  // Orphan candidates wait here until a page's worth is looked up in the deletion queue at once.
  let candidates: string[] = [];
  const settleCandidates = async () => {
    if (candidates.length === 0) return;
    const queued = await db.pendingDeletion.findMany({ where: { key: { in: candidates } }, select: { key: true } });
    const queuedKeys = new Set(queued.map((q) => q.key));
    for (const key of candidates) if (!queuedKeys.has(key)) orphans.add(key);
    candidates = [];
  };
  const oldEnough = (object: ObjectInfo) => object.lastModified === undefined || object.lastModified <= ago(ORPHAN_GRACE_MS);

  for await (const item of walkPhotosAndObjects(storage, pageSize)) {
    if (item.kind === "stray") {
      objectsListed++;
      if (oldEnough(item.object)) candidates.push(item.object.key);
    } else {
      objectsListed += item.objects.length;
      for (const object of item.objects) {
        const parsed = parseKey(object.key)!;
        if (item.row && ownsObject(item.row, parsed)) continue;
        if (oldEnough(object)) candidates.push(object.key);
      }
      const row = item.row;
      if (row?.status === "READY") {
        const present = new Set(item.objects.map((o) => o.key));
        if ([row.originalKey, row.thumbKey, row.largeKey].some((key) => !key || !present.has(key))) missing.add(row);
      }
    }
    if (candidates.length >= pageSize) await settleCandidates();
  }
  await settleCandidates();

  // A listing is a snapshot and can miss objects (eventual consistency, a page that failed,
  // a photo finished after its part of the listing was read): each one is looked up directly.
  const confirmedMissing = await confirmMissing(storage, missing.items);

  const staleMultipart = await unclaimedMultipart(storage, ago(PENDING_GRACE_MS));
  return {
    expiredPending,
    staleProcessing,
    pendingDeletions: pendingDeletions.map((d) => d.key),
    staleMultipart: staleMultipart.slice(0, MAX_FINDINGS_PER_KIND),
    orphanObjects: orphans.items,
    missingObjects: confirmedMissing,
    counts: {
      expiredPending: expiredCount,
      staleProcessing: staleCount,
      pendingDeletions: queuedCount,
      staleMultipart: staleMultipart.length,
      orphanObjects: orphans.total,
      // Beyond the list's bound, candidates count unconfirmed.
      missingObjects: confirmedMissing.length + (missing.total - missing.items.length),
    },
    objectsListed,
  };
}

/** Keeps the first MAX_FINDINGS_PER_KIND items and counts them all. */
class BoundedList<T> {
  readonly items: T[] = [];
  total = 0;
  add(item: T) {
    this.total++;
    if (this.items.length < MAX_FINDINGS_PER_KIND) this.items.push(item);
  }
}

/** An expired row's upload is aborted along with the row; only uploads no row knows count as stale. */
async function unclaimedMultipart(storage: StorageDriver, olderThan: Date) {
  const uploads = await storage.listStaleMultipart(KEY_ROOT, olderThan);
  const claimed = new Set<string>();
  for (let start = 0; start < uploads.length; start += DEFAULT_PAGE_SIZE) {
    const ids = uploads.slice(start, start + DEFAULT_PAGE_SIZE).map((u) => u.uploadId);
    const rows = await db.photo.findMany({ where: { multipartUploadId: { in: ids } }, select: { multipartUploadId: true } });
    for (const row of rows) claimed.add(row.multipartUploadId!);
  }
  return uploads.filter((u) => !claimed.has(u.uploadId)).map(({ key, uploadId }) => ({ key, uploadId }));
}

async function confirmMissing(storage: StorageDriver, candidates: SweptPhoto[]): Promise<SweptPhoto[]> {
  const confirmed: SweptPhoto[] = [];
  for (const photo of candidates) {
    const keys = [photo.originalKey, photo.thumbKey, photo.largeKey];
    const present = await Promise.all(keys.map((key) => (key ? storage.head(key).then(Boolean) : false)));
    if (present.includes(false)) confirmed.push(photo);
  }
  return confirmed;
}
