/**
 * The sweeper against the real database and the configured embedded storage (s3rver,
 * or Azurite with EMBEDDED_STORAGE=azurite): every kind of disagreement is made on
 * purpose through the real upload path or straight in storage, then found, repaired,
 * and found again no more. `now` looks a day ahead instead of waiting for grace periods.
 */
import { randomBytes, randomUUID } from "node:crypto";
// Before anything that imports @/lib/db: counts the row pages the sweeper reads.
import { captureQueries } from "./capture-queries";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { originalKey, uploadKey, variantKey } from "@/lib/photos/keys";
import { processPhoto } from "@/lib/photos/processing";
import { moveToTrash } from "@/lib/photos/trash";
import { completeUpload, createUploads, type UploadPlan } from "@/lib/photos/uploads";
import { getStorage, type SignedRequest } from "@/lib/storage";
import { removalLimit, sweep, withSweeperLease, type SweepReport } from "@/lib/sweeper";
import { findInconsistencies } from "@/lib/sweeper/find";
import { QUARANTINE_ROOT, quarantineKey } from "@/lib/sweeper/quarantine";
import { restoreQuarantine } from "@/lib/sweeper/restore";
import { removeExpiredUpload } from "@/lib/sweeper/repair";
import { createUser, removeSeededUsers } from "../helpers/seed";
import { runServerScript } from "../helpers/run-script";

const DAY_MS = 24 * 60 * 60 * 1000;
const ZERO: SweepReport = { expiredPending: 0, staleProcessing: 0, pendingDeletions: 0, staleMultipart: 0, orphanObjects: 0, missingObjects: 0 };

const storage = getStorage();
let jpeg: Buffer;

function send(request: SignedRequest, body: Buffer) {
  return fetch(request.url, { method: request.method, headers: request.headers, body: new Uint8Array(body) });
}

async function plan(ownerId: string, name: string): Promise<Extract<UploadPlan, { ok: true; mode: "single" }>> {
  const [result] = await createUploads(ownerId, [{ name, type: "image/jpeg", size: jpeg.length }]);
  if (!result?.ok || result.mode !== "single") throw new Error(`no single-PUT plan: ${JSON.stringify(result)}`);
  return result;
}

/** Presign and PUT, as the browser does: a PENDING row with its bytes in storage. */
async function putOnly(ownerId: string, name: string): Promise<string> {
  const { photoId, request } = await plan(ownerId, name);
  const response = await send(request, jpeg);
  expect(response.ok, await response.text()).toBe(true);
  return photoId;
}

async function readyPhoto(ownerId: string, name: string) {
  const photoId = await putOnly(ownerId, name);
  expect((await completeUpload(ownerId, photoId)).status).toBe("PROCESSING");
  await processPhoto(photoId);
  return db.photo.findUniqueOrThrow({ where: { id: photoId } });
}

const exists = async (key: string) => (await storage.head(key)) !== undefined;

/** A multipart upload with one part in storage and no row that knows it (its row was lost). */
async function strandedMultipart(ownerId: string) {
  const key = originalKey(ownerId, randomUUID());
  const uploadId = await storage.createMultipart(key, { contentType: "image/jpeg" });
  const part = randomBytes(64 * 1024);
  const request = await storage.presignPart(key, uploadId, 1, { contentLength: part.length, expiresInSeconds: 300 });
  const response = await send(request, part);
  expect(response.ok, await response.text()).toBe(true);
  expect(await storage.listParts(key, uploadId)).toHaveLength(1);
  return { key, uploadId };
}

/** Runs the real CLI in a child process with this worker's DATABASE_URL and storage settings. */
function storageCheck(...args: string[]): Promise<{ code: number | null; output: string }> {
  // = `npm run storage:check`
  return runServerScript("scripts/storage-check.ts", args, { ...process.env, SWEEPER_INTERVAL_SECONDS: "0" });
}

/** The counts table the CLI prints ("  expiredPending     2"). */
function countsIn(output: string): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const match of output.matchAll(/^\s+(\w+)\s+(\d+)$/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

beforeAll(async () => {
  jpeg = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3a7" } }).jpeg().toBuffer();
  // The database and bucket are shared with the other suites: start from agreement,
  // so the counts below are exactly what this file made.
  // (Forced past the brake: whatever other suites left may be more than a run's share; it goes to quarantine.)
  await sweep({ fix: true, force: true, now: new Date(Date.now() + DAY_MS) });
  // Earlier files' leftovers in the run's shared bucket just went to quarantine: clear it, so what
  // these tests quarantine and restore is exactly what they made.
  for await (const object of storage.list(QUARANTINE_ROOT)) await storage.delete(object.key);
  expect(await sweep({ fix: false, now: new Date(Date.now() + DAY_MS) })).toEqual(ZERO);
});

afterAll(async () => {
  await removeSeededUsers();
});

describe("sweep", () => {
  it("reports each kind of disagreement exactly once, repairs all but a lost original (kept READY, reported), and then reports only that", async () => {
    const owner = await createUser("sweeper");
    const ownerId = owner.id;

    // A PENDING row whose browser never sent the bytes.
    const { photoId: neverSent } = await plan(ownerId, "never-sent.jpg");
    // Bytes sent, complete never called.
    const notCompleted = await putOnly(ownerId, "not-completed.jpg");
    // Verified, but the process died before processing it.
    const stuck = await putOnly(ownerId, "stuck.jpg");
    expect((await completeUpload(ownerId, stuck)).status).toBe("PROCESSING");
    // An object no row knows about (e.g. a PUT that landed after its upload was cancelled).
    const orphanKey = originalKey(ownerId, randomUUID());
    await storage.put(orphanKey, jpeg, { contentType: "image/jpeg" });
    // A deletion storage refused earlier, still queued (its object is still there).
    const queuedKey = originalKey(ownerId, randomUUID());
    await storage.put(queuedKey, jpeg, { contentType: "image/jpeg" });
    await db.pendingDeletion.create({ data: { key: queuedKey, attempts: 1, lastError: "storage unavailable" } });
    // READY photos that lost objects: one everything, one only its variants.
    const lost = await readyPhoto(ownerId, "lost.jpg");
    for (const key of [lost.originalKey, lost.thumbKey!, lost.largeKey!]) await storage.delete(key);
    const variantsLost = await readyPhoto(ownerId, "variants-lost.jpg");
    for (const key of [variantsLost.thumbKey!, variantsLost.largeKey!]) await storage.delete(key);
    // A multipart upload with a part, abandoned.
    const stranded = await strandedMultipart(ownerId);

    // Right now, only what cannot be in flight counts: uploads, new objects and
    // processing all get their grace period.
    expect(await sweep({ fix: false })).toEqual({ ...ZERO, pendingDeletions: 1, missingObjects: 2 });

    const now = new Date(Date.now() + DAY_MS);
    const expected: SweepReport = { expiredPending: 2, staleProcessing: 1, pendingDeletions: 1, staleMultipart: 1, orphanObjects: 1, missingObjects: 2 };
    expect(await sweep({ fix: false, now })).toEqual(expected);
    // A dry run changes nothing.
    expect(await sweep({ fix: false, now })).toEqual(expected);

    const log: string[] = [];
    expect(await sweep({ fix: true, now, log: (line) => log.push(line) })).toEqual(expected);
    expect(log.join("\n")).toMatch(/deleted \d+ objects/);

    // The photo whose original is gone stays READY and stays reported: never turned FAILED.
    expect(await sweep({ fix: false, now })).toEqual({ ...ZERO, missingObjects: 1 });

    // And what each repair did:
    expect(await db.photo.count({ where: { id: { in: [neverSent, notCompleted] } } })).toBe(0);
    expect(await exists(uploadKey(ownerId, notCompleted))).toBe(false);
    // The orphan went to quarantine, not away.
    expect(await exists(orphanKey)).toBe(false);
    expect(await exists(quarantineKey(orphanKey))).toBe(true);
    expect(await exists(queuedKey)).toBe(false);
    expect(await db.pendingDeletion.count()).toBe(0);
    await expect(storage.listParts(stranded.key, stranded.uploadId)).rejects.toThrow();
    expect(await storage.listStaleMultipart("users/", new Date(now))).toEqual([]);

    const stuckAfter = await db.photo.findUniqueOrThrow({ where: { id: stuck } });
    expect(stuckAfter.status).toBe("READY");
    expect(await exists(variantKey(ownerId, stuck, "thumb"))).toBe(true);

    expect(await db.photo.findUniqueOrThrow({ where: { id: lost.id } })).toMatchObject({ status: "READY", failureReason: null });
    expect(log.join("\n")).toContain(`photo ${lost.id}: original missing from storage; the photo is kept`);
    // Its original comes back (a bucket restored from backup): the next run makes the variants again.
    await storage.put(lost.originalKey, jpeg, { contentType: "image/jpeg" });
    await sweep({ fix: true, now });
    expect(await sweep({ fix: false, now })).toEqual(ZERO);
    expect(await db.photo.findUniqueOrThrow({ where: { id: lost.id } })).toMatchObject({ status: "READY" });
    await storage.delete(quarantineKey(orphanKey));

    // Nothing lost: the variants were made again from the original that was still there.
    const variantsAfter = await db.photo.findUniqueOrThrow({ where: { id: variantsLost.id } });
    expect(variantsAfter.status).toBe("READY");
    for (const key of [variantsAfter.originalKey, variantsAfter.thumbKey!, variantsAfter.largeKey!]) expect(await exists(key)).toBe(true);
  });

  it("leaves an upload alone that completes between finding it expired and repairing it", async () => {
    const owner = await createUser("sweeper-race");
    const late = await putOnly(owner.id, "late.jpg");
    const now = new Date(Date.now() + DAY_MS);
    const found = await findInconsistencies(storage, now);
    const candidate = found.expiredPending.find((p) => p.id === late);
    expect(candidate).toBeDefined();

    // The browser completes after the listing: the row is no longer PENDING when the repair runs.
    expect((await completeUpload(owner.id, late)).status).toBe("PROCESSING");
    await processPhoto(late);
    expect(await removeExpiredUpload(storage, candidate!, now)).toBe(false);

    const photo = await db.photo.findUniqueOrThrow({ where: { id: late } });
    expect(photo.status).toBe("READY");
    expect(await exists(photo.originalKey)).toBe(true);
    expect(await db.pendingDeletion.count()).toBe(0);
    expect(await sweep({ fix: false, now })).toEqual(ZERO);
  });
});

describe("withSweeperLease", () => {
  it("lets exactly one of two concurrent holders run, and frees the lease afterwards", async () => {
    let running = 0;
    let ran: string[] = [];
    const work = (holder: string) => async () => {
      running++;
      expect(running).toBe(1);
      ran.push(holder);
      await new Promise((resolve) => setTimeout(resolve, 300));
      running--;
      return holder;
    };
    const results = await Promise.all([withSweeperLease("instance-a", 60_000, work("a")), withSweeperLease("instance-b", 60_000, work("b"))]);
    expect(ran).toHaveLength(1);
    expect(results.filter((r) => r !== undefined)).toEqual(ran);

    // Released on the way out: the next one gets it.
    ran = [];
    expect(await withSweeperLease("instance-b", 60_000, work("b"))).toBe("b");
  });

  it("refuses a second run of the same holder while the first is still going", async () => {
    const inner = await withSweeperLease("instance-a", 60_000, () => withSweeperLease("instance-a", 60_000, async () => "nested"));
    expect(inner).toBeUndefined();
  });

  it("is released when the work throws, and taken over once a dead holder's lease expires", async () => {
    await expect(withSweeperLease("instance-a", 60_000, async () => Promise.reject(new Error("boom")))).rejects.toThrow("boom");
    expect(await withSweeperLease("instance-b", 60_000, async () => "b")).toBe("b");

    // A holder that died keeps its lease until it expires (written with the database's clock, in UTC).
    await db.$executeRaw`INSERT INTO "JobLease" ("name", "holder", "expiresAt")
      VALUES ('sweeper', 'dead', (now() AT TIME ZONE 'UTC') + interval '1 minute')`;
    expect(await withSweeperLease("instance-b", 60_000, async () => "b")).toBeUndefined();
    await db.$executeRaw`UPDATE "JobLease" SET "expiresAt" = (now() AT TIME ZONE 'UTC') - interval '1 second' WHERE "name" = 'sweeper'`;
    expect(await withSweeperLease("instance-b", 60_000, async () => "b")).toBe("b");
    expect(await db.jobLease.count()).toBe(0);
  });
});

describe("npm run storage:check", () => {
  // Three runs of the CLI, each a process of its own that loads the data layer: slow on a busy machine.
  it("prints the counts, repairs with --fix, and then finds storage and database in agreement", { timeout: 180_000 }, async () => {
    const owner = await createUser("storage-check");
    const ownerId = owner.id;
    const hourAgo = new Date(Date.now() - 60 * 60 * 1000);

    // The CLI judges ages by the real clock, so these are made old in the database.
    const { photoId: expired } = await plan(ownerId, "expired.jpg");
    await db.photo.update({ where: { id: expired }, data: { uploadExpiresAt: hourAgo } });
    const stuck = await putOnly(ownerId, "stuck.jpg");
    expect((await completeUpload(ownerId, stuck)).status).toBe("PROCESSING");
    await db.$executeRaw`UPDATE "Photo" SET "updatedAt" = ${hourAgo} WHERE "id" = ${stuck}`;
    const lost = await readyPhoto(ownerId, "lost.jpg");
    await storage.delete(lost.originalKey);
    const queuedKey = originalKey(ownerId, randomUUID());
    await db.pendingDeletion.create({ data: { key: queuedKey } });
    // Brand new and rowless: could be a PUT racing its row, so it is left alone for now.
    const youngOrphan = originalKey(ownerId, randomUUID());
    await storage.put(youngOrphan, jpeg, { contentType: "image/jpeg" });

    const expected: SweepReport = { ...ZERO, expiredPending: 1, staleProcessing: 1, pendingDeletions: 1, missingObjects: 1 };
    const dry = await storageCheck();
    expect(dry.code, dry.output).toBe(0);
    expect(dry.output).toContain("dry run");
    expect(countsIn(dry.output)).toEqual(expected);
    expect(dry.output).toContain("4 issues.");

    const fixed = await storageCheck("--fix");
    expect(fixed.code, fixed.output).toBe(0);
    expect(countsIn(fixed.output)).toEqual(expected);
    expect(fixed.output).toContain("4 issues repaired.");

    // The photo that lost its original is kept READY and still reported.
    expect(await sweep({ fix: false })).toEqual({ ...ZERO, missingObjects: 1 });

    expect(await db.photo.findUnique({ where: { id: expired } })).toBeNull();
    expect((await db.photo.findUniqueOrThrow({ where: { id: stuck } })).status).toBe("READY");
    expect((await db.photo.findUniqueOrThrow({ where: { id: lost.id } })).status).toBe("READY");
    await storage.put(lost.originalKey, jpeg, { contentType: "image/jpeg" });
    const clean = await storageCheck();
    expect(countsIn(clean.output)).toEqual(ZERO);
    expect(clean.output).toContain("Storage and database agree.");
    expect(await exists(youngOrphan)).toBe(true);
    await storage.delete(youngOrphan);
  });
});

describe("brakes, quarantine and bounded memory", () => {
  it("stops instead of acting when a run would quarantine more than its share; forced, it moves them to quarantine; restore brings them back", async () => {
    // Originals of an owner the database does not know (as if their rows were lost): more than the floor.
    const strangerId = randomUUID();
    const keys = Array.from({ length: 30 }, () => originalKey(strangerId, randomUUID()));
    for (const key of keys) await storage.put(key, jpeg, { contentType: "image/jpeg" });
    const now = new Date(Date.now() + DAY_MS);
    expect(removalLimit(30, 5)).toBe(25);

    const braked = await sweep({ fix: true, now });
    expect(braked).toMatchObject({ orphanObjects: 30 });
    expect(braked.halted).toMatch(/^30 of \d+ objects under users\/ have no photo row.*Nothing was changed/);
    for (const key of keys) expect(await exists(key)).toBe(true);

    // (The CLI judges ages by the real clock, which these new objects are too young for: forced in-process.)
    const forcedLog: string[] = [];
    const forced = await sweep({ fix: true, force: true, now, log: (line) => forcedLog.push(line) });
    expect(forced).toMatchObject({ orphanObjects: 30 });
    expect(forced.halted).toBeUndefined();
    expect(forcedLog).toContain("moved 30 objects with no photo to quarantine/ (restore: npm run storage:check -- --restore)");
    for (const key of keys) {
      expect(await exists(key)).toBe(false);
      expect(await exists(quarantineKey(key))).toBe(true);
    }

    // Back at their keys; with no owner in the database no row is made, so they are orphans again.
    // (The CLI's --restore runs in the fault suite's restored-backup case.)
    expect(await restoreQuarantine(storage)).toEqual({ restored: 30, recreated: 0, keptKeyTaken: 0, unowned: 30 });
    for (const key of keys) {
      expect(await exists(key)).toBe(true);
      expect(await exists(quarantineKey(key))).toBe(false);
    }
    for (const key of keys) await storage.delete(key);
  });

  it("deletes quarantined objects only after QUARANTINE_RETENTION_DAYS", async () => {
    const key = quarantineKey(originalKey(randomUUID(), randomUUID()));
    await storage.put(key, jpeg, { contentType: "image/jpeg" });
    await sweep({ fix: true, now: new Date(Date.now() + 29 * DAY_MS) });
    expect(await exists(key)).toBe(true);
    await sweep({ fix: true, now: new Date(Date.now() + 31 * DAY_MS) });
    expect(await exists(key)).toBe(false);
  });

  it("purges FAILED rows after FAILED_RETENTION_DAYS", async () => {
    const owner = await createUser("sweeper-failed");
    const { photoId } = await plan(owner.id, "failed.jpg");
    await db.photo.update({ where: { id: photoId }, data: { status: "FAILED", failureReason: "broken" } });
    await sweep({ fix: true, now: new Date(Date.now() + 29 * DAY_MS) });
    expect(await db.photo.count({ where: { id: photoId } })).toBe(1);
    await sweep({ fix: true, now: new Date(Date.now() + 31 * DAY_MS) });
    expect(await db.photo.count({ where: { id: photoId } })).toBe(0);
  });

  it("deletes a photo for good, objects and all, once it has been in Trash for TRASH_RETENTION_DAYS", async () => {
    const owner = await createUser("sweeper-trash");
    const photo = await readyPhoto(owner.id, "trashed.jpg");
    await moveToTrash(owner.id, [photo.id]);
    await sweep({ fix: true, now: new Date(Date.now() + 29 * DAY_MS) });
    expect(await db.photo.count({ where: { id: photo.id } })).toBe(1);
    expect(await exists(photo.originalKey)).toBe(true);
    await sweep({ fix: true, now: new Date(Date.now() + 31 * DAY_MS) });
    expect(await db.photo.count({ where: { id: photo.id } })).toBe(0);
    for (const key of [photo.originalKey, photo.thumbKey!, photo.largeKey!]) expect(await exists(key)).toBe(false);
  });

  it("walks rows page by page: a page size of 2 crosses many pages and finds exactly what one big page finds", async () => {
    const owner = await createUser("sweeper-pages");
    const photos = [];
    for (let i = 0; i < 5; i++) photos.push(await readyPhoto(owner.id, `page-${i}.jpg`));
    // A READY photo without its large variant, an object of a FAILED row, and a stray object.
    await storage.delete(photos[1]!.largeKey!);
    await db.photo.update({ where: { id: photos[3]!.id }, data: { status: "FAILED" } });
    const stray = `users/${owner.id}/not-a-photo-key`;
    await storage.put(stray, jpeg, { contentType: "image/jpeg" });
    const now = new Date(Date.now() + DAY_MS);

    const whole = await findInconsistencies(storage, now);
    const { result: paged, queries } = await captureQueries(() => findInconsistencies(storage, now, { pageSize: 2 }));
    const rowPages = queries.filter((q) => q.sql.includes("USING ~<~"));
    const rows = await db.photo.count();
    expect(rowPages).toHaveLength(Math.floor(rows / 2) + 1);
    for (const page of rowPages) expect(page.sql).toMatch(/LIMIT \$2/);

    expect(paged.counts).toEqual(whole.counts);
    expect(paged.counts).toMatchObject({ orphanObjects: 4, missingObjects: 1 });
    expect(paged.orphanObjects.sort()).toEqual(
      [photos[3]!.originalKey, photos[3]!.thumbKey!, photos[3]!.largeKey!, stray].sort(),
    );
    expect(paged.missingObjects.map((p) => p.id)).toEqual([photos[1]!.id]);

    await sweep({ fix: true, now, pageSize: 2 });
    expect(await sweep({ fix: false, now, pageSize: 2 })).toEqual(ZERO);
    for await (const object of storage.list(`${QUARANTINE_ROOT}users/${owner.id}/`)) await storage.delete(object.key);
    await db.photo.delete({ where: { id: photos[3]!.id } });
  });
});
