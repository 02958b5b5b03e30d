import "server-only";
import { db } from "@/lib/db";
import type { StorageDriver } from "@/lib/storage";
import { KEY_ROOT, parseKey } from "@/lib/photos/keys";

/** Leaves in-flight work alone: an upload URL lives minutes, processing takes seconds. */
export const PENDING_GRACE_MS = 15 * 60 * 1000;
export const PROCESSING_STALE_MS = 10 * 60 * 1000;
/** An object may land a moment before its row is visible to us (or after a cancel): give it time. */
export const ORPHAN_GRACE_MS = 5 * 60 * 1000;

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
} as const;

export type SweptPhoto = Awaited<ReturnType<typeof listRows>>[number];

const listRows = () => db.photo.findMany({ select: rowSelect });

/**
 * Every disagreement between database and storage, each in exactly one list, so the
 * counts add up to the number of things wrong.
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
  /** Objects with no row, another owner's row, or a FAILED row — and not already queued for deletion. */
  orphanObjects: string[];
  /** READY rows with at least one of their objects gone. */
  missingObjects: SweptPhoto[];
}

export async function findInconsistencies(storage: StorageDriver, now: Date): Promise<Findings> {
  const ago = (ms: number) => new Date(now.getTime() - ms);

  // Rows before objects: a photo that turns READY after this read already has its
  // variants written, so the listing below sees them. (Listing first would race
  // processing and report a photo finished meanwhile as missing its variants.)
  const rows = await listRows();
  const queued = new Set((await db.pendingDeletion.findMany({ select: { key: true } })).map((d) => d.key));
  const objects = new Map<string, Date | undefined>();
  for await (const object of storage.list(KEY_ROOT)) objects.set(object.key, object.lastModified);
  const uploads = await storage.listStaleMultipart(KEY_ROOT, ago(PENDING_GRACE_MS));

  const rowsById = new Map(rows.map((r) => [r.id, r]));
  // An expired row's upload is aborted along with the row; only uploads no row knows count as stale.
  const claimedUploads = new Set(rows.flatMap((r) => (r.multipartUploadId ? [r.multipartUploadId] : [])));

  const orphanObjects = [...objects]
    .filter(([key, modified]) => {
      if (queued.has(key)) return false;
      if (modified !== undefined && modified > ago(ORPHAN_GRACE_MS)) return false;
      const parsed = parseKey(key);
      const row = parsed && rowsById.get(parsed.photoId);
      if (!row || row.ownerId !== parsed.ownerId) return true;
      // A failed photo keeps its row (with the reason) but none of its objects.
      return row.status === "FAILED";
    })
    .map(([key]) => key);

  return {
    expiredPending: rows.filter((r) => r.status === "PENDING" && r.uploadExpiresAt < ago(PENDING_GRACE_MS)),
    staleProcessing: rows.filter((r) => r.status === "PROCESSING" && r.updatedAt < ago(PROCESSING_STALE_MS)),
    pendingDeletions: [...queued],
    staleMultipart: uploads.filter((u) => !claimedUploads.has(u.uploadId)).map(({ key, uploadId }) => ({ key, uploadId })),
    orphanObjects,
    missingObjects: await confirmMissing(
      storage,
      rows.filter((r) => r.status === "READY" && [r.originalKey, r.thumbKey, r.largeKey].some((k) => !k || !objects.has(k))),
    ),
  };
}

/**
 * A listing is a snapshot and can miss objects (eventual consistency, a page that
 * failed): before a photo is reported lost, each of its objects is looked up directly.
 */
async function confirmMissing(storage: StorageDriver, candidates: SweptPhoto[]): Promise<SweptPhoto[]> {
  const confirmed: SweptPhoto[] = [];
  for (const photo of candidates) {
    const keys = [photo.originalKey, photo.thumbKey, photo.largeKey];
    const present = await Promise.all(keys.map((key) => (key ? storage.head(key).then(Boolean) : false)));
    if (present.includes(false)) confirmed.push(photo);
  }
  return confirmed;
}
