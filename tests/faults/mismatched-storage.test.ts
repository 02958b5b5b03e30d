/**
 * A database and a bucket that do not belong together, as an operator can cause them:
 * the S3_* variables of the real bucket with DATABASE_URL forgotten (an empty database),
 * an older database backup restored, an empty bucket beside the real database. This file's
 * own world (embedded PostgreSQL with its data on disk, embedded S3) holds a bound library;
 * each case swaps one side under the running data layer — another server on the same
 * port — runs the sweeper as the periodic job does, brings the right side back and then
 * counts, before any repairing sweep: every photo intact, no orphan.
 */
import { cpSync, mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../scripts/embedded/postgres";
import { startEmbeddedS3, type EmbeddedS3 } from "../../scripts/embedded/s3";
import { migrate } from "../../scripts/embedded/stack";
import { runServerScript } from "../helpers/run-script";
import type { World } from "../security/support/world";
// Only types from the data layer here: it reads its configuration at import, which startFaultWorld points at this world first.
import { startFaultWorld, stopFaultWorld, type DataLayer } from "./support/fault-world";

let world: World;
let lib: DataLayer;
let owner: string;
let jpeg: Buffer;
/** What stands in for the real database or bucket during a case. */
let impostor: { pg?: EmbeddedPostgres; s3?: EmbeddedS3 } = {};

const PHOTOS_BEFORE = 3;
const MISMATCH = /Database and bucket do not belong together/;

beforeAll(async () => {
  ({ world, lib, owner, jpeg } = await startFaultWorld(
    // Always an embedded PGlite: the cases copy its data folder (a backup) and swap databases on one port.
    { name: "faults-mismatch", persistentDatabase: true, postgresServer: null },
    "mismatch",
  ));
  // First start of a fresh install: database and bucket are bound to each other.
  await lib.invariants.runSweeper();
  for (let i = 0; i < PHOTOS_BEFORE; i++) await uploadReady(`before-${i}.jpg`);
});

afterEach(async () => {
  // Whatever a case did, the real database and bucket are back for the next one.
  if (impostor.pg) {
    await impostor.pg.stop();
    await world.startPostgres();
  }
  if (impostor.s3) {
    await impostor.s3.stop();
    await world.startS3();
  }
  impostor = {};
});

afterAll(() => stopFaultWorld({ world, lib }));

async function uploadReady(name: string) {
  const photo = await lib.data.upload(owner, { name, type: "image/jpeg", body: jpeg });
  expect(photo.status).toBe("READY");
  return photo;
}

async function keysUnder(prefix: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of lib.storage.getStorage().list(prefix)) keys.push(object.key);
  return keys.sort();
}

/** The database's install identity ("none" where there is none, as the sweeper's message says). */
const databaseId = async () => (await lib.db.installation.findFirst())?.id ?? "none";

/** An empty, migrated database where the real one was (same URL): DATABASE_URL pointing elsewhere. */
async function swapInEmptyDatabase() {
  const port = world.pg.port;
  await world.stopPostgres();
  impostor.pg = await startEmbeddedPostgres({ dataDir: "memory://", port });
  await migrate(world.env);
}

async function bringBackRealDatabase() {
  await impostor.pg!.stop();
  impostor = {};
  await world.startPostgres();
}

/** An empty bucket where the real one was (same endpoint): the storage variables pointing elsewhere. */
async function swapInEmptyBucket() {
  const port = world.s3.port;
  await world.stopS3();
  const dir = path.join(world.dataDir, "empty-bucket");
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  impostor.s3 = await startEmbeddedS3({ dir, port, allowedOrigins: [world.appUrl] });
}

async function bringBackRealBucket() {
  await impostor.s3!.stop();
  impostor = {};
  await world.startS3();
}

describe("database and bucket that do not belong together", () => {
  // (Starting and migrating the stand-in database takes a while on a busy machine.)
  it("an empty database beside the real bucket: the sweeper refuses, names both sides, and deletes nothing", { timeout: 180_000 }, async () => {
    const realId = await databaseId();
    const objectsBefore = await keysUnder("users/");
    expect(objectsBefore).toHaveLength(PHOTOS_BEFORE * 3);

    await swapInEmptyDatabase();
    const refusal = lib.invariants.runSweeper(lib.invariants.afterAllGracePeriods());
    await expect(refusal).rejects.toThrow(MISMATCH);
    const message = await refusal.catch((error: Error) => error.message);
    expect(message).toContain("database installation: none");
    expect(message).toContain(`bucket installation:   ${realId}`);
    expect(message).toContain("The database holds no photos, but the bucket holds photos under users/.");
    expect(message).toContain("set it to the database this bucket belongs to");
    // Nothing was written to the wrong database either.
    expect(await lib.db.installation.count()).toBe(0);

    expect(await keysUnder("users/")).toEqual(objectsBefore);
    expect(await keysUnder("quarantine/")).toEqual([]);

    await bringBackRealDatabase();
    expect(await lib.invariants.expectNothingLost()).toBe(PHOTOS_BEFORE);
    await lib.invariants.expectNoOrphans();
  });

  it("an empty bucket beside the real database: no photo is marked FAILED, nothing is queued, the sweeper refuses loudly", async () => {
    const realId = await databaseId();
    await swapInEmptyBucket();

    const refusal = lib.invariants.runSweeper(lib.invariants.afterAllGracePeriods());
    await expect(refusal).rejects.toThrow(MISMATCH);
    const message = await refusal.catch((error: Error) => error.message);
    expect(message).toContain(`database installation: ${realId}`);
    expect(message).toContain("bucket installation:   none");
    expect(message).toContain(`The database holds ${PHOTOS_BEFORE} photos, but the bucket holds none.`);

    expect(await lib.db.photo.groupBy({ by: ["status"], _count: true })).toEqual([{ status: "READY", _count: PHOTOS_BEFORE }]);
    expect(await lib.db.pendingDeletion.count()).toBe(0);
    // Nor was the wrong bucket claimed for this database.
    expect(await keysUnder("")).toEqual([]);

    await bringBackRealBucket();
    expect(await lib.invariants.expectNothingLost()).toBe(PHOTOS_BEFORE);
    await lib.invariants.expectNoOrphans();
  });

  it(
    "an older database backup restored: the photos uploaded since are quarantined, not deleted, and storage:check --restore makes their rows again",
    async () => {
      const backupDir = path.join(world.dataDir, "db-backup");
      await world.stopPostgres();
      cpSync(path.join(world.dataDir, "db"), backupDir, { recursive: true });
      await world.startPostgres();

      const later = [await uploadReady("after-backup-1.jpg"), await uploadReady("after-backup-2.jpg")];
      const laterKeys = later.flatMap((p) => [p.originalKey, p.thumbKey!, p.largeKey!]).sort();

      // The restore: the database as it was at the backup, the bucket as it is.
      await world.stopPostgres();
      rmSync(path.join(world.dataDir, "db"), { recursive: true, force: true });
      cpSync(backupDir, path.join(world.dataDir, "db"), { recursive: true });
      await world.startPostgres();
      expect(await lib.db.photo.count()).toBe(PHOTOS_BEFORE);

      // The periodic sweeper's run: the objects with no row are moved aside, every one of them kept.
      const report = await lib.invariants.runSweeper(lib.invariants.afterAllGracePeriods());
      expect(report).toMatchObject({ orphanObjects: laterKeys.length, missingObjects: 0 });
      expect(report.halted).toBeUndefined();
      expect(await keysUnder("quarantine/")).toEqual(laterKeys.map((key) => `quarantine/${key}`).sort());
      expect(await keysUnder("users/")).toHaveLength(PHOTOS_BEFORE * 3);

      const restored = await runServerScript("scripts/storage-check.ts", ["--restore"], { ...process.env, ...world.env, SWEEPER_INTERVAL_SECONDS: "0" });
      expect(restored.code, restored.output).toBe(0);
      expect(restored.output).toMatch(/^\s+restored\s+6$/m);
      expect(restored.output).toMatch(/^\s+recreated\s+2$/m);

      const back = await lib.db.photo.findMany({ where: { id: { in: later.map((p) => p.id) } }, orderBy: { id: "asc" } });
      expect(back.map((p) => ({ id: p.id, ownerId: p.ownerId, status: p.status, displayName: p.displayName }))).toEqual(
        later
          .map((p) => ({ id: p.id, ownerId: owner, status: "READY", displayName: "Recovered photo" }))
          .sort((a, b) => a.id.localeCompare(b.id)),
      );
      expect(await keysUnder("quarantine/")).toEqual([]);
      expect(await lib.invariants.expectNothingLost()).toBe(PHOTOS_BEFORE + 2);
      await lib.invariants.expectNoOrphans();
    },
    240_000,
  );
});
