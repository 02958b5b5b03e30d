import { execFile } from "node:child_process";
import { promisify } from "node:util";

const run = promisify(execFile);

/**
 * Gives an existing account `count` READY photos named demo-000000.jpg (newest)
 * to demo-<count-1>.jpg (oldest), with real thumbnails in storage, by running
 * `npm run db:seed-demo` against the database and storage the test run uses
 * (scripts/test.ts puts DATABASE_URL and the storage settings in our environment).
 */
export async function seedDemoPhotos(email: string, count: number, options: { years?: number } = {}) {
  // Tests write straight into this database: never anything but a local one.
  const host = new URL(process.env.DATABASE_URL ?? "postgresql://missing").hostname;
  if (host !== "127.0.0.1" && host !== "localhost") throw new Error(`Refusing to seed ${host}: tests only seed a database on 127.0.0.1.`);
  await run(
    process.execPath,
    ["--conditions=react-server", "--import", "tsx", "scripts/seed-demo.ts", "--photos", String(count), "--email", email, "--years", String(options.years ?? 2)],
    { env: process.env, timeout: 120_000 },
  );
}
