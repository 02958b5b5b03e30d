/**
 * `npm run db:seed-demo -- --photos 100000 [--email demo@example.com]`: a demo
 * account with a large library, to try the gallery at scale. See HELP below.
 */
import { randomBytes } from "node:crypto";
import path from "node:path";
import { parseArgs } from "node:util";
import { loadEnvConfig } from "@next/env";
import { readRunningStack, startStack, type Stack } from "./embedded/stack";
import { DEMO_ASPECTS, DEMO_PREFIX, DEMO_SOURCE_FIXTURES, demoPhotoRows, insertDemoPhotoRows, renderDemoImages, type DemoPhotoRow } from "./demo-photos";

const HELP = `Usage: npm run db:seed-demo -- --photos N [options]

Fills the database in DATABASE_URL (else the embedded one \`npm start\` runs,
else a freshly started embedded one in .data/) with a demo account and N READY
photos spread over the last years, in batches.

  --photos N       how many photos to add (required)
  --email ADDRESS  the account (default demo@example.com); an existing account
                   gets the photos added, its password unchanged
  --password TEXT  password for a new account (default: generated and printed)
  --years N        how far back the timeline goes (default 10)
  --batch N        rows per INSERT (default 5000)
  --seed N         same seed, same library (default 1)

What is real and what is not: the photos are named demo-000123.jpg; their
thumbnails and large images are ${DEMO_SOURCE_FIXTURES.length * DEMO_ASPECTS.length} pairs of real WebP files (the fixture
photos cropped to ${DEMO_ASPECTS.map((a) => a.name).join(", ")}) stored once under demo/ and shared by every
row, so the gallery and photo pages look real. The originals do not exist:
each row has its own original key with no object behind it, so downloading
an original fails, and \`npm run storage:check\` reports every demo photo as
missingObjects. Its --fix, and the app's periodic sweeper, would mark them
all FAILED: run the app with SWEEPER_INTERVAL_SECONDS=0 while you try the demo.`;

const { values } = parseArgs({
  options: {
    photos: { type: "string" },
    email: { type: "string", default: "demo@example.com" },
    password: { type: "string" },
    years: { type: "string", default: "10" },
    batch: { type: "string", default: "5000" },
    seed: { type: "string", default: "1" },
    help: { type: "boolean", short: "h" },
  },
});

function positiveInt(name: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) {
    console.error(`--${name} must be a positive whole number.\n\n${HELP}`);
    process.exit(2);
  }
  return n;
}

/** Uses the configured services, else the embedded ones `npm start` is running, else starts them. */
async function connect(): Promise<Stack | undefined> {
  loadEnvConfig(process.cwd());
  if (!process.env.DATABASE_URL) {
    const running = readRunningStack(process.cwd());
    if (running) {
      Object.assign(process.env, running);
      return undefined;
    }
  }
  const stack = await startStack({ dataDir: path.join(process.cwd(), ".data"), appUrl: process.env.APP_URL ?? "http://localhost:3000" });
  Object.assign(process.env, stack.env);
  return stack;
}

async function main() {
  if (values.help) {
    console.log(HELP);
    return;
  }
  const count = positiveInt("photos", values.photos);
  const years = positiveInt("years", values.years);
  const batchSize = positiveInt("batch", values.batch);
  const seed = positiveInt("seed", values.seed);
  const email = values.email.toLowerCase();

  const stack = await connect();
  try {
    // After connect(): lib/env reads the connection settings at import.
    const { db } = await import("@/lib/db");
    const { auth } = await import("@/lib/auth/auth");
    const { getStorage } = await import("@/lib/storage");

    let user = await db.user.findUnique({ where: { email }, select: { id: true } });
    if (user) {
      console.log(`Account ${email} exists: adding photos to it (its password is unchanged).`);
    } else {
      const password = values.password ?? randomBytes(12).toString("base64url");
      const created = await auth.api.signUpEmail({ body: { name: "Demo", email, password } });
      user = { id: created.user.id };
      console.log(`Created account ${email} with password: ${password}`);
    }

    const rendering = performance.now();
    const images = await renderDemoImages();
    const storage = getStorage();
    await Promise.all(
      images.flatMap((image) => [
        storage.put(image.thumbKey, image.thumb, { contentType: "image/webp", cacheControl: "private, max-age=31536000, immutable" }),
        storage.put(image.largeKey, image.large, { contentType: "image/webp", cacheControl: "private, max-age=31536000, immutable" }),
      ]),
    );
    console.log(`Made and stored ${images.length * 2} shared demo variants under ${DEMO_PREFIX} in ${((performance.now() - rendering) / 1000).toFixed(1)} s.`);

    const firstIndex = await db.photo.count({ where: { ownerId: user.id, displayName: { startsWith: "demo-" } } });
    const started = performance.now();
    let inserted = 0;
    let batch: DemoPhotoRow[] = [];
    const flush = async () => {
      await insertDemoPhotoRows(db, batch);
      inserted += batch.length;
      batch = [];
      const seconds = (performance.now() - started) / 1000;
      process.stdout.write(`\r  ${inserted.toLocaleString("en")} / ${count.toLocaleString("en")} photos, ${Math.round(inserted / seconds).toLocaleString("en")} rows/s`);
    };
    // A different seed per run, so a second run adds a different timeline.
    for (const row of demoPhotoRows(user.id, images, { count, years, seed: seed + firstIndex, firstIndex })) {
      batch.push(row);
      if (batch.length >= batchSize) await flush();
    }
    if (batch.length > 0) await flush();
    const seconds = (performance.now() - started) / 1000;
    console.log(
      `\nInserted ${inserted.toLocaleString("en")} READY photos in ${seconds.toFixed(1)} s (${Math.round(inserted / seconds).toLocaleString("en")} rows/s).`,
    );
    console.log("Demo photos have no original objects: keep the sweeper off (SWEEPER_INTERVAL_SECONDS=0); see --help.");
  } finally {
    await stack?.stop();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`db:seed-demo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
