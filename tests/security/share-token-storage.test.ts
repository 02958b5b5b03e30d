/**
 * Share tokens are stored hashed: the database (and so any dump or backup of it) holds the
 * sha256 of each token and a copy sealed with the app's secret, never a token that opens a link.
 * The migration that introduced this hashes the tokens of existing links in plain SQL; it is
 * checked here on the embedded PGlite and, when MIGRATION_TEST_PG_URL names one, on PostgreSQL,
 * and its hash must be exactly the one the app computes, or every old link would stop working.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import pg from "pg";
import { afterAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { originalKey, variantKey } from "@/lib/photos/keys";
import { createShareLink } from "@/lib/shares/mutations";
import { getPublicShare, listShareLinksForPhoto } from "@/lib/shares/queries";
import { hashShareToken } from "@/lib/shares/tokens";
import { startEmbeddedPostgres } from "@/scripts/embedded/postgres";
import { createUser, removeSeededUsers } from "../helpers/seed";

const MIGRATIONS = path.resolve("prisma/migrations");
const HASHING_MIGRATION = "20261203164149_share_token_hash";
const ADMIN_URL = process.env.MIGRATION_TEST_PG_URL || undefined;

afterAll(async () => {
  await removeSeededUsers();
});

async function readyPhoto(ownerId: string) {
  const id = randomUUID();
  return db.photo.create({
    data: {
      id,
      ownerId,
      status: "READY",
      originalKey: originalKey(ownerId, id),
      thumbKey: variantKey(ownerId, id, "thumb"),
      largeKey: variantKey(ownerId, id, "large"),
      displayName: "beach.jpg",
      contentType: "image/jpeg",
      sizeBytes: 123_456n,
      width: 4000,
      height: 3000,
      sortAt: new Date(),
      uploadExpiresAt: new Date(Date.now() + 3600_000),
    },
  });
}

describe("a new share link", () => {
  it("is stored as the sha256 of its token and a sealed copy: no column holds the token, yet the link opens and its owner can copy it", async () => {
    const owner = await createUser("hashed-token");
    const photo = await readyPhoto(owner.id);
    const link = await createShareLink(owner.id, photo.id, { expiresIn: "7d", allowDownload: false });

    const [row] = await db.$queryRaw<Record<string, unknown>[]>`SELECT * FROM "ShareLink" WHERE id = ${link.id}`;
    expect(JSON.stringify(row)).not.toContain(link.token);
    expect(row).toMatchObject({ tokenHash: hashShareToken(link.token) });

    expect((await getPublicShare(link.token))?.id).toBe(link.id);
    // What a dump holds does not open the link.
    expect(await getPublicShare(row!.tokenHash as string)).toBeUndefined();
    expect(await getPublicShare(row!.tokenSealed as string)).toBeUndefined();

    expect((await listShareLinksForPhoto(owner.id, photo.id)).map((view) => view.token)).toEqual([link.token]);
  });
});

describe(`migration ${HASHING_MIGRATION}`, () => {
  async function migratedLinks(client: pg.Client, tokens: string[]) {
    const names = (await readdir(MIGRATIONS, { withFileTypes: true })).filter((entry) => entry.isDirectory()).map((entry) => entry.name).sort();
    const before = names.filter((name) => name < HASHING_MIGRATION);
    expect(names).toContain(HASHING_MIGRATION);
    for (const name of before) await client.query(await readFile(path.join(MIGRATIONS, name, "migration.sql"), "utf8"));
    // Links to photos and owners that do not exist: the migration only reads ShareLink, so skip the foreign keys.
    await client.query("SET session_replication_role = replica");
    for (const token of tokens) {
      await client.query(`INSERT INTO "ShareLink" (id, token, "photoId", "ownerId") VALUES ($1, $2, $3, $4)`, [randomUUID(), token, randomUUID(), randomUUID()]);
    }
    await client.query("SET session_replication_role = DEFAULT");
    await client.query(await readFile(path.join(MIGRATIONS, HASHING_MIGRATION, "migration.sql"), "utf8"));
    const { rows } = await client.query<{ tokenHash: string; tokenSealed: string | null }>(`SELECT "tokenHash", "tokenSealed" FROM "ShareLink"`);
    const { rows: columns } = await client.query<{ column_name: string }>(
      `SELECT column_name FROM information_schema.columns WHERE table_name = 'ShareLink' AND column_name = 'token'`,
    );
    return { rows, tokenColumnLeft: columns.length > 0 };
  }

  const tokens = Array.from({ length: 20 }, () => randomBytes(32).toString("base64url"));

  it("hashes existing tokens on the embedded PGlite exactly as the app does, and drops the token column", async () => {
    const server = await startEmbeddedPostgres({ dataDir: "memory://", port: 0 });
    const client = new pg.Client({ connectionString: server.url });
    try {
      await client.connect();
      const { rows, tokenColumnLeft } = await migratedLinks(client, tokens);
      expect(rows.map((row) => row.tokenHash).sort()).toEqual(tokens.map(hashShareToken).sort());
      expect(rows.every((row) => row.tokenSealed === null)).toBe(true);
      expect(tokenColumnLeft).toBe(false);
    } finally {
      await client.end();
      await server.stop();
    }
  });

  it.skipIf(!ADMIN_URL)("does the same on PostgreSQL (MIGRATION_TEST_PG_URL)", async () => {
    const database = `share_token_hash_${process.pid}_${randomBytes(3).toString("hex")}`;
    const admin = new pg.Client({ connectionString: ADMIN_URL });
    await admin.connect();
    await admin.query(`CREATE DATABASE "${database}"`);
    const url = new URL(ADMIN_URL!);
    url.pathname = `/${database}`;
    const client = new pg.Client({ connectionString: url.toString() });
    try {
      await client.connect();
      const { rows, tokenColumnLeft } = await migratedLinks(client, tokens);
      expect(rows.map((row) => row.tokenHash).sort()).toEqual(tokens.map(hashShareToken).sort());
      expect(tokenColumnLeft).toBe(false);
    } finally {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS "${database}" WITH (FORCE)`);
      await admin.end();
    }
  });
});
