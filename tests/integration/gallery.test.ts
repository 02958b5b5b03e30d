/**
 * The gallery feed (lib/photos/queries.ts listPhotoPage) against the real
 * PostgreSQL of the integration setup: keyset pages stay exact while photos
 * arrive, only READY photos show, bad cursors are refused, and a deep page is
 * an index range scan (EXPLAIN of the very SQL Prisma sends).
 */
import { captureQueries } from "./capture-queries";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { AppError } from "@/lib/errors";
import { originalKey, variantKey } from "@/lib/photos/keys";
import { encodeCursor, FEED_PAGE_SIZE, listPhotoPage, type PhotoTile } from "@/lib/photos/queries";
import { DEMO_ASPECTS, demoPhotoRows, insertDemoPhotoRows, type DemoImage } from "../../scripts/demo-photos";

const createdUsers: string[] = [];

async function createUser(label: string) {
  const id = randomUUID();
  createdUsers.push(id);
  await db.user.create({ data: { id, name: `Test ${label}`, email: `${label}-${id.slice(0, 8)}@example.test` } });
  return id;
}

type Status = "READY" | "PENDING" | "PROCESSING" | "FAILED";

function photoRow(ownerId: string, sortAt: Date, status: Status = "READY", id: string = randomUUID()) {
  const ready = status === "READY";
  return {
    id,
    ownerId,
    status,
    originalKey: originalKey(ownerId, id),
    thumbKey: ready ? variantKey(ownerId, id, "thumb") : null,
    largeKey: ready ? variantKey(ownerId, id, "large") : null,
    displayName: `${status.toLowerCase()}-${id.slice(0, 8)}.jpg`,
    contentType: "image/jpeg",
    sizeBytes: 1000n,
    width: 3000,
    height: 2000,
    sortAt,
    uploadExpiresAt: new Date(Date.now() + 3600_000),
  };
}

/** Feed order: newest first, ties broken by id, both descending (the same rule as the SQL). */
const comesBefore = (a: { sortAt: string; id: string }, b: { sortAt: string; id: string }) =>
  a.sortAt > b.sortAt || (a.sortAt === b.sortAt && a.id > b.id);

async function expectInvalidCursor(ownerId: string, cursor: string) {
  const error = await listPhotoPage(ownerId, { cursor }).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error, `cursor ${JSON.stringify(cursor)}`).toBeInstanceOf(AppError);
  expect((error as AppError).code).toBe("invalid_input");
  expect((error as AppError).message).toBe("Invalid page cursor.");
}

afterAll(async () => {
  await db.user.deleteMany({ where: { id: { in: createdUsers } } });
});

describe("keyset pagination", () => {
  let owner: string;
  const base = Date.UTC(2024, 5, 1, 12, 0, 0);
  const initialReady = new Set<string>();
  const notReady = new Set<string>();

  beforeAll(async () => {
    owner = await createUser("pager");
    // 240 READY photos in groups of 4 that share one timestamp, so ties sit on most page
    // boundaries (pages of 7), and photos in every other state at those same timestamps.
    const ready = Array.from({ length: 240 }, (_, i) => photoRow(owner, new Date(base - Math.floor(i / 4) * 60_000)));
    const others = Array.from({ length: 45 }, (_, i) =>
      photoRow(owner, new Date(base - i * 4 * 60_000), (["PENDING", "PROCESSING", "FAILED"] as const)[i % 3]),
    );
    await db.photo.createMany({ data: [...ready, ...others] });
    for (const r of ready) initialReady.add(r.id);
    for (const o of others) notReady.add(o.id);
  });

  it("returns every READY photo exactly once, in order, while photos arrive between page fetches", async () => {
    const expected = new Set(initialReady);
    const seen: PhotoTile[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await listPhotoPage(owner, { cursor, limit: 7 });
      seen.push(...page.tiles);
      pages++;
      cursor = page.nextCursor ?? undefined;
      const last = page.tiles.at(-1);
      if (!cursor || !last) break;

      // Arrivals while the person scrolls. What is above the cursor belongs to pages already
      // shown and must not turn up; what is below must turn up exactly once.
      const at = new Date(last.sortAt);
      const arrivals = [
        { row: photoRow(owner, new Date(base + 3600_000 + pages * 1000)), below: false }, // newest of all
        { row: photoRow(owner, new Date(at.getTime() - 30_000)), below: true }, // between two groups further down
        { row: photoRow(owner, new Date(at.getTime() - 5 * 60_000)), below: true }, // ties with a group further down
        { row: photoRow(owner, new Date(at.getTime() - 30_000), "PENDING"), below: false }, // not READY: never shown
      ];
      // Same timestamp as the cursor: the id alone decides which side it is on.
      const tie = photoRow(owner, at);
      arrivals.push({ row: tie, below: tie.id < last.id });
      await db.photo.createMany({ data: arrivals.map((a) => a.row) });
      for (const a of arrivals) {
        if (a.below) expected.add(a.row.id);
        if (a.row.status !== "READY") notReady.add(a.row.id);
      }
    } while (pages < 500);

    const ids = seen.map((t) => t.id);
    expect(new Set(ids).size, "no photo twice").toBe(ids.length);
    expect(ids.filter((id) => notReady.has(id)), "only READY photos").toEqual([]);
    expect(new Set(ids)).toEqual(expected);
    for (let i = 1; i < seen.length; i++) {
      expect(comesBefore(seen[i - 1]!, seen[i]!), `order at ${i}`).toBe(true);
    }
    expect(pages).toBeGreaterThan(240 / 7);
  });

  it("shows only READY photos on the first page too, with the default page size", async () => {
    const page = await listPhotoPage(owner);
    expect(page.tiles).toHaveLength(FEED_PAGE_SIZE);
    expect(page.tiles.filter((t) => notReady.has(t.id))).toEqual([]);
    expect(page.nextCursor).not.toBeNull();
  });

  it("refuses a tampered cursor with a clear invalid_input error", async () => {
    const b64 = (text: string) => Buffer.from(text).toString("base64url");
    const valid = (await listPhotoPage(owner, { limit: 3 })).nextCursor!;
    for (const cursor of [
      "not-a-cursor",
      "%%%",
      b64("yesterday|0b7f1c52-7d25-4f7e-9d8e-8f7a2b1c3d4e"),
      b64("2024-06-01T12:00:00.000Z|"),
      b64("2024-06-01T12:00:00.000Z"),
      valid.slice(0, 10),
    ]) {
      await expectInvalidCursor(owner, cursor);
    }
  });

  it("treats a cursor carrying SQL as a plain position, still scoped to the owner", async () => {
    const stranger = await createUser("stranger");
    await db.photo.create({ data: photoRow(stranger, new Date(base - 1000)) });
    const cursor = Buffer.from(`2024-06-01T12:00:00.000Z|' OR 1=1 --`).toString("base64url");
    const page = await listPhotoPage(owner, { cursor, limit: 200 });
    const owned = new Set((await db.photo.findMany({ where: { ownerId: owner }, select: { id: true } })).map((p) => p.id));
    expect(page.tiles.length).toBeGreaterThan(0);
    expect(page.tiles.every((t) => owned.has(t.id))).toBe(true);
  });
});

describe("a deep page at 10,000 photos", () => {
  let owner: string;
  const ROWS = 10_000;

  beforeAll(async () => {
    owner = await createUser("big");
    // Rows only (no objects): this is about the query, not the images.
    const images: DemoImage[] = DEMO_ASPECTS.map((a) => ({
      aspect: a.name,
      source: 0,
      thumbKey: `demo/thumb-${a.name}.webp`,
      largeKey: `demo/large-${a.name}.webp`,
      thumb: Buffer.alloc(0),
      large: Buffer.alloc(0),
      thumbhash: "YOcJRYiGd3lviHeDeVeGaIdwaAiH",
    }));
    const rows = [...demoPhotoRows(owner, images, { count: ROWS, years: 10, seed: 7 })];
    for (let i = 0; i < rows.length; i += 2500) await insertDemoPhotoRows(db, rows.slice(i, i + 2500));
    // Fresh statistics, as autovacuum would have them on a real server.
    await db.$executeRawUnsafe('ANALYZE "Photo"');
  }, 180_000);

  // Half-way down, as page 1,000 of a big library is. (Not near the very end: there so few rows are left that
  // a bitmap scan plus a top-N sort of them is a fine plan too, and PGlite sometimes picked it.)
  const DEEP_ROW = ROWS / 2;

  async function deepCursor() {
    const [row] = await db.photo.findMany({
      where: { ownerId: owner, status: "READY" },
      orderBy: [{ sortAt: "desc" }, { id: "desc" }],
      skip: DEEP_ROW,
      take: 1,
      select: { id: true, sortAt: true },
    });
    return encodeCursor(row!);
  }

  it("takes about as long as page 1 (measured, printed)", async () => {
    const cursor = await deepCursor();
    const median = (values: number[]) => values.sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
    /** Wall time of the whole call (query + 60 signed URLs) and of its SQL alone. */
    const timeOnce = async (options: { cursor?: string }) => {
      const start = performance.now();
      const { result, queries } = await captureQueries(() => listPhotoPage(owner, options));
      expect(result.tiles).toHaveLength(FEED_PAGE_SIZE);
      return { total: performance.now() - start, sql: queries.reduce((sum, q) => sum + q.durationMs, 0) };
    };
    await timeOnce({});
    await timeOnce({ cursor });
    const first: { total: number; sql: number }[] = [];
    const deep: { total: number; sql: number }[] = [];
    // Interleaved, so background load on the machine hits both alike.
    for (let i = 0; i < 15; i++) {
      first.push(await timeOnce({}));
      deep.push(await timeOnce({ cursor }));
    }
    const report = (key: "total" | "sql") => {
      const [a, b] = [median(first.map((r) => r[key])), median(deep.map((r) => r[key]))];
      return `${a.toFixed(1)} ms vs ${b.toFixed(1)} ms (ratio ${(b / a).toFixed(2)})`;
    };
    console.log(`[gallery] ${ROWS} photos, page 1 vs the page at row ${DEEP_ROW}: listPhotoPage ${report("total")}; its SQL ${report("sql")}`);
  });

  it("is an index range scan on the feed index: no Seq Scan, no Sort, no walk from the top", async () => {
    const cursor = await deepCursor();
    const { result, queries } = await captureQueries(() => listPhotoPage(owner, { cursor }));
    expect(result.tiles).toHaveLength(FEED_PAGE_SIZE);
    const feed = queries.filter((q) => /FROM "public"."Photo"/.test(q.sql) && /ORDER BY/.test(q.sql));
    expect(feed, "one feed query per page").toHaveLength(1);

    const [{ "QUERY PLAN": plan }] = await db.$queryRawUnsafe<[{ "QUERY PLAN": [{ Plan: PlanNode }] }]>(
      `EXPLAIN (ANALYZE, FORMAT JSON) ${feed[0]!.sql}`,
      ...feed[0]!.params,
    );
    const nodes = flatten(plan[0].Plan);
    const types = nodes.map((n) => n["Node Type"]);
    expect(types, JSON.stringify(types)).not.toContain("Seq Scan");
    expect(types).not.toContain("Sort");
    expect(types).not.toContain("Incremental Sort");
    const scan = nodes.find((n) => n["Node Type"] === "Index Scan" || n["Node Type"] === "Index Only Scan");
    expect(scan, JSON.stringify(plan)).toBeDefined();
    expect(scan!["Index Name"]).toBe("Photo_ownerId_status_sortAt_id_idx");
    // The cursor bounds the index range, so the scan starts at the cursor instead of reading
    // (and filtering out) the ~9,900 newer photos first.
    expect(scan!["Index Cond"]).toMatch(/"sortAt" <=/);
    expect(scan!["Rows Removed by Filter"] ?? 0).toBeLessThanOrEqual(FEED_PAGE_SIZE);
  });
});

type PlanNode = {
  "Node Type": string;
  "Index Name"?: string;
  "Index Cond"?: string;
  "Rows Removed by Filter"?: number;
  Plans?: PlanNode[];
};

function flatten(node: PlanNode): PlanNode[] {
  return [node, ...(node.Plans ?? []).flatMap(flatten)];
}
