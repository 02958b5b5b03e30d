/**
 * A database and a bucket of a test's own on 127.0.0.1, migrated, empty: a fresh
 * database on the PostgreSQL server DATABASE_URL names (so CI's PostgreSQL pass runs
 * these suites on PostgreSQL too), else an embedded PGlite; and the embedded S3.
 * Suites that stop services, count every orphan in the bucket or crash the app need
 * a world nobody else writes to.
 */
import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync } from "node:fs";
import path from "node:path";
import pgDriver from "pg";
import { startEmbeddedPostgres, type EmbeddedPostgres } from "../../../scripts/embedded/postgres";
import { startEmbeddedS3, type EmbeddedS3 } from "../../../scripts/embedded/s3";
import { migrate } from "../../../scripts/embedded/stack";
import { freePort } from "../../../scripts/ports";
import { startTcpRelay } from "./tcp-relay";

const basePort = Number(process.env.E2E_PORT ?? 3204);
/** The app port the security and fault suites prefer (one file at a time uses it); a free one when taken. */
const WORLD_APP_PORT = basePort + 90;
/**
 * The build the app servers of a test run start from: the end-to-end suite's, since the app reads its
 * configuration (storage origin included) at run time. Runs sharing a checkout set NEXT_DIST_DIR apart.
 */
export const WORLD_DIST_DIR = process.env.NEXT_DIST_DIR || ".next";

export interface World {
  /** DATABASE_URL, S3_*, BETTER_AUTH_SECRET: hand them to the app server or to lib code. */
  env: Record<string, string>;
  /** Where this world's app server listens; the bucket's CORS rules allow exactly this origin. */
  appPort: number;
  appUrl: string;
  dataDir: string;
  s3: EmbeddedS3;
  pg: EmbeddedPostgres;
  /** What holds the database: "PGlite" or the host:port of the PostgreSQL server. */
  database: string;
  /** Stops the embedded S3 (storage outage); `startS3` brings it back on the same port with the same data. */
  stopS3(): Promise<void>;
  startS3(): Promise<void>;
  /**
   * A database outage; needs `persistentDatabase`. The embedded PostgreSQL is stopped; a shared
   * server is not, the relay in front of it is cut instead (every connection reset, new ones
   * refused). `startPostgres` brings it back on the same port.
   */
  stopPostgres(): Promise<void>;
  startPostgres(): Promise<void>;
  stop(): Promise<void>;
}

export interface WorldOptions {
  name: string;
  /** Keep the embedded database on disk, so it can be stopped and started again (database outages). */
  persistentDatabase?: boolean;
  /**
   * A PostgreSQL server on 127.0.0.1 to use instead of the embedded one (e.g.
   * postgresql://postgres@127.0.0.1:5432/postgres): a throwaway database is created
   * on it for this world and dropped at the end. Default: the server DATABASE_URL
   * names (see `postgresServerFromEnv`); `null` insists on an embedded PGlite.
   */
  postgresServer?: string | null;
}

export async function startWorld(options: WorldOptions): Promise<World> {
  const dataDir = path.resolve(".data", `${options.name}-${process.pid}`);
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(dataDir, { recursive: true });
  const pgDir = options.persistentDatabase ? path.join(dataDir, "db") : "memory://";
  const appPort = await freePort(WORLD_APP_PORT);
  const appUrl = `http://127.0.0.1:${appPort}`;
  const allowedOrigins = [appUrl];
  const s3Dir = path.join(dataDir, "s3");

  const serverUrl = options.postgresServer === undefined ? await postgresServerFromEnv() : options.postgresServer;
  const server = serverUrl ? await createServerDatabase(serverUrl, options.name, { cuttable: !!options.persistentDatabase }) : undefined;
  let pg = server ?? (await startEmbeddedPostgres({ dataDir: pgDir, port: 0 }));
  let s3 = await startEmbeddedS3({ dir: s3Dir, port: 0, allowedOrigins });
  const env: Record<string, string> = {
    DATABASE_URL: pg.url,
    // PGlite answers one query at a time; a real server takes a real pool.
    DATABASE_POOL_SIZE: server ? "10" : "2",
    BETTER_AUTH_SECRET: randomBytes(32).toString("base64url"),
    STORAGE_DRIVER: "s3",
    S3_ENDPOINT: s3.endpoint,
    S3_BUCKET: s3.bucket,
    S3_ACCESS_KEY_ID: s3.accessKeyId,
    S3_SECRET_ACCESS_KEY: s3.secretAccessKey,
    S3_FORCE_PATH_STYLE: "true",
    S3_REGION: "us-east-1",
  };
  try {
    await migrate(env);
  } catch (error) {
    await s3.stop();
    await pg.stop();
    throw error;
  }

  const world: World = {
    env,
    appPort,
    appUrl,
    dataDir,
    database: serverUrl ? new URL(serverUrl).host : "PGlite",
    get s3() {
      return s3;
    },
    get pg() {
      return pg;
    },
    stopS3: () => s3.stop(),
    startS3: async () => {
      s3 = await startEmbeddedS3({ dir: s3Dir, port: s3.port, allowedOrigins });
    },
    stopPostgres: async () => {
      if (server) return server.cut();
      await pg.stop();
    },
    startPostgres: async () => {
      if (server) return server.restore();
      if (pgDir === "memory://") throw new Error("startWorld: restarting PostgreSQL needs persistentDatabase");
      pg = await startEmbeddedPostgres({ dataDir: pgDir, port: pg.port });
    },
    stop: async () => {
      await s3.stop().catch(() => {});
      await pg.stop().catch(() => {});
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  return world;
}

/**
 * The PostgreSQL server DATABASE_URL names, for a world's own database on it; undefined
 * when DATABASE_URL is unset or names the test run's shared embedded PGlite (npm test
 * starts one when no DATABASE_URL was given), which holds a single database.
 */
export async function postgresServerFromEnv(): Promise<string | undefined> {
  const url = process.env.DATABASE_URL;
  if (!url) return undefined;
  const client = new pgDriver.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ version: string }>("SELECT version()");
    return rows[0]?.version.includes("PGlite") ? undefined : url;
  } finally {
    await client.end();
  }
}

type ServerDatabase = EmbeddedPostgres & { cut(): Promise<void>; restore(): Promise<void> };

/**
 * A fresh database on a PostgreSQL server, shaped like EmbeddedPostgres; stop() drops it.
 * `cuttable` puts a relay in front, so a test can take the database away without stopping
 * a server others use.
 */
async function createServerDatabase(serverUrl: string, name: string, { cuttable }: { cuttable: boolean }): Promise<ServerDatabase> {
  const server = new URL(serverUrl);
  if (!["127.0.0.1", "localhost", "[::1]"].includes(server.hostname)) throw new Error(`startWorld: only a PostgreSQL on 127.0.0.1, not ${server.hostname}`);
  const database = `${name.replace(/\W/g, "_")}_${process.pid}_${randomBytes(3).toString("hex")}`;
  const admin = async (sql: string) => {
    const client = new pgDriver.Client({ connectionString: serverUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await admin(`CREATE DATABASE "${database}"`);
  const relay = cuttable ? await startTcpRelay({ host: server.hostname.replace(/^\[|\]$/g, ""), port: Number(server.port || 5432) }) : undefined;
  const url = new URL(serverUrl);
  url.pathname = `/${database}`;
  if (relay) url.port = String(relay.port);
  const port = Number(url.port || 5432);
  return {
    url: url.toString(),
    port,
    requestedPort: port,
    portWasTaken: false,
    cut: () => relay?.cut() ?? Promise.reject(new Error("startWorld: a database outage needs persistentDatabase")),
    restore: () => relay?.restore() ?? Promise.resolve(),
    stop: async () => {
      await relay?.cut();
      await admin(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
    },
  };
}
