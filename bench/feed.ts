// Section 4: the gallery feed at 10k and 100k photos. Latency of page 1 and of a
// deep page through the real route (GET /api/photos?cursor=…: session, keyset
// query, 60 signed thumbnail URLs), the query alone, and its plan.
import { spawn } from "node:child_process";
import pg from "pg";
import { ROOT } from "./lib/services";
import { quantile } from "./lib/stats";

export const FEED_PAGE_SIZE = 60; // lib/photos/queries.ts
export const DEEP_PAGE = 1000;

export interface FeedRow {
  database: string;
  photos: number;
  deepPage: number;
  http: { page1: Latency; deep: Latency; p50Ratio: number; p95Ratio: number };
  query: { page1: Latency; deep: Latency };
  plan: { sql: string; text: string; usesIndex: boolean; sorts: boolean; seqScan: boolean; executionMs: number };
  verified: boolean;
}

export interface Latency {
  p50: number;
  p95: number;
  samples: number;
}

/** Fills the database with the project's own seed script (`npm run db:seed-demo`). */
export function seedDemo(env: Record<string, string>, photos: number, email: string, password: string): Promise<number> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "scripts/seed-demo.ts", "--photos", String(photos), "--email", email, "--password", password],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "ignore", "inherit"] },
    );
    child.on("error", reject);
    child.on("exit", (code) => (code === 0 ? resolve((performance.now() - started) / 1000) : reject(new Error(`seed-demo exited with ${code}`))));
  });
}

const latency = (values: number[]): Latency => ({ p50: quantile(values, 0.5), p95: quantile(values, 0.95), samples: values.length });

/** The SQL and parameters listPhotoPage sends for a page, captured from Prisma (bench/lib/feed-sql.ts). */
function captureFeedSql(env: Record<string, string>, ownerId: string, cursor?: string): Promise<{ sql: string; params: unknown[] }> {
  return new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      ["--conditions=react-server", "--import", "tsx", "bench/lib/feed-sql.ts", ownerId, ...(cursor ? [cursor] : [])],
      { cwd: ROOT, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "inherit"] },
    );
    let out = "";
    child.stdout.on("data", (chunk: Buffer) => (out += chunk.toString()));
    child.on("error", reject);
    child.on("exit", (code) => {
      const line = out.trim().split("\n").at(-1) ?? "";
      if (code !== 0 || !line.startsWith("{")) return reject(new Error(`feed-sql exited with ${code}`));
      resolve(JSON.parse(line) as { sql: string; params: unknown[] });
    });
  });
}

export async function runFeedBench(options: {
  /** The app's environment (database and storage), for capturing the data layer's SQL. */
  appEnv: Record<string, string>;
  database: string;
  databaseUrl: string;
  appUrl: string;
  cookie: string;
  email: string;
  photos: number;
  samples: number;
}): Promise<FeedRow> {
  const db = new pg.Client({ connectionString: options.databaseUrl });
  await db.connect();
  try {
    const owner = await db.query<{ id: string }>(`SELECT id FROM "user" WHERE email = $1`, [options.email]);
    const ownerId = owner.rows[0]?.id;
    if (!ownerId) throw new Error(`no account ${options.email}`);
    const pages = Math.ceil(options.photos / FEED_PAGE_SIZE);
    const deepPage = Math.min(DEEP_PAGE, pages);
    // The cursor that page `deepPage` is fetched with: the last photo of the page before it.
    const boundary = await db.query<{ id: string; iso: string }>(
      `SELECT id, to_char("sortAt", 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS iso FROM "Photo"
       WHERE "ownerId" = $1 AND status = 'READY' ORDER BY "sortAt" DESC, id DESC OFFSET $2 LIMIT 2`,
      [ownerId, (deepPage - 1) * FEED_PAGE_SIZE - 1],
    );
    const last = boundary.rows[0]!;
    const firstOfDeep = boundary.rows[1]!;
    const cursor = Buffer.from(`${last.iso}|${last.id}`).toString("base64url");
    const env = { ...options.appEnv, DATABASE_URL: options.databaseUrl };
    const page1Sql = await captureFeedSql(env, ownerId);
    const deepSql = await captureFeedSql(env, ownerId, cursor);

    const fetchPage = async (withCursor: boolean) => {
      const started = performance.now();
      const response = await fetch(`${options.appUrl}/api/photos${withCursor ? `?cursor=${cursor}` : ""}`, { headers: { Cookie: options.cookie } });
      const body = (await response.json()) as { tiles: { id: string }[] };
      const ms = performance.now() - started;
      if (!response.ok) throw new Error(`GET /api/photos answered ${response.status}`);
      return { ms, body };
    };

    // The deep page must be the page it claims to be.
    const check = await fetchPage(true);
    const verified = check.body.tiles[0]?.id === firstOfDeep.id && check.body.tiles.length === Math.min(FEED_PAGE_SIZE, options.photos - (deepPage - 1) * FEED_PAGE_SIZE);

    const http = { page1: [] as number[], deep: [] as number[] };
    const query = { page1: [] as number[], deep: [] as number[] };
    for (let i = 0; i < 10; i++) {
      await fetchPage(false);
      await fetchPage(true);
    }
    // Alternate page 1 and the deep page so that background load hits both alike.
    for (let i = 0; i < options.samples; i++) {
      http.page1.push((await fetchPage(false)).ms);
      http.deep.push((await fetchPage(true)).ms);
    }
    for (let i = 0; i < options.samples; i++) {
      let started = performance.now();
      await db.query(page1Sql.sql, page1Sql.params);
      query.page1.push(performance.now() - started);
      started = performance.now();
      await db.query(deepSql.sql, deepSql.params);
      query.deep.push(performance.now() - started);
    }

    const explained = await db.query<{ "QUERY PLAN": string }>(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${deepSql.sql}`, deepSql.params);
    const text = explained.rows.map((row) => row["QUERY PLAN"]).join("\n");
    const executionMs = Number(/Execution Time: ([\d.]+) ms/.exec(text)?.[1] ?? Number.NaN);

    const page1 = latency(http.page1);
    const deep = latency(http.deep);
    return {
      database: options.database,
      photos: options.photos,
      deepPage,
      http: { page1, deep, p50Ratio: deep.p50 / page1.p50, p95Ratio: deep.p95 / page1.p95 },
      query: { page1: latency(query.page1), deep: latency(query.deep) },
      plan: {
        sql: deepSql.sql,
        text,
        usesIndex: /Index (Only )?Scan.*Photo_ownerId_status_sortAt_id_idx/.test(text),
        sorts: /\bSort\b/.test(text),
        seqScan: /Seq Scan/.test(text),
        executionMs,
      },
      verified,
    };
  } finally {
    await db.end();
  }
}
