/**
 * The person closes the tab in the middle of an upload: the PUT to storage is cut
 * off (upload throughput is throttled so it is surely mid-way), complete is never
 * called. What was uploaded before stays intact; the cut upload never shows as a
 * photo, and one sweeper run once its URL has expired removes its row and any
 * bytes that landed.
 */
import { writeFileSync } from "node:fs";
import path from "node:path";
import sharp from "sharp";
import type { Browser } from "playwright";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAppServer, type AppServer } from "../security/support/app-server";
import { launchChromium, signUpInContext } from "../security/support/browser";
import { newAccount } from "../security/support/http-flows";
import { startWorld, WORLD_DIST_DIR, type World } from "../security/support/world";

let world: World;
let app: AppServer;
let browser: Browser;
let lib: {
  invariants: typeof import("./support/invariants");
  data: typeof import("../security/support/data");
  db: typeof import("@/lib/db").db;
};
let bigFile: string;

beforeAll(async () => {
  world = await startWorld({ name: "faults-browser" });
  Object.assign(process.env, world.env);
  lib = { invariants: await import("./support/invariants"), data: await import("../security/support/data"), db: (await import("@/lib/db")).db };
  // ~10 MB: one PUT (below the multipart threshold) that takes seconds at 1 MB/s.
  const big = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 60 } } })
    .jpeg({ quality: 95 })
    .toBuffer();
  bigFile = path.join(world.dataDir, "big-upload.jpg");
  writeFileSync(bigFile, big);
  app = await startAppServer({ port: world.appPort, distDir: WORLD_DIST_DIR, appUrl: world.appUrl, env: world.env });
  browser = await launchChromium();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await lib?.db.$disconnect();
  await world?.stop();
});

it("closing the page during a PUT loses nothing that finished and leaves nothing after one sweeper run", async () => {
  const context = await browser.newContext({ baseURL: app.url });
  const account = newAccount("closer");
  await signUpInContext(context, app.url, account);
  const page = await context.newPage();
  await page.goto("/");

  // A photo that finishes first: it must survive what follows.
  await page.getByLabel("Choose photos").setInputFiles("tests/fixtures/photos/camera-gps-landscape.jpg");
  await page.getByText("1 of 1 uploaded").waitFor({ timeout: 60_000 });

  // Then a big one on a slow uplink; close the tab while its bytes are on the wire.
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 1024 * 1024 });
  const putStarted = page.waitForRequest((request) => request.method() === "PUT" && request.url().startsWith(world.env.S3_ENDPOINT!));
  await page.getByLabel("Choose photos").setInputFiles(bigFile);
  await putStarted;
  await page.waitForTimeout(2000);
  await page.close();
  await context.close();

  const owner = await lib.db.user.findUniqueOrThrow({ where: { email: account.email } });
  const rows = await lib.db.photo.findMany({ where: { ownerId: owner.id }, orderBy: { createdAt: "asc" } });
  expect(rows.map((r) => r.status)).toEqual(["READY", "PENDING"]);
  const cut = rows[1]!;

  // Coming back: the gallery shows the finished photo only, and nothing is broken.
  const again = await browser.newContext({ baseURL: app.url });
  await again.request.post(`${app.url}/api/auth/sign-in/email`, { data: { email: account.email, password: account.password }, headers: { Origin: app.url } });
  const feed = (await (await again.request.get(`${app.url}/api/photos`)).json()) as { tiles: { id: string }[] };
  expect(feed.tiles.map((t) => t.id)).toEqual([rows[0]!.id]);
  await again.close();

  // Before anything repairs: the finished photo is intact, and the cut upload is all there is to
  // remove, once its URL has expired and not before.
  const expired = new Date(cut.uploadExpiresAt.getTime() + 16 * 60_000);
  expect(await lib.invariants.expectNothingLost()).toBe(1);
  await lib.invariants.expectSweepFinds({}, new Date());
  await lib.invariants.expectSweepFinds({ expiredPending: 1 }, expired);
  // The sweeper leaves an upload alone while its URL could still be used, then removes it.
  expect((await lib.invariants.runSweeper()).expiredPending).toBe(0);
  const report = await lib.invariants.runSweeper(expired);
  expect(report.expiredPending).toBe(1);
  expect(await lib.db.photo.findUnique({ where: { id: cut.id } })).toBeNull();
  expect(await lib.data.objectKeys(owner.id)).toEqual([rows[0]!.originalKey, rows[0]!.thumbKey, rows[0]!.largeKey].sort());
  await lib.invariants.expectRecoveredCleanly(1);
}, 300_000);
