// Prints, as JSON, the SQL and parameters that lib/photos/queries.ts listPhotoPage
// sends for one page, so the feed benchmark EXPLAINs and times exactly what the
// app runs. Needs the react-server condition (lib/db starts with "server-only"):
//
//   node --conditions=react-server --import tsx bench/lib/feed-sql.ts <ownerId> [cursor]
//
// Like tests/integration/capture-queries.ts: a logging Prisma client is put where
// lib/db looks for its cached client before lib/db is imported.
import { PrismaPg } from "@prisma/adapter-pg";
import { PrismaClient } from "../../lib/generated/prisma/client";

async function main() {
  const [ownerId, cursor] = process.argv.slice(2);
  if (!ownerId) throw new Error("usage: feed-sql.ts <ownerId> [cursor]");
  const captured: { sql: string; params: unknown[] }[] = [];
  const client = new PrismaClient({ adapter: new PrismaPg({ connectionString: process.env.DATABASE_URL!, max: 1 }), log: [{ emit: "event", level: "query" }] });
  client.$on("query", (event) => captured.push({ sql: event.query, params: JSON.parse(event.params) as unknown[] }));
  (globalThis as { snapshelfDb?: PrismaClient }).snapshelfDb = client;
  const { listPhotoPage } = await import("../../lib/photos/queries");
  await listPhotoPage(ownerId, { cursor });
  const page = captured.find((query) => /ORDER BY/i.test(query.sql) && /"Photo"/.test(query.sql));
  if (!page) throw new Error(`no feed query captured among ${captured.length}`);
  console.log(JSON.stringify(page));
  await client.$disconnect();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
