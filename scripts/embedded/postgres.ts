/**
 * Embedded PostgreSQL for a machine without one: PGlite (PostgreSQL compiled
 * to wasm, in-process) served over the PostgreSQL wire protocol by
 * pglite-socket, so the app, Prisma and our migration script connect to it
 * with an ordinary postgresql:// URL.
 */
import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { PGLiteSocketServer } from "@electric-sql/pglite-socket";

export const DEFAULT_EMBEDDED_PORT = 54329;
export const IN_MEMORY = "memory://";

export interface EmbeddedPostgresOptions {
  /** Directory for the data (created if missing, reused on the next start), or "memory://" for a throwaway database. */
  dataDir: string;
  /** Default 54329. 0 picks a free port. If the port is taken, a free one is used instead (see `portWasTaken`). */
  port?: number;
  /** Only loopback: the server has no authentication at all. */
  host?: "127.0.0.1";
  /** Concurrent client connections (default 20). Queries still run one at a time: PGlite has one session. */
  maxConnections?: number;
}

export interface EmbeddedPostgres {
  /** e.g. postgresql://postgres:postgres@127.0.0.1:54329/postgres?sslmode=disable */
  url: string;
  port: number;
  /** The port that was asked for. */
  requestedPort: number;
  /** True when `requestedPort` was in use and `port` is a free one picked instead. */
  portWasTaken: boolean;
  /** Closes the server, then PGlite (which flushes the data directory). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * pglite-socket 0.2.17 queues connections' messages one by one, but PGlite has a
 * single session: an extended-protocol query is several messages (Parse, Bind,
 * Execute... Sync), and messages from another connection can slip in between —
 * when a message arrives in two TCP chunks, or when several connections wait
 * behind a transaction. Then one client binds another's unnamed statement:
 * measured here as errors ("bind message supplies 2 parameters...") and, worse,
 * rows silently inserted into the wrong table.
 *
 * The queue already keeps other connections out while `isInTransaction()` is
 * true (it only serves the connection that owns the transaction), so report an
 * open extended-protocol batch as a transaction too: from the first
 * Parse/Bind/Describe/Execute/Close/Flush to its Sync, one connection has PGlite.
 * (COPY sub-protocol messages are not covered; neither pg nor Prisma use them.)
 */
function serializeExtendedBatches(db: PGlite): PGlite {
  const OPENS_BATCH = new Set(["P", "B", "D", "E", "C", "H"]);
  const CLOSES_BATCH = new Set(["S", "Q", "X"]);
  let batchOpen = false;
  return new Proxy(db, {
    get(target, prop) {
      if (prop === "isInTransaction") return () => batchOpen || target.isInTransaction();
      if (prop === "execProtocolRawStream") {
        return (message: Uint8Array, options: Parameters<PGlite["execProtocolRawStream"]>[1]) => {
          const type = String.fromCharCode(message[0] ?? 0);
          if (OPENS_BATCH.has(type)) batchOpen = true;
          else if (CLOSES_BATCH.has(type)) batchOpen = false;
          return target.execProtocolRawStream(message, options);
        };
      }
      // pglite-socket calls exec("ROLLBACK") when a connection that held PGlite goes away.
      if (prop === "exec") {
        return (query: string, options?: Parameters<PGlite["exec"]>[1]) => {
          batchOpen = false;
          return target.exec(query, options);
        };
      }
      // PGlite keeps its state in private fields: methods must run on the real instance.
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * PGlite does not lock its data directory, and two processes on the same
 * directory corrupt it. That is easy to do by accident here: a second `npm run
 * dev` finds the port taken, falls back to another one and would open the same
 * data. So hold a pid lock next to the directory (not inside it: initdb wants
 * an empty directory).
 */
const heldLocks = new Set<string>();

function lockDataDir(dataDir: string): () => void {
  const lockPath = `${dataDir}.lock`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(lockPath, "wx");
      writeSync(fd, String(process.pid));
      closeSync(fd);
      heldLocks.add(lockPath);
      return () => {
        heldLocks.delete(lockPath);
        rmSync(lockPath, { force: true });
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
      const pid = Number(readFileSync(lockPath, "utf8").trim());
      // Our own pid in a lock we do not hold: left by an earlier run that had
      // the same pid (common in containers, where the app is often pid 1).
      const staleOwnPid = pid === process.pid && !heldLocks.has(lockPath);
      if (pid && !staleOwnPid && isAlive(pid)) {
        throw new Error(`embedded PostgreSQL data in ${dataDir} is already in use by process ${pid} (lock: ${lockPath})`);
      }
      rmSync(lockPath, { force: true }); // left behind by a process that died
    }
  }
  throw new Error(`cannot lock ${dataDir} (lock: ${lockPath})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

async function listen(db: PGlite, port: number, maxConnections: number): Promise<PGLiteSocketServer> {
  const server = new PGLiteSocketServer({ db, port, host: "127.0.0.1", maxConnections });
  await server.start();
  return server;
}

function boundPort(server: PGLiteSocketServer): number {
  // getServerConn() is "host:port" once listening (the OS's port when 0 was asked for).
  return Number(server.getServerConn().split(":").pop());
}

export async function startEmbeddedPostgres(opts: EmbeddedPostgresOptions): Promise<EmbeddedPostgres> {
  const requestedPort = opts.port ?? DEFAULT_EMBEDDED_PORT;
  const maxConnections = opts.maxConnections ?? 20;
  const inMemory = opts.dataDir === IN_MEMORY;

  let unlock = () => {};
  let dataDir = IN_MEMORY;
  if (!inMemory) {
    dataDir = path.resolve(opts.dataDir);
    mkdirSync(path.dirname(dataDir), { recursive: true });
    unlock = lockDataDir(dataDir);
  }

  let db: PGlite | undefined;
  let server: PGLiteSocketServer | undefined;
  let portWasTaken = false;
  try {
    db = new PGlite(dataDir);
    await db.waitReady;
    const served = serializeExtendedBatches(db);
    try {
      server = await listen(served, requestedPort, maxConnections);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EADDRINUSE" || requestedPort === 0) throw error;
      portWasTaken = true;
      server = await listen(served, 0, maxConnections);
    }
  } catch (error) {
    await db?.close().catch(() => {});
    unlock();
    throw error;
  }

  const port = boundPort(server);
  let stopping: Promise<void> | undefined;
  const liveServer = server;
  const liveDb = db;
  return {
    url: `postgresql://postgres:postgres@127.0.0.1:${port}/postgres?sslmode=disable`,
    port,
    requestedPort,
    portWasTaken,
    stop: () =>
      (stopping ??= (async () => {
        try {
          await liveServer.stop();
          await liveDb.close();
        } finally {
          unlock();
        }
      })()),
  };
}
