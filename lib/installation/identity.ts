import "server-only";
import { randomUUID } from "node:crypto";
import { db } from "@/lib/db";
import type { StorageDriver } from "@/lib/storage";
import { KEY_ROOT, parseKey } from "@/lib/photos/keys";

/**
 * The install identity binds one database to one bucket. The same id lives in the
 * database (table Installation) and in a marker object in the bucket, outside `users/`.
 * A database and a bucket that do not carry the same id do not belong together, and the
 * sweeper then changes nothing in either: an empty database beside a real bucket (DATABASE_URL
 * forgotten), a staging database on the production bucket, or the right database beside an
 * empty bucket would otherwise look like "every object is an orphan" or "every photo is gone".
 */
export const INSTALLATION_MARKER_KEY = "snapshelf/installation.json";

/** How many of the bucket's first objects are looked up in the database to tell whether the two hold the same photos. */
const OVERLAP_SAMPLE = 100;

export type InstallationCheck =
  | { ok: true; id: string; action: "matched" | "bound" | "adopted" | "would-bind" }
  | { ok: false; databaseId?: string; bucketId?: string; message: string };

export class InstallationMismatchError extends Error {
  constructor(readonly check: Extract<InstallationCheck, { ok: false }>) {
    super(check.message);
    this.name = "InstallationMismatchError";
  }
}

interface Facts {
  databaseId?: string;
  bucketId?: string;
  /** Any object under users/: the bucket holds (or held) photos. */
  bucketHasObjects: boolean;
  /** Rows whose bytes should be in storage (PROCESSING or READY, trashed included). */
  databasePhotos: number;
  /** At least one of the bucket's first objects belongs to a row of this database. */
  overlap: boolean;
}

/**
 * Compares the database's and the bucket's identity and, with `bind`, writes whichever half
 * is missing when the pair plainly belongs together:
 *
 * | database id | bucket marker | contents                                   | outcome |
 * |---|---|---|---|
 * | A | A | any                                                                | matched |
 * | A | B | any                                                                | mismatch |
 * | any | any (not both) | bucket has objects, some belong to this database's rows | bound: the missing half gets the other's id (or a new one) |
 * | any | any (not both) | bucket has objects, none belongs to a row here          | mismatch (wrong or empty database beside a real bucket) |
 * | any | none | bucket empty, database has photos                             | mismatch (empty or wrong bucket beside the real database) |
 * | none | B | bucket empty                                                    | mismatch (new database beside a bucket another one claimed) |
 * | A or none | none | both empty                                             | bound (fresh install) |
 *
 * Without `bind` nothing is written and a pair that would be bound answers "would-bind".
 * The row is written before the marker: a crash in between leaves a row and no marker,
 * which the next check completes by the same rules.
 */
export async function checkInstallation(storage: StorageDriver, options: { bind: boolean }): Promise<InstallationCheck> {
  const databaseId = await readDatabaseId();
  const bucketId = await readBucketId(storage);
  if (databaseId && bucketId) {
    if (databaseId === bucketId) return { ok: true, id: databaseId, action: "matched" };
    return mismatch({ databaseId, bucketId }, "The database and the bucket belong to different installations.", [
      "Point DATABASE_URL and the storage variables at a database and a bucket of the same installation.",
    ]);
  }

  const facts = await gatherFacts(storage, databaseId, bucketId);
  const problem = judge(facts);
  if (problem) return problem;

  const adopted = facts.bucketHasObjects;
  if (!options.bind) return { ok: true, id: databaseId ?? bucketId ?? "(new)", action: "would-bind" };
  const id = await writeDatabaseId(databaseId ?? bucketId ?? randomUUID());
  if (bucketId !== id) await writeMarker(storage, id);
  return { ok: true, id, action: adopted ? "adopted" : "bound" };
}

/** Like checkInstallation with `bind`, but a mismatch throws (with the message to show). */
export async function requireMatchingInstallation(storage: StorageDriver): Promise<string> {
  const check = await checkInstallation(storage, { bind: true });
  if (!check.ok) throw new InstallationMismatchError(check);
  return check.id;
}

function judge(facts: Facts): InstallationCheck | undefined {
  const { databaseId, bucketId } = facts;
  if (facts.bucketHasObjects && !facts.overlap) {
    const database = facts.databasePhotos === 0 ? "The database holds no photos" : `None of the bucket's photos has a row in this database (it holds ${facts.databasePhotos} others)`;
    return mismatch({ databaseId, bucketId }, `${database}, but the bucket holds photos under ${KEY_ROOT}.`, [
      "If DATABASE_URL is missing or names another database, set it to the database this bucket belongs to.",
      "If an older backup was restored, restore the newest one or bring this database back.",
    ]);
  }
  if (!facts.bucketHasObjects && facts.databasePhotos > 0) {
    return mismatch({ databaseId, bucketId }, `The database holds ${facts.databasePhotos} photos, but the bucket holds none.`, [
      "Set the storage variables (S3_* or AZURE_*, STORAGE_DRIVER) to the bucket this database's photos are in.",
    ]);
  }
  if (!facts.bucketHasObjects && bucketId && !databaseId) {
    return mismatch({ databaseId, bucketId }, "This database is new, but the bucket was already bound to another installation.", [
      "Set DATABASE_URL to the database of that installation.",
      `If this bucket really is meant for the new database, delete ${INSTALLATION_MARKER_KEY} from it and start again.`,
    ]);
  }
  return undefined;
}

function mismatch(ids: { databaseId?: string; bucketId?: string }, problem: string, advice: string[]): Extract<InstallationCheck, { ok: false }> {
  const message = [
    "Database and bucket do not belong together; the sweeper will not change either until they do.",
    `  database installation: ${ids.databaseId ?? "none"}`,
    `  bucket installation:   ${ids.bucketId ?? "none"} (${INSTALLATION_MARKER_KEY})`,
    `  ${problem}`,
    ...advice.map((line) => `  - ${line}`),
  ].join("\n");
  return { ok: false, ...ids, message };
}

async function readDatabaseId(): Promise<string | undefined> {
  // Two instances binding a fresh install at once may each insert a row; the oldest one counts for everybody.
  const row = await db.installation.findFirst({ orderBy: [{ createdAt: "asc" }, { id: "asc" }] });
  return row?.id;
}

async function writeDatabaseId(id: string): Promise<string> {
  await db.installation.createMany({ data: [{ id }], skipDuplicates: true });
  return (await readDatabaseId())!;
}

async function readBucketId(storage: StorageDriver): Promise<string | undefined> {
  if (!(await storage.head(INSTALLATION_MARKER_KEY))) return undefined;
  const text = (await storage.getBytes(INSTALLATION_MARKER_KEY)).toString("utf8");
  try {
    const { installationId } = JSON.parse(text) as { installationId?: unknown };
    if (typeof installationId === "string" && installationId) return installationId;
  } catch {
    // Reported below with the object's name.
  }
  throw new Error(`${INSTALLATION_MARKER_KEY} in the bucket is not a Snapshelf installation marker; move it away and start again.`);
}

async function writeMarker(storage: StorageDriver, id: string) {
  const marker = {
    installationId: id,
    writtenAt: new Date().toISOString(),
    note: "Binds this bucket to one Snapshelf database (table Installation). Keep it; do not copy it to another bucket.",
  };
  await storage.put(INSTALLATION_MARKER_KEY, Buffer.from(`${JSON.stringify(marker, null, 2)}\n`), { contentType: "application/json" });
}

async function gatherFacts(storage: StorageDriver, databaseId: string | undefined, bucketId: string | undefined): Promise<Facts> {
  const sample: { ownerId: string; photoId: string }[] = [];
  let bucketHasObjects = false;
  for await (const object of storage.list(KEY_ROOT)) {
    bucketHasObjects = true;
    const parsed = parseKey(object.key);
    if (parsed) sample.push(parsed);
    if (sample.length >= OVERLAP_SAMPLE) break;
  }
  const databasePhotos = await db.photo.count({ where: { status: { in: ["PROCESSING", "READY"] } } });
  const rows = sample.length
    ? await db.photo.findMany({ where: { id: { in: sample.map((s) => s.photoId) } }, select: { id: true, ownerId: true } })
    : [];
  const owners = new Map(rows.map((r) => [r.id, r.ownerId]));
  const overlap = sample.some((s) => owners.get(s.photoId) === s.ownerId);
  return { databaseId, bucketId, bucketHasObjects, databasePhotos, overlap };
}
