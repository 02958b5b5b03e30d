/**
 * scripts/db/migrate.ts against real databases, run as a child process exactly
 * as `npm run db:migrate` runs it:
 * - PostgreSQL: a fresh database on the server at MIGRATION_TEST_PG_URL (an
 *   admin URL, e.g. postgresql://postgres@127.0.0.1:5432/postgres). When that is
 *   set, an unreachable server fails the suite; when unset, this part is skipped.
 * - the embedded PGlite (scripts/embedded/postgres.ts), always.
 * Records must match what `prisma migrate deploy` writes: one row per
 * migration, checksum = sha256 of migration.sql.
 */
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "@/scripts/embedded/postgres";
import { freePort } from "@/scripts/ports";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const ADMIN_URL = process.env.MIGRATION_TEST_PG_URL || undefined;
const SLOW = 90_000;

if (!ADMIN_URL) {
  console.warn("migrations.test: MIGRATION_TEST_PG_URL is not set, so only the embedded PGlite is tested (set it to an admin URL such as postgresql://postgres@127.0.0.1:5432/postgres to test PostgreSQL too)");
}

// --- helpers ---------------------------------------------------------------

interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

/** Runs the migration CLI in its own process. Asynchronously: PGlite lives in this process and must keep answering. */
function migrate(args: string[], env: Record<string, string | undefined> = {}): Promise<RunResult> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.DATABASE_URL; // the global setup's database is not ours to touch
  for (const [k, v] of Object.entries(env)) if (v !== undefined) childEnv[k] = v;
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/db/migrate.ts", ...args], { cwd: ROOT, env: childEnv });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr, ms: Math.round(performance.now() - started) }));
  });
}

interface LocalMigration {
  name: string;
  checksum: string;
  tables: string[];
}

async function localMigrations(migrationsDir: string): Promise<LocalMigration[]> {
  const entries = await readdir(migrationsDir, { withFileTypes: true });
  const names = entries.filter((e) => e.isDirectory()).map((e) => e.name).sort();
  return Promise.all(
    names.map(async (name) => {
      const sql = await readFile(path.join(migrationsDir, name, "migration.sql"));
      const tables = [...sql.toString().matchAll(/CREATE TABLE "([^"]+)"/g)].map((m) => m[1]!);
      return { name, checksum: createHash("sha256").update(sql).digest("hex"), tables };
    }),
  );
}

async function withClient<T>(url: string, run: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await run(client);
  } finally {
    await client.end();
  }
}

interface MigrationRow {
  id: string;
  migration_name: string;
  checksum: string;
  finished_at: Date | null;
  rolled_back_at: Date | null;
  logs: string | null;
  applied_steps_count: number;
}

/** Every local migration applied once, recorded like Prisma records it, and its tables present. */
async function expectDeployed(url: string, migrationsDir: string): Promise<MigrationRow[]> {
  const local = await localMigrations(migrationsDir);
  return withClient(url, async (client) => {
    const { rows: tables } = await client.query<{ table_name: string }>(
      "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'",
    );
    const present = new Set(tables.map((t) => t.table_name));
    for (const m of local) for (const t of m.tables) expect(present, `table ${t} of ${m.name}`).toContain(t);

    const { rows } = await client.query<MigrationRow>("SELECT * FROM _prisma_migrations ORDER BY migration_name");
    expect(rows.map((r) => [r.migration_name, r.checksum, r.finished_at !== null, r.rolled_back_at, r.logs, r.applied_steps_count])).toEqual(
      local.map((m) => [m.name, m.checksum, true, null, null, 1]),
    );
    return rows;
  });
}

interface Target {
  url: string;
  close(): Promise<void>;
}

/** A uniquely named database on the admin URL's server, dropped on close. */
async function freshPostgresDatabase(adminUrl: string): Promise<Target> {
  const name = `snapshelf_migtest_${randomBytes(6).toString("hex")}`;
  await withClient(adminUrl, (c) => c.query(`CREATE DATABASE "${name}"`)).catch((error: Error) => {
    throw new Error(`MIGRATION_TEST_PG_URL is set, but no test database can be created there: ${error.message}`);
  });
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    close: () => withClient(adminUrl, (c) => c.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`)).then(() => {}),
  };
}

async function tempDir(label: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `snapshelf-${label}-`));
}

// --- deploy ------------------------------------------------------------------

function deploySuite(open: () => Promise<Target>) {
  const migrationsDir = path.join(ROOT, "prisma", "migrations");
  let db: Target;
  let firstRun: MigrationRow[] = [];

  beforeAll(async () => {
    db = await open();
  }, SLOW);
  afterAll(async () => {
    await db?.close();
  }, SLOW);

  it("applies every migration and records it as prisma migrate deploy does", async () => {
    const run = await migrate(["deploy"], { DATABASE_URL: db.url });
    console.log(`deploy on a fresh database: ${run.ms} ms (process), script says: ${run.stdout.trim().split("\n").pop()}`);
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const local = await localMigrations(migrationsDir);
    expect(local.length).toBeGreaterThan(0);
    for (const m of local) expect(run.stdout).toContain(`applied ${m.name}`);
    firstRun = await expectDeployed(db.url, migrationsDir);
  }, SLOW);

  it("does nothing the second time", async () => {
    const run = await migrate(["deploy"], { DATABASE_URL: db.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("No pending migrations");
    expect(run.stdout).not.toMatch(/applied \d/);
    expect(await expectDeployed(db.url, migrationsDir)).toEqual(firstRun);
  }, SLOW);

  it("reports the database as up to date", async () => {
    const run = await migrate(["status"], { DATABASE_URL: db.url });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain("Database is up to date");
  }, SLOW);
}

describe.skipIf(!ADMIN_URL)("migrate deploy on PostgreSQL (MIGRATION_TEST_PG_URL)", () => {
  deploySuite(() => freshPostgresDatabase(ADMIN_URL!));
});

describe("migrate deploy on the embedded PGlite", () => {
  let dir = "";
  let server: EmbeddedPostgres | undefined;
  const dataDir = () => path.join(dir, "db");

  // The suite's database, then (below) the same data directory reopened.
  deploySuite(async () => {
    dir = await tempDir("pglite");
    const started = performance.now();
    server = await startEmbeddedPostgres({ dataDir: dataDir(), port: 0 });
    console.log(`PGlite with a new data directory ready in ${Math.round(performance.now() - started)} ms`);
    return {
      url: server.url,
      close: async () => {
        await server?.stop();
        await rm(dir, { recursive: true, force: true });
      },
    };
  });

  it("refuses a second server on the same data directory", async () => {
    await expect(startEmbeddedPostgres({ dataDir: dataDir(), port: 0 })).rejects.toThrow(/already in use by process/);
  });

  it("keeps the migrations after a restart on the same data directory", async () => {
    await server!.stop();
    server = await startEmbeddedPostgres({ dataDir: dataDir(), port: 0 });
    const run = await migrate(["status"], { DATABASE_URL: server.url });
    expect(run.code, run.stdout + run.stderr).toBe(0);
    await expectDeployed(server.url, path.join(ROOT, "prisma", "migrations"));
  }, SLOW);
});

describe("migrate deploy without a database", () => {
  it("fails with one line naming the address, never the password", async () => {
    const port = await freePort(); // nothing listens there
    const run = await migrate(["deploy"], { DATABASE_URL: `postgresql://app:s3cr3t-pw@127.0.0.1:${port}/snapshelf` });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe("");
    expect(run.stderr).toBe(`error: cannot reach database at 127.0.0.1:${port} (ECONNREFUSED)\n`);
  }, SLOW);
});


// --- create --------------------------------------------------------------------

describe("migrate create", () => {
  let prismaDir = "";
  let schemaPath = "";

  beforeAll(async () => {
    prismaDir = path.join(await tempDir("create"), "prisma");
    await cp(path.join(ROOT, "prisma"), prismaDir, { recursive: true });
    schemaPath = path.join(prismaDir, "schema.prisma");
  });
  afterAll(async () => {
    await rm(path.dirname(prismaDir), { recursive: true, force: true });
  });

  it("writes nothing when the schema matches the migrations", async () => {
    const before = await readdir(path.join(prismaDir, "migrations"));
    const run = await migrate(["create", "--name", "nothing", "--schema", schemaPath]);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain("No schema changes");
    expect(await readdir(path.join(prismaDir, "migrations"))).toEqual(before);
  }, SLOW);

  it("writes a migration for a new column, without DATABASE_URL, that deploys to PGlite and PostgreSQL", async () => {
    // A column on the first model, whatever the schema holds by then.
    const schema = await readFile(schemaPath, "utf8");
    const edited = schema.replace(/^model \w+ \{\n/m, (head) => `${head}  migrationTestNote String? @default("it's; a $$ test")\n`);
    expect(edited).not.toBe(schema);
    await writeFile(schemaPath, edited);
    await rm(path.join(prismaDir, "migrations", "migration_lock.toml"));

    const run = await migrate(["create", "--name", "Add test note", "--schema", schemaPath]);
    console.log(`create (one new column): ${run.ms} ms`);
    expect(run.code, run.stderr).toBe(0);
    const created = (await readdir(path.join(prismaDir, "migrations"))).filter((d) => d.endsWith("_add_test_note"));
    expect(created).toHaveLength(1);
    expect(created[0]).toMatch(/^\d{14}_add_test_note$/);
    const sql = await readFile(path.join(prismaDir, "migrations", created[0]!, "migration.sql"), "utf8");
    expect(sql).toMatch(/ADD COLUMN\s+"migrationTestNote" TEXT DEFAULT 'it''s; a \$\$ test';/);
    expect(await readFile(path.join(prismaDir, "migrations", "migration_lock.toml"), "utf8")).toContain('provider = "postgresql"');

    const targets: Target[] = [];
    const pglite = await startEmbeddedPostgres({ dataDir: "memory://", port: 0 });
    targets.push({ url: pglite.url, close: pglite.stop });
    if (ADMIN_URL) targets.push(await freshPostgresDatabase(ADMIN_URL));
    try {
      for (const target of targets) {
        const deploy = await migrate(["deploy", "--schema", schemaPath], { DATABASE_URL: target.url });
        expect(deploy.code, deploy.stderr).toBe(0);
        await expectDeployed(target.url, path.join(prismaDir, "migrations"));
        const { rows } = await withClient(target.url, (c) =>
          c.query("SELECT column_default FROM information_schema.columns WHERE column_name = 'migrationTestNote'"),
        );
        expect(rows).toEqual([{ column_default: "'it''s; a $$ test'::text" }]);
      }
    } finally {
      for (const target of targets) await target.close();
    }
  }, SLOW);
});

// --- the embedded server's several connections ----------------------------------

describe("embedded PGlite server", () => {
  it("keeps concurrent connections' statements apart (large messages, open transactions)", async () => {
    const server = await startEmbeddedPostgres({ dataDir: "memory://", port: 0 });
    const pool = new pg.Pool({ connectionString: server.url, max: 8 });
    try {
      await pool.query("CREATE TABLE a (v int); CREATE TABLE b (v int)");
      const big = "x".repeat(200_000); // arrives in several TCP chunks
      const outcomes = await Promise.all(
        Array.from({ length: 160 }, async (_, i) => {
          if (i % 10 === 0) {
            const client = await pool.connect();
            try {
              await client.query("BEGIN");
              await new Promise((r) => setTimeout(r, 5));
              await client.query("INSERT INTO a VALUES ($1)", [-i]);
              await client.query("COMMIT");
              return true;
            } finally {
              client.release();
            }
          }
          if (i % 3 === 0) {
            const { rows } = await pool.query("SELECT length($1::text) AS n, $2::int AS v", [big, i]);
            return rows[0].n === big.length && rows[0].v === i;
          }
          const table = i % 2 ? "a" : "b";
          const { rows } = await pool.query(`INSERT INTO ${table} VALUES ($1) RETURNING '${table}' AS t`, [i]);
          return rows[0].t === table;
        }),
      );
      expect(outcomes.every(Boolean)).toBe(true);
      // Odd values went to a, even ones to b: any other row was misrouted.
      const { rows } = await pool.query(
        "SELECT (SELECT count(*) FROM a WHERE v > 0 AND v % 2 = 0) + (SELECT count(*) FROM b WHERE v % 2 = 1) AS misplaced",
      );
      expect(Number(rows[0].misplaced)).toBe(0);
    } finally {
      await pool.end();
      await server.stop();
    }
  }, SLOW);
});
