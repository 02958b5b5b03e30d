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
import { originalKey } from "./keys";
import { partCountFor, partLength, partSizeFor } from "./parts";
import { uploadFileSchema } from "./schemas";
import { failPhoto } from "./processing";

export type UploadPlan =
  | { ok: true; index: number; photoId: string; mode: "single"; request: SignedRequest }
  | { ok: true; index: number; photoId: string; mode: "multipart"; partSize: number; partCount: number; uploadedParts: number[] }
  | { ok: false; index: number; name: string; message: string };

const SNIFF_BYTES = 4096;

const labelFor = (type: string) => (isAllowedType(type) ? ALLOWED_IMAGE_TYPES[type].label : type);

/**
 * One call for a whole drop: validates every file, checks quota and rate limit,
 * creates PENDING rows and returns how each file goes to storage. A file that
 * breaks a rule is refused on its own; the others still go.
 */
export async function createUploads(ownerId: string, files: unknown[]): Promise<UploadPlan[]> {
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
      if (row.sizeBytes >= env.MULTIPART_THRESHOLD_BYTES) {
        const uploadId = await storage.createMultipart(row.originalKey, { contentType: row.contentType });
        await db.photo.update({ where: { id: row.id }, data: { multipartUploadId: uploadId } });
        plans.push({ ok: true, index, photoId: row.id, mode: "multipart", partSize: partSize(row.sizeBytes), partCount: partCount(row.sizeBytes), uploadedParts: [] });
      } else {
        const request = await storage.presignPut(row.originalKey, {
          contentType: row.contentType,
          contentLength: row.sizeBytes,
          expiresInSeconds: env.UPLOAD_URL_TTL_SECONDS,
        });
        plans.push({ ok: true, index, photoId: row.id, mode: "single", request });
      }
    }
  } catch (error) {
    // Storage refused or is down: leave no PENDING rows behind for files that cannot be sent.
    await db.photo.deleteMany({ where: { id: { in: rows.map((r) => r.row.id) }, ownerId } });
    throw new AppError("unavailable", "Storage is not reachable right now. Please try again in a moment.", { cause: error });
  }
  return plans.sort((a, b) => a.index - b.index);
}

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
    const expiresAt = new Date(Date.now() + env.UPLOAD_URL_TTL_SECONDS * 1000);
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

/** An interrupted multipart upload of the same file picks up where it stopped. */
async function resumePlan(ownerId: string, index: number, file: { size: number; type: string; resumePhotoId?: string }): Promise<UploadPlan | undefined> {
  const photo = await db.photo.findFirst({ where: { id: file.resumePhotoId, ownerId, status: "PENDING" } });
  if (!photo?.multipartUploadId || Number(photo.sizeBytes) !== file.size || photo.contentType !== file.type) return undefined;
  const parts = await getStorage().listParts(photo.originalKey, photo.multipartUploadId);
  await db.photo.update({ where: { id: photo.id }, data: { uploadExpiresAt: new Date(Date.now() + env.UPLOAD_URL_TTL_SECONDS * 1000) } });
  return {
    ok: true,
    index,
    photoId: photo.id,
    mode: "multipart",
    partSize: partSize(Number(photo.sizeBytes)),
    partCount: partCount(Number(photo.sizeBytes)),
    uploadedParts: parts.map((p) => p.partNumber),
  };
}

async function getPendingMultipartOrThrow(ownerId: string, photoId: string) {
  const photo = await db.photo.findFirst({ where: { id: photoId, ownerId } });
  if (!photo) throw new AppError("not_found", "Photo not found.");
  if (photo.status !== "PENDING" || !photo.multipartUploadId) throw new AppError("conflict", "This upload is no longer in progress.");
  return photo as typeof photo & { multipartUploadId: string };
}

/** Part URLs are signed just before they are sent, a few at a time, each with its exact length. */
export async function signParts(ownerId: string, photoId: string, partNumbers: number[]): Promise<{ partNumber: number; request: SignedRequest }[]> {
  const photo = await getPendingMultipartOrThrow(ownerId, photoId);
  const size = Number(photo.sizeBytes);
  const total = partCount(size);
  const storage = getStorage();
  return Promise.all(
    partNumbers.map(async (partNumber) => {
      if (partNumber > total) throw new AppError("invalid_input", "That part is past the end of the file.");
      const contentLength = partLength(size, env.MULTIPART_PART_BYTES, partNumber);
      const request = await storage.presignPart(photo.originalKey, photo.multipartUploadId, partNumber, {
        contentLength,
        expiresInSeconds: env.UPLOAD_URL_TTL_SECONDS,
      });
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
 * with the signed size (a cut-off PUT can leave a short object) and its first
 * bytes must be the claimed image type. `startedProcessing` means the caller
 * schedules processing (schedulePhotoProcessing). Calling this twice is harmless:
 * only the call that moves the row out of PENDING does work; the others report the
 * current status (which may be PROCESSING too, so the status alone cannot decide).
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
    if (photo.multipartUploadId) {
      const parts = await storage.listParts(photo.originalKey, photo.multipartUploadId);
      if (parts.length !== partCount(Number(photo.sizeBytes))) {
        return await failPhoto(photo, "The upload did not finish: some parts never arrived. Please upload the photo again.");
      }
      await storage.completeMultipart(photo.originalKey, photo.multipartUploadId, parts);
    }
    const object = await storage.head(photo.originalKey);
    if (!object) return await failPhoto(photo, "The file never arrived in storage. Please upload it again.");
    if (object.size !== Number(photo.sizeBytes)) {
      return await failPhoto(photo, `The upload was incomplete (${formatBytes(object.size)} of ${formatBytes(Number(photo.sizeBytes))}). Please upload it again.`);
    }
    // Storage serves the original under the type it stored. S3 signs that type; an Azure SAS
    // cannot, so a browser could have stored e.g. text/html: only the announced type may stand.
    if (object.contentType !== photo.contentType) {
      return await failPhoto(photo, "The file arrived with another type than the one announced. Please upload it again.");
    }
    const head = await storage.getBytes(photo.originalKey, { start: 0, end: Math.min(SNIFF_BYTES, object.size) - 1 });
    const sniffed = await sniffImageType(head);
    if (!sniffed) return await failPhoto(photo, "This file is not a photo we can read (its contents are not JPEG, PNG, WebP, GIF, AVIF or HEIC).");
    if (!matchesClaimedType(sniffed, photo.contentType)) {
      return await failPhoto(photo, `This file's contents are ${labelFor(sniffed)}, but it was sent as ${labelFor(photo.contentType)}. Rename it to match and try again.`);
    }
  } catch (error) {
    // Storage unreachable mid-check: put the row back so a retry (or the sweeper) can finish it.
    await db.photo.update({ where: { id: photoId }, data: { status: "PENDING" } });
    throw new AppError("unavailable", "Storage is not reachable right now. Your upload is kept; please retry in a moment.", { cause: error });
  }

  return { photoId, status: "PROCESSING", failureReason: null, startedProcessing: true };
}

/** Stops an upload the person cancelled: aborts a multipart upload and removes whatever landed. */
export async function cancelUpload(ownerId: string, photoId: string): Promise<void> {
  const photo = await db.photo.findFirst({ where: { id: photoId, ownerId, status: "PENDING" } });
  if (!photo) return;
  const storage = getStorage();
  if (photo.multipartUploadId) await storage.abortMultipart(photo.originalKey, photo.multipartUploadId).catch(() => {});
  await storage.delete(photo.originalKey).catch(() => {});
  // A PUT still in flight may land after this; the sweeper removes objects that have no row.
  await db.photo.deleteMany({ where: { id: photoId, ownerId, status: "PENDING" } });
}

/** Status of the caller's photos still being processed, for the uploader to poll. */
export async function getUploadStatuses(ownerId: string, photoIds: string[]) {
  return db.photo.findMany({ where: { ownerId, id: { in: photoIds } } });
}
