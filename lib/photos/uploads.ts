import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";
import { consumeOrThrow } from "@/lib/rate-limit";
import { getStorage, type SignedRequest } from "@/lib/storage";
import { sniffImageType, matchesClaimedType } from "@/lib/images/sniff";
import { ALLOWED_IMAGE_TYPES, isAllowedType } from "@/lib/images/formats";
import { formatBytes } from "@/lib/utils";
import { sanitizeDisplayName } from "./display-name";
import { purgePendingDeletions } from "./delete";
import { originalKey, uploadKey } from "./keys";
import { partCountFor, partLength, partSizeFor } from "./parts";
import { uploadFileSchema } from "./schemas";
import { failPhoto } from "./processing";
import { deleteUploadKey, isNoSuchUpload, sealUpload, type SealablePhoto } from "./seal";

export type UploadPlan =
  | { ok: true; index: number; photoId: string; mode: "single"; request: SignedRequest }
  /** A single PUT whose URL is signed when its turn comes (signUploads), so it cannot expire while it waits. */
  | { ok: true; index: number; photoId: string; mode: "reserved" }
  | { ok: true; index: number; photoId: string; mode: "multipart"; partSize: number; partCount: number; uploadedParts: number[] }
  | { ok: false; index: number; name: string; message: string };

export type SignedUpload = { ok: true; photoId: string; request: SignedRequest } | { ok: false; photoId: string; message: string };

const SNIFF_BYTES = 4096;

/**
 * How long a reserved upload waits for its turn before the sweeper may take it. Every
 * call the page makes while it uploads (signing a file or a part) renews the reservation
 * of the files still queued behind it, so on an open page this only has to outlast the
 * longest single file in flight; a page closed mid-drop leaves rows that go after this
 * (plus the sweeper's grace), together with the quota they held.
 */
export const RESERVATION_SECONDS = 60 * 60;

const labelFor = (type: string) => (isAllowedType(type) ? ALLOWED_IMAGE_TYPES[type].label : type);
const secondsFromNow = (seconds: number) => new Date(Date.now() + seconds * 1000);
const urlExpiry = () => secondsFromNow(env.UPLOAD_URL_TTL_SECONDS);
const reservationExpiry = () => secondsFromNow(Math.max(RESERVATION_SECONDS, env.UPLOAD_URL_TTL_SECONDS));

/**
 * One call for (a batch of) a drop: validates every file, checks quota and rate limit,
 * creates PENDING rows and returns how each file goes to storage. A file that breaks a
 * rule, or whose resume cannot continue, is refused on its own; the others still go.
 *
 * The rate limit counts files, once, here: signing a reserved file's URL later, or its
 * parts, is not counted again. With `signNow: false` (the browser) single-PUT files are
 * only reserved, and signed by `signUploads` when their turn comes.
 */
export async function createUploads(ownerId: string, files: unknown[], { signNow = true }: { signNow?: boolean } = {}): Promise<UploadPlan[]> {
  if (files.length > env.MAX_FILES_PER_BATCH) {
    throw new AppError("invalid_input", `You can upload up to ${env.MAX_FILES_PER_BATCH} photos at once.`);
  }
  await consumeOrThrow("presign", ownerId, files.length);

  const plans: UploadPlan[] = [];
  const accepted: { index: number; file: ReturnType<typeof uploadFileSchema.parse> }[] = [];
  files.forEach((raw, index) => {
    const parsed = uploadFileSchema.safeParse(raw);
    const name = typeof (raw as { name?: unknown })?.name === "string" ? sanitizeDisplayName((raw as { name: string }).name) : "file";
    if (!parsed.success) return plans.push({ ok: false, index, name, message: parsed.error.issues[0]?.message ?? "Invalid file." });
    if (parsed.data.size > env.UPLOAD_MAX_BYTES) {
      return plans.push({ ok: false, index, name, message: `This file is ${formatBytes(parsed.data.size)}; the limit is ${formatBytes(env.UPLOAD_MAX_BYTES)}.` });
    }
    accepted.push({ index, file: parsed.data });
  });

  const fresh: typeof accepted = [];
  for (const item of accepted) {
    const resumed = item.file.resumePhotoId ? await resumePlan(ownerId, item.index, item.file) : undefined;
    if (resumed) plans.push(resumed);
    else fresh.push(item);
  }

  const rows = await reserveRows(ownerId, fresh, plans);
  const storage = getStorage();
  try {
    for (const { index, row } of rows) {
      const key = uploadKey(ownerId, row.id);
      if (row.sizeBytes >= env.MULTIPART_THRESHOLD_BYTES) {
        const uploadId = await storage.createMultipart(key, { contentType: row.contentType });
        await db.photo.update({ where: { id: row.id }, data: { multipartUploadId: uploadId } });
        plans.push({ ok: true, index, photoId: row.id, mode: "multipart", partSize: partSize(row.sizeBytes), partCount: partCount(row.sizeBytes), uploadedParts: [] });
      } else if (signNow) {
        const request = await presignUpload(key, row);
        plans.push({ ok: true, index, photoId: row.id, mode: "single", request });
      } else {
        plans.push({ ok: true, index, photoId: row.id, mode: "reserved" });
      }
    }
  } catch (error) {
    // Storage refused or is down: leave no PENDING rows behind for files that cannot be sent.
    await db.photo.deleteMany({ where: { id: { in: rows.map((r) => r.row.id) }, ownerId } });
    throw new AppError("unavailable", "Storage is not reachable right now. Please try again in a moment.", { cause: error });
  }
  return plans.sort((a, b) => a.index - b.index);
}

const presignUpload = (key: string, row: { contentType: string; sizeBytes: number | bigint }) =>
  getStorage().presignPut(key, { contentType: row.contentType, contentLength: Number(row.sizeBytes), expiresInSeconds: env.UPLOAD_URL_TTL_SECONDS });

const partSize = (size: number) => partSizeFor(size, env.MULTIPART_PART_BYTES);
const partCount = (size: number) => partCountFor(size, env.MULTIPART_PART_BYTES);

/**
 * Creates the rows inside one transaction that holds a per-owner lock, so two
 * drops at the same moment cannot both squeeze under the quota.
 */
async function reserveRows(ownerId: string, items: { index: number; file: { name: string; type: string; size: number } }[], plans: UploadPlan[]) {
  if (items.length === 0) return [];
  return db.$transaction(async (tx) => {
    await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtext(${`quota:${ownerId}`}))`;
    const usage = await tx.photo.aggregate({ where: { ownerId, status: { not: "FAILED" } }, _sum: { sizeBytes: true } });
    let used = Number(usage._sum.sizeBytes ?? 0);
    const expiresAt = reservationExpiry();
    const created = [];
    for (const { index, file } of items) {
      const name = sanitizeDisplayName(file.name);
      if (used + file.size > env.USER_QUOTA_BYTES) {
        plans.push({ ok: false, index, name, message: `Not enough space: ${formatBytes(used)} of ${formatBytes(env.USER_QUOTA_BYTES)} used.` });
        continue;
      }
      used += file.size;
      const id = randomUUID();
      const row = { id, ownerId, originalKey: originalKey(ownerId, id), displayName: name, contentType: file.type, sizeBytes: file.size, uploadExpiresAt: expiresAt };
      created.push({ index, row });
    }
    // One INSERT for the whole drop: a row at a time held batches of 20 to two thirds of the URLs/s (bench/presign.ts).
    if (created.length > 0) await tx.photo.createMany({ data: created.map(({ row }) => ({ ...row, sizeBytes: BigInt(row.sizeBytes) })) });
    return created;
  });
}

/**
 * An interrupted multipart upload of the same file picks up where it stopped. When storage
 * no longer knows the upload: finished (a completion whose answer was lost), the file counts
 * as fully sent and the browser only completes it; aborted, its row goes and the file starts
 * afresh. A storage failure refuses this file only.
 */
async function resumePlan(ownerId: string, index: number, file: { name: string; size: number; type: string; resumePhotoId?: string }): Promise<UploadPlan | undefined> {
  const photo = await db.photo.findFirst({ where: { id: file.resumePhotoId, ownerId, status: "PENDING" } });
  if (!photo || Number(photo.sizeBytes) !== file.size || photo.contentType !== file.type) return undefined;
  const size = Number(photo.sizeBytes);
  const storage = getStorage();
  const key = uploadKey(ownerId, photo.id);
  try {
    let uploadedParts: number[] | undefined;
    try {
      if (photo.multipartUploadId) uploadedParts = (await storage.listParts(key, photo.multipartUploadId)).map((p) => p.partNumber);
    } catch (error) {
      if (!isNoSuchUpload(error)) throw error;
    }
    if (!uploadedParts) {
      // No upload in progress any more: either the whole file is in storage, or it starts over.
      const landed = (await storage.head(key)) ?? (await storage.head(photo.originalKey));
      if (landed?.size !== size) {
        await cancelUpload(ownerId, photo.id);
        return undefined;
      }
      uploadedParts = Array.from({ length: partCount(size) }, (_, i) => i + 1);
    }
    await extendUploads(ownerId, [photo.id], reservationExpiry());
    return { ok: true, index, photoId: photo.id, mode: "multipart", partSize: partSize(size), partCount: partCount(size), uploadedParts };
  } catch (error) {
    console.error(`[uploads] resuming ${photo.id} failed:`, error);
    return { ok: false, index, name: sanitizeDisplayName(file.name), message: "This upload could not be resumed right now. Please try again in a moment." };
  }
}

const laterOf = (a: Date, b: Date) => (a > b ? a : b);

/** Moves the expiry of these PENDING rows forward to `until` (never back). */
async function extendUploads(ownerId: string, photoIds: string[], until: Date) {
  if (photoIds.length === 0) return;
  await db.photo.updateMany({ where: { id: { in: photoIds }, ownerId, status: "PENDING", uploadExpiresAt: { lt: until } }, data: { uploadExpiresAt: until } });
}

/**
 * Signs the single PUTs of reserved files whose turn has come (a few at a time, just
 * before they are sent, or again after storage refused an expired URL). `waitingIds`
 * are the page's files still queued: their reservations are renewed, so an open page
 * never loses them to the sweeper. Each file gets its own answer.
 */
export async function signUploads(ownerId: string, photoIds: string[], waitingIds: string[] = []): Promise<SignedUpload[]> {
  const rows = await db.photo.findMany({ where: { id: { in: photoIds }, ownerId, status: "PENDING", multipartUploadId: null } });
  // The row outlives every URL signed for it: its expiry moves first.
  await extendUploads(ownerId, rows.map((r) => r.id), urlExpiry());
  await extendUploads(ownerId, waitingIds, reservationExpiry());
  const byId = new Map(rows.map((r) => [r.id, r]));
  return Promise.all(
    photoIds.map(async (photoId): Promise<SignedUpload> => {
      const row = byId.get(photoId);
      if (!row) return { ok: false, photoId, message: "This upload is no longer in progress. Please add the photo again." };
      return { ok: true, photoId, request: await presignUpload(uploadKey(ownerId, photoId), row) };
    }),
  );
}

async function getPendingMultipartOrThrow(ownerId: string, photoId: string) {
  const photo = await db.photo.findFirst({ where: { id: photoId, ownerId } });
  if (!photo) throw new AppError("not_found", "Photo not found.");
  if (photo.status !== "PENDING" || !photo.multipartUploadId) throw new AppError("conflict", "This upload is no longer in progress.");
  return photo as typeof photo & { multipartUploadId: string };
}

/**
 * Part URLs are signed just before they are sent, a few at a time, each with its exact
 * length. Every signing moves the upload's expiry forward (an upload that keeps sending
 * is never swept) and renews the reservations of the page's queued files (`waitingIds`).
 */
export async function signParts(ownerId: string, photoId: string, partNumbers: number[], waitingIds: string[] = []): Promise<{ partNumber: number; request: SignedRequest }[]> {
  const photo = await getPendingMultipartOrThrow(ownerId, photoId);
  const size = Number(photo.sizeBytes);
  const total = partCount(size);
  if (partNumbers.some((n) => n > total)) throw new AppError("invalid_input", "That part is past the end of the file.");
  await extendUploads(ownerId, [photoId], urlExpiry());
  await extendUploads(ownerId, waitingIds, reservationExpiry());
  const storage = getStorage();
  const key = uploadKey(ownerId, photoId);
  return Promise.all(
    partNumbers.map(async (partNumber) => {
      const contentLength = partLength(size, env.MULTIPART_PART_BYTES, partNumber);
      const request = await storage.presignPart(key, photo.multipartUploadId, partNumber, { contentLength, expiresInSeconds: env.UPLOAD_URL_TTL_SECONDS });
      return { partNumber, request };
    }),
  );
}

export type UploadOutcome = {
  photoId: string;
  status: "PROCESSING" | "READY" | "FAILED" | "PENDING";
  failureReason: string | null;
  /** True only for the one call that verified the upload: that caller, and no other, schedules processing. */
  startedProcessing?: boolean;
};

/**
 * The browser says the bytes are in storage. Trust nothing: the object must exist
 * with the signed size (a cut-off PUT can leave a short object) and the announced
 * type; it is then copied to the original's key (sealUpload), and the original's
 * first bytes must be the claimed image type. `startedProcessing` means the caller
 * schedules processing (schedulePhotoProcessing). Calling this twice is harmless:
 * only the call that moves the row out of PENDING does work; the others report the
 * current status (which may be PROCESSING too, so the status alone cannot decide).
 * A call whose earlier attempt got further (the multipart upload completed, the
 * original copied) carries on from there.
 */
export async function completeUpload(ownerId: string, photoId: string): Promise<UploadOutcome> {
  const photo = await db.photo.findFirst({ where: { id: photoId, ownerId } });
  if (!photo) throw new AppError("not_found", "Photo not found.");
  const claimed = await db.photo.updateMany({ where: { id: photoId, ownerId, status: "PENDING" }, data: { status: "PROCESSING" } });
  if (claimed.count === 0) {
    const current = await db.photo.findFirstOrThrow({ where: { id: photoId, ownerId } });
    return { photoId, status: current.status, failureReason: current.failureReason, startedProcessing: false };
  }

  const storage = getStorage();
  try {
    const sealed = await sealUpload(photo);
    if (!sealed.ok) return await rejectUpload(photo, sealed.reason);
    const head = await storage.getBytes(photo.originalKey, { start: 0, end: Math.min(SNIFF_BYTES, sealed.original.size) - 1 });
    const sniffed = await sniffImageType(head);
    if (!sniffed) return await rejectUpload(photo, "This file is not a photo we can read (its contents are not JPEG, PNG, WebP, GIF, AVIF or HEIC).");
    if (!matchesClaimedType(sniffed, photo.contentType)) {
      return await rejectUpload(photo, `This file's contents are ${labelFor(sniffed)}, but it was sent as ${labelFor(photo.contentType)}. Rename it to match and try again.`);
    }
  } catch (error) {
    // Storage unreachable mid-check: put the row back, with time for a retry (or the sweeper) to finish it.
    // Whatever got done stays done (a completed multipart upload's id is already cleared).
    await db.photo.updateMany({ where: { id: photoId, status: "PROCESSING" }, data: { status: "PENDING", uploadExpiresAt: laterOf(photo.uploadExpiresAt, urlExpiry()) } });
    throw new AppError("unavailable", "Storage is not reachable right now. Your upload is kept; please retry in a moment.", { cause: error });
  }

  return { photoId, status: "PROCESSING", failureReason: null, startedProcessing: true };
}

/** FAILED with the reason; the upload (its key and any multipart upload on it) goes with the rest. */
async function rejectUpload(photo: SealablePhoto, reason: string) {
  const key = uploadKey(photo.ownerId, photo.id);
  if (photo.multipartUploadId) await getStorage().abortMultipart(key, photo.multipartUploadId).catch(() => {});
  const outcome = await failPhoto({ ...photo, multipartUploadId: null }, reason);
  await deleteUploadKey(key);
  return outcome;
}

/** Stops an upload the person cancelled: aborts a multipart upload and removes whatever landed. */
export async function cancelUpload(ownerId: string, photoId: string): Promise<void> {
  const photo = await db.photo.findFirst({ where: { id: photoId, ownerId, status: "PENDING" } });
  if (!photo) return;
  const keys = [uploadKey(ownerId, photoId), photo.originalKey];
  // Written down with the delete: a storage refusal below leaves them for the sweeper, never forgotten.
  const removed = await db.$transaction(async (tx) => {
    const { count } = await tx.photo.deleteMany({ where: { id: photoId, ownerId, status: "PENDING" } });
    if (count > 0) await tx.pendingDeletion.createMany({ data: keys.map((key) => ({ key })), skipDuplicates: true });
    return count > 0;
  });
  if (!removed) return;
  if (photo.multipartUploadId) await getStorage().abortMultipart(keys[0]!, photo.multipartUploadId).catch(() => {});
  // A PUT still in flight may land after this; the sweeper removes objects that have no row.
  await purgePendingDeletions(keys);
}

/** Status of the caller's photos still being processed, for the uploader to poll. */
export async function getUploadStatuses(ownerId: string, photoIds: string[]) {
  return db.photo.findMany({ where: { ownerId, id: { in: photoIds } } });
}
