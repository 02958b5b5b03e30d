/**
 * Prisma's schema engine (the part behind `prisma migrate`), run as WebAssembly
 * through the PrismaPg driver adapter.
 *
 * Why: Prisma 7's CLI only runs the native engine binary, which it downloads at
 * install time — impossible offline. The wasm build of the same engine commit
 * ships on npm and talks to the database through a driver adapter instead.
 * PrismaPg was written for the query path, not for the engine, so the adapter
 * handed to the engine here fixes three things (see ENVIRONMENT.md, "Prisma 7 offline").
 */
import { randomUUID } from "node:crypto";
import { existsSync } from "node:fs";
import { readdir, readFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { PrismaPg } from "@prisma/adapter-pg";
import {
  bindMigrationAwareSqlAdapterFactory,
  ColumnTypeEnum,
  type IsolationLevel,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory,
  type SqlQuery,
  type SqlResultSet,
  type Transaction,
} from "@prisma/driver-adapter-utils";
import type { MigrationList, SchemaEngine, SchemaFilter } from "@prisma/schema-engine-wasm/schema_engine_bg";
import pg from "pg";

export type { MigrationList, SchemaEngine } from "@prisma/schema-engine-wasm/schema_engine_bg";

/** We manage every table and enum in the schema; nothing is "external". */
export const NO_FILTERS: SchemaFilter = { externalTables: [], externalEnums: [] };

// ---------------------------------------------------------------------------
// Quirk 1: PostgreSQL's one-byte `"char"` type (OID 18).
// The engine reads catalog columns such as pg_class.relkind and
// pg_constraint.confdeltype, which are `"char"`. PrismaPg has no mapping for
// OID 18 and throws "Unsupported column type char" before returning any row.
// A pg.Client subclass relabels those columns as text so PrismaPg accepts them,
// remembering which ones it touched (keyed by the row array, which PrismaPg
// passes through unchanged); the adapter then reports them to the engine as
// Character, which is what its catalog readers expect.

const PG_CHAR_OID = 18;
const PG_TEXT_OID = 25;
const charColumnsByRows = new WeakMap<unknown[], number[]>();

function relabelCharColumns(result: unknown): void {
  // A multi-statement query yields one result per statement.
  for (const r of Array.isArray(result) ? result : [result]) {
    const { fields, rows } = (r ?? {}) as Partial<pg.QueryResult>;
    if (!fields || !rows) continue;
    const indices: number[] = [];
    fields.forEach((field, i) => {
      if (field.dataTypeID === PG_CHAR_OID) {
        field.dataTypeID = PG_TEXT_OID;
        indices.push(i);
      }
    });
    if (indices.length > 0) charColumnsByRows.set(rows, indices);
  }
}

function tagCharColumns(resultSet: SqlResultSet): SqlResultSet {
  for (const i of charColumnsByRows.get(resultSet.rows) ?? []) resultSet.columnTypes[i] = ColumnTypeEnum.Character;
  return resultSet;
}

class CharAwareClient extends pg.Client {
  // pg.Pool calls query() with a callback; a checked-out PoolClient (transactions)
  // calls it without one and awaits the promise. Both paths must be relabelled.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- pg's query() has a dozen overloads; this wrapper forwards them all unchanged
  override query(...args: any[]): any {
    const callbackAt = args.findIndex((a) => typeof a === "function");
    if (callbackAt >= 0) {
      const callback = args[callbackAt] as (err: Error | undefined, res: unknown) => void;
      args[callbackAt] = (err: Error | undefined, res: unknown) => {
        if (!err) relabelCharColumns(res);
        callback(err, res);
      };
    }
    const out = (super.query as (...a: unknown[]) => unknown)(...args);
    if (callbackAt < 0 && out instanceof Promise) {
      return out.then((res) => {
        relabelCharColumns(res);
        return res;
      });
    }
    return out;
  }
}

// ---------------------------------------------------------------------------
// Quirk 2: PrismaPg's executeScript splits the script on ";" and runs the
// pieces one by one. That breaks anything with a ";" inside a string or a $$
// function body, and a migration failing half-way leaves half its statements
// applied. The native engine sends the whole script as one simple-protocol
// query, which PostgreSQL runs as one implicit transaction: do the same.
// (executeRaw with no parameters goes through pg's simple protocol, and keeps
// PrismaPg's error mapping so the engine reports database errors properly.)

function engineQueryable(inner: SqlDriverAdapter): SqlDriverAdapter {
  return {
    provider: inner.provider,
    adapterName: inner.adapterName,
    queryRaw: async (query: SqlQuery) => tagCharColumns(await inner.queryRaw(query)),
    executeRaw: (query: SqlQuery) => inner.executeRaw(query),
    executeScript: async (script: string) => {
      await inner.executeRaw({ sql: script, args: [], argTypes: [] });
    },
    startTransaction: async (isolationLevel?: IsolationLevel) =>
      engineTransaction(await inner.startTransaction(isolationLevel)),
    getConnectionInfo: inner.getConnectionInfo ? () => inner.getConnectionInfo!() : undefined,
    dispose: () => inner.dispose(),
  };
}

function engineTransaction(tx: Transaction): Transaction {
  return {
    provider: tx.provider,
    adapterName: tx.adapterName,
    options: tx.options,
    queryRaw: async (query: SqlQuery) => tagCharColumns(await tx.queryRaw(query)),
    executeRaw: (query: SqlQuery) => tx.executeRaw(query),
    commit: () => tx.commit(),
    rollback: () => tx.rollback(),
    createSavepoint: tx.createSavepoint && ((name: string) => tx.createSavepoint!(name)),
    rollbackToSavepoint: tx.rollbackToSavepoint && ((name: string) => tx.rollbackToSavepoint!(name)),
    releaseSavepoint: tx.releaseSavepoint && ((name: string) => tx.releaseSavepoint!(name)),
  };
}

// ---------------------------------------------------------------------------
// Quirk 3: PrismaPg's connectToShadowDb creates a database but then connects
// with the original connectionString, whose database name wins over the one it
// sets — so the "shadow" is the main database. It also drops the shadow before
// closing its own pool, which PostgreSQL refuses while connected. Here the URL
// is rewritten, and the pool closed before the drop.
// None of our commands needs a shadow database today (create replays the
// migrations into a throwaway PGlite instead), but an engine call that asks for
// one must never be handed the real database.

class EngineAdapterFactory implements SqlMigrationAwareDriverAdapterFactory {
  readonly provider = "postgres" as const;
  readonly adapterName: string;
  private readonly pg: PrismaPg;

  constructor(private readonly connectionString: string) {
    // One connection, like the native engine: its advisory lock (held while
    // migrating) is per session, and PGlite serves one session at a time anyway.
    this.pg = new PrismaPg({ connectionString, max: 1, Client: CharAwareClient });
    this.adapterName = this.pg.adapterName;
  }

  async connect(): Promise<SqlDriverAdapter> {
    return engineQueryable(await this.pg.connect());
  }

  async connectToShadowDb(): Promise<SqlDriverAdapter> {
    const url = new URL(this.connectionString);
    const name = `prisma_migrate_shadow_db_${randomUUID().replaceAll("-", "")}`;
    url.pathname = `/${name}`;
    const admin = await this.connect();
    await admin.executeScript(`CREATE DATABASE "${name}"`);
    const shadow = await new EngineAdapterFactory(url.toString()).connect();
    return {
      ...shadow,
      dispose: async () => {
        await shadow.dispose();
        try {
          await admin.executeScript(`DROP DATABASE IF EXISTS "${name}"`);
        } finally {
          await admin.dispose();
        }
      },
    };
  }
}

// ---------------------------------------------------------------------------
// Loading the wasm engine.
// The package's root module imports the .wasm file as an ES module, which Node
// only allows behind a flag; load the JS glue on its own and instantiate the
// bytes ourselves, giving the glue as the wasm's import object.

type Glue = typeof import("@prisma/schema-engine-wasm/schema_engine_bg");
let gluePromise: Promise<Glue> | undefined;
let lastPanic: string | undefined;

async function loadGlue(): Promise<Glue> {
  // Without this registry a Rust panic surfaces as "Cannot read properties of
  // undefined (reading 'set_message')" instead of the panic's message.
  (globalThis as { PRISMA_WASM_PANIC_REGISTRY?: unknown }).PRISMA_WASM_PANIC_REGISTRY = {
    set_message: (message: string) => {
      lastPanic = message;
    },
  };
  const require = createRequire(import.meta.url);
  const gluePath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  // By file URL: a bare specifier in import() fails to resolve when tsx loads
  // this file as CommonJS from an ES module (e.g. a test importing it).
  const glue = (await import(pathToFileURL(gluePath).href)) as Glue;
  const bytes = await readFile(path.join(path.dirname(gluePath), "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": glue });
  glue.__wbg_set_wasm(instance.exports);
  (instance.exports.__wbindgen_start as () => void)();
  return glue;
}

export interface OpenedEngine {
  engine: SchemaEngine;
  /** Frees the engine. It leaves a timer behind, so the process should exit soon after. */
  close(): void;
}

/**
 * Opens the schema engine against a PostgreSQL URL (a real server or a
 * PGlite socket server). `onLog` receives the engine's log lines (JSON strings).
 */
export async function openSchemaEngine(connectionString: string, onLog?: (line: string) => void): Promise<OpenedEngine> {
  gluePromise ??= loadGlue();
  const glue = await gluePromise;
  const factory = bindMigrationAwareSqlAdapterFactory(new EngineAdapterFactory(connectionString));
  const engine = await glue.SchemaEngine.new({ datamodels: undefined }, (line: string) => onLog?.(line), factory);
  let closed = false;
  return {
    engine,
    close: () => {
      if (!closed) engine.free();
      closed = true;
    },
  };
}

/**
 * An engine failure as one line: the Rust panic's text when that is what
 * happened; otherwise the message without the engine's span trace (the
 * "   0: sql_schema_connector::..." lines), prefixed with the migration it names.
 */
export function engineErrorMessage(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  if (lastPanic && /unreachable|panic/i.test(message)) return `schema engine panicked: ${lastPanic}`;
  const lines = message.split("\n");
  const traceAt = lines.findIndex((l) => /^\s*\d+: /.test(l));
  const head = (traceAt >= 0 ? lines.slice(0, traceAt) : lines).map((l) => l.trim()).filter(Boolean);
  // The wasm engine wraps database errors in this generic line; the next one says what happened.
  if (head.length > 1 && head[0] === "external connector error") head.shift();
  const migration = traceAt >= 0 ? /migration_name="([^"]+)"/.exec(lines.slice(traceAt).join("\n"))?.[1] : undefined;
  const text = head.join(" ");
  return migration ? `migration ${migration} failed: ${text}` : text;
}

// ---------------------------------------------------------------------------
// Reading the migrations directory the way Prisma's CLI hands it to the engine.

export const LOCKFILE_NAME = "migration_lock.toml";
export const MIGRATION_FILE = "migration.sql";

export async function readMigrationsDir(migrationsDir: string): Promise<MigrationList> {
  const baseDir = path.resolve(migrationsDir);
  const entries = existsSync(baseDir) ? await readdir(baseDir, { withFileTypes: true }) : [];
  const dirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b)); // Prisma's CLI orders them this way
  const migrationDirectories = await Promise.all(
    dirs.map(async (name) => {
      const file = path.join(baseDir, name, MIGRATION_FILE);
      const content = existsSync(file)
        ? { tag: "ok" as const, value: await readFile(file, "utf8") }
        : { tag: "error" as const, value: `${file} is missing` };
      return { path: name, migrationFile: { path: MIGRATION_FILE, content } };
    }),
  );
  const lockPath = path.join(baseDir, LOCKFILE_NAME);
  return {
    baseDir,
    lockfile: { path: LOCKFILE_NAME, content: existsSync(lockPath) ? await readFile(lockPath, "utf8") : null },
    shadowDbInitScript: "",
    migrationDirectories,
  };
}
