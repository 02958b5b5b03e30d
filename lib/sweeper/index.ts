import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import { getStorage } from "@/lib/storage";
import { parseKey, userPrefix } from "@/lib/photos/keys";
import { purgePendingDeletions } from "@/lib/photos/delete";
import { failPhoto, processPhoto } from "@/lib/photos/processing";

/**
 * Finds, and with `fix` repairs, every way storage and database can disagree:
 * nothing uploaded is lost and nothing is left behind.
 */
export interface SweepReport {
  expiredPending: number;
  staleProcessing: number;
  pendingDeletions: number;
  staleMultipart: number;
  orphanObjects: number;
  missingObjects: number;
}

/** Leaves in-flight work alone: an upload URL lives minutes, processing takes seconds. */
const PENDING_GRACE_MS = 15 * 60 * 1000;
const PROCESSING_STALE_MS = 10 * 60 * 1000;
const ORPHAN_GRACE_MS = 5 * 60 * 1000;

export async function sweep(options: { fix: boolean; now?: Date; log?: (line: string) => void }): Promise<SweepReport> {
  const now = options.now ?? new Date();
  const log = options.log ?? (() => {});
  const storage = getStorage();

  const expired = await db.photo.findMany({
    where: { status: "PENDING", uploadExpiresAt: { lt: new Date(now.getTime() - PENDING_GRACE_MS) } },
  });
  const stale = await db.photo.findMany({
    where: { status: "PROCESSING", updatedAt: { lt: new Date(now.getTime() - PROCESSING_STALE_MS) } },
    select: { id: true },
  });
  const deletions = await db.pendingDeletion.findMany({ select: { key: true } });

  // Rows first, then objects: a row's objects are written before it turns READY, so
  // every object of a row read here is already there when the listing runs.
  const rows = await db.photo.findMany({ select: { id: true, ownerId: true, status: true, originalKey: true, thumbKey: true, largeKey: true, multipartUploadId: true } });
  // Every object, once; compared against every row. Fine at 100k photos (a few MB of keys).
  const objects = new Map<string, Date | undefined>();
  for await (const object of storage.list(userPrefix(""))) objects.set(object.key, object.lastModified);
  const rowsById = new Map(rows.map((r) => [r.id, r]));
  const liveUploads = new Set(rows.flatMap((r) => (r.status === "PENDING" && r.multipartUploadId ? [r.multipartUploadId] : [])));
  const expiredIds = new Set(expired.map((p) => p.id));

  const orphans = [...objects].filter(([key, modified]) => {
    const parsed = parseKey(key);
    const row = parsed && rowsById.get(parsed.photoId);
    const young = modified !== undefined && now.getTime() - modified.getTime() < ORPHAN_GRACE_MS;
    if (young) return false;
    if (!row || row.ownerId !== parsed.ownerId) return true;
    // A failed photo keeps its row (with the reason) but none of its objects.
    return row.status === "FAILED";
  });
  const missing = await confirmMissing(
    rows.filter((r) => r.status === "READY" && [r.originalKey, r.thumbKey, r.largeKey].some((k) => !k || !objects.has(k))),
  );
  const staleUploads = (await storage.listStaleMultipart(userPrefix(""), new Date(now.getTime() - PENDING_GRACE_MS))).filter(
    (u) => !liveUploads.has(u.uploadId) || expiredIds.has(parseKey(u.key)?.photoId ?? ""),
  );

  const report: SweepReport = {
    expiredPending: expired.length,
    staleProcessing: stale.length,
    pendingDeletions: deletions.length,
    staleMultipart: staleUploads.length,
    orphanObjects: orphans.length,
    missingObjects: missing.length,
  };
  if (!options.fix) return report;

  for (const photo of expired) {
    if (photo.multipartUploadId) await storage.abortMultipart(photo.originalKey, photo.multipartUploadId).catch(() => {});
    await db.pendingDeletion.createMany({ data: [{ key: photo.originalKey }], skipDuplicates: true });
    await db.photo.deleteMany({ where: { id: photo.id, status: "PENDING" } });
    log(`removed expired upload ${photo.id}`);
  }
  for (const upload of staleUploads) {
    await storage.abortMultipart(upload.key, upload.uploadId);
    log(`aborted stale multipart upload of ${upload.key}`);
  }
  for (const { id } of stale) {
    await processPhoto(id);
    log(`processed photo ${id} again`);
  }
  for (const photo of missing) {
    await failPhoto(photo, "The stored file went missing. Please upload the photo again.");
    log(`marked photo ${photo.id} failed: objects missing`);
  }
  const orphanKeys = orphans.map(([key]) => key);
  await db.pendingDeletion.createMany({ data: orphanKeys.map((key) => ({ key })), skipDuplicates: true });
  const listed = await db.pendingDeletion.findMany({ select: { key: true } });
  const purge = await purgePendingDeletions(listed.map((d) => d.key));
  log(`deleted ${purge.purged} objects${purge.failed ? `, ${purge.failed} still refused by storage` : ""}`);
  return report;
}

/**
 * A listing is a snapshot and can miss objects (eventual consistency, a page that
 * failed): before a photo is declared lost, each of its objects is looked up directly.
 */
async function confirmMissing<T extends { id: string; originalKey: string; thumbKey: string | null; largeKey: string | null }>(candidates: T[]): Promise<T[]> {
  const storage = getStorage();
  const confirmed: T[] = [];
  for (const photo of candidates) {
    const keys = [photo.originalKey, photo.thumbKey, photo.largeKey];
    const present = await Promise.all(keys.map((key) => (key ? storage.head(key).then(Boolean) : false)));
    if (present.includes(false)) confirmed.push(photo);
  }
  return confirmed;
}

/**
 * Several app instances may each run the sweeper; a lease row in the database lets
 * one of them at a time do it. (A lease rather than a session advisory lock: it
 * survives pooled connections and works the same on PGlite.)
 */
export async function withSweeperLease<T>(holder: string, ttlMs: number, work: () => Promise<T>): Promise<T | undefined> {
  const expiresAt = new Date(Date.now() + ttlMs);
  const taken = await db.$executeRaw`
    INSERT INTO "JobLease" ("name", "holder", "expiresAt") VALUES ('sweeper', ${holder}, ${expiresAt})
    ON CONFLICT ("name") DO UPDATE SET "holder" = EXCLUDED."holder", "expiresAt" = EXCLUDED."expiresAt"
    WHERE "JobLease"."expiresAt" < now() OR "JobLease"."holder" = EXCLUDED."holder"`;
  if (taken === 0) return undefined;
  try {
    return await work();
  } finally {
    await db.jobLease.deleteMany({ where: { name: "sweeper", holder } });
  }
}

const INSTANCE_ID = randomUUID();

/** Started once per app instance (instrumentation.ts). */
export function startPeriodicSweeper(intervalSeconds: number) {
  const run = async () => {
    try {
      const report = await withSweeperLease(INSTANCE_ID, 10 * 60 * 1000, () => sweep({ fix: true }));
      if (report && Object.values(report).some((n) => n > 0)) console.log("[sweeper]", JSON.stringify(report));
    } catch (error) {
      console.error("[sweeper] run failed:", error instanceof Error ? error.message : error);
    }
  };
  const timer = setInterval(run, intervalSeconds * 1000);
  timer.unref();
  setTimeout(run, 30_000).unref();
}
