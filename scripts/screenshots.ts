/**
 * `npm run screenshots`: the README's screenshots, taken from the real app.
 *
 * Starts fresh embedded services in a temporary folder (never your .data/ or a
 * configured database), builds and starts the app on a free port, signs up
 * through the form, uploads photos made from the test fixtures through the
 * picker, and saves docs/screenshots/*.png:
 *
 *   gallery.png            desktop, 1280×800
 *   gallery-dark.png       the same in dark mode
 *   gallery-mobile.png     390×844
 *   upload-in-progress.png the upload panel with transfers mid-way
 *   photo.png              a photo page
 *   share.png              the public share page, logged out
 *
 * Chromium is Debian's (/usr/bin/chromium, or CHROMIUM_PATH) with the same flags
 * as the end-to-end tests. PNGs are colour-quantized to stay well under 400 KB.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright";
import sharp from "sharp";
import playwrightConfig from "../playwright.config";
import { startStack, type Stack } from "./embedded/stack";
import { freePort } from "./ports";

const root = process.cwd();
const outDir = path.join(root, "docs", "screenshots");
const fixtures = path.join(root, "tests", "fixtures", "photos");
const MAX_PNG_BYTES = 400 * 1024;
const ACCOUNT = { name: "Alex Rivera", email: "alex@example.com", password: "correct horse battery" };

/** Fresh services whatever the environment says: screenshots must never touch real data. */
async function startServices(dataDir: string, appUrl: string): Promise<Stack> {
  const source = { ...process.env };
  for (const name of ["DATABASE_URL", "BETTER_AUTH_SECRET", "STORAGE_DRIVER", "S3_ENDPOINT", "S3_BUCKET", "S3_PUBLIC_ENDPOINT", "EMBEDDED_STORAGE"]) delete source[name];
  for (const name of Object.keys(source)) if (name.startsWith("AZURE_")) delete source[name];
  return startStack({ dataDir, inMemoryDatabase: true, appUrl, source });
}

async function startApp(stack: Stack, port: number, appUrl: string): Promise<ChildProcess> {
  const app = spawn(process.execPath, ["--import", "tsx", "scripts/serve.ts", "start", "--port", String(port)], {
    env: {
      ...process.env,
      ...stack.env,
      APP_URL: appUrl,
      NEXT_TELEMETRY_DISABLED: "1",
      SWEEPER_INTERVAL_SECONDS: "0",
      SIGN_UP_RATE_LIMIT_PER_HOUR: "100",
    },
    stdio: ["ignore", "inherit", "inherit"],
    detached: true,
  });
  const deadline = Date.now() + 10 * 60_000;
  while (Date.now() < deadline) {
    if (app.exitCode !== null) throw new Error(`The app exited (${app.exitCode}) before it was ready.`);
    const ok = await fetch(`${appUrl}/api/health`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return app;
    await new Promise((r) => setTimeout(r, 1000));
  }
  throw new Error("The app did not become ready in 10 minutes.");
}

/**
 * The photos to upload: five fixtures under friendlier names, plus crops of them
 * dated over the last months (EXIF DateTimeOriginal), so the gallery has a few
 * months of varied shapes rather than five photos years apart.
 */
async function preparePhotos(dir: string): Promise<{ originals: string[]; crops: string[] }> {
  mkdirSync(dir, { recursive: true });
  const fixtureCopies: [string, string][] = [
    ["camera-gps-landscape.jpg", "field-path.jpg"],
    ["camera-portrait-orientation-6.jpg", "spinning-top.jpg"],
    ["photo-exif-gps.webp", "harbour.webp"],
    ["photo.avif", "fox-statue.avif"],
    ["photo-gps.heic", "wisteria.heic"],
  ];
  const originals = fixtureCopies.map(([fixture, name]) => {
    const target = path.join(dir, name);
    copyFileSync(path.join(fixtures, fixture), target);
    return target;
  });

  const sources = ["camera-gps-landscape.jpg", "camera-portrait-orientation-6.jpg", "photo-exif-gps.webp", "photo.avif"];
  const shapes = [
    { w: 3, h: 2, x: 0.5, y: 0.5, zoom: 1 },
    { w: 2, h: 3, x: 0.3, y: 0.55, zoom: 0.9 },
    { w: 1, h: 1, x: 0.65, y: 0.45, zoom: 0.6 },
    { w: 16, h: 9, x: 0.5, y: 0.65, zoom: 1 },
    { w: 4, h: 3, x: 0.3, y: 0.4, zoom: 0.55 },
  ];
  const now = Date.now();
  const crops: { file: string; taken: Date }[] = [];
  for (const [s, source] of sources.entries()) {
    const base = sharp(path.join(fixtures, source)).rotate();
    const { data, info } = await base.toColourspace("srgb").removeAlpha().raw().toBuffer({ resolveWithObject: true });
    for (const [k, shape] of shapes.entries()) {
      const ratio = shape.w / shape.h;
      let cw = Math.min(info.width, info.height * ratio) * shape.zoom;
      let ch = cw / ratio;
      if (ch > info.height) [ch, cw] = [info.height, info.height * ratio];
      const left = Math.round(Math.min(info.width - cw, Math.max(0, shape.x * info.width - cw / 2)));
      const top = Math.round(Math.min(info.height - ch, Math.max(0, shape.y * info.height - ch / 2)));
      // Subjects alternate through time, as on real outings, rather than one subject per month.
      const taken = new Date(now - (2 + (k * sources.length + s) * 4.3) * 24 * 3600_000);
      const stamp = taken.toISOString().slice(0, 19).replace("T", " ").replaceAll("-", ":");
      const file = path.join(dir, `${["meadow", "table", "waterfront", "garden"][s]}-${k + 1}.jpg`);
      await sharp(data, { raw: { width: info.width, height: info.height, channels: info.channels } })
        .extract({ left, top, width: Math.round(cw), height: Math.round(ch) })
        .resize(1600, 1600, { fit: "inside", withoutEnlargement: true })
        .modulate({ brightness: 0.94 + (k % 3) * 0.05, saturation: 0.9 + (k % 4) * 0.08 })
        .flop(k % 2 === 1)
        .withExif({ IFD0: { Make: "Fujifilm", Model: "X-T5" }, IFD2: { DateTimeOriginal: stamp } })
        .jpeg({ quality: 82 })
        .toFile(file);
      crops.push({ file, taken });
    }
  }
  return { originals, crops: crops.sort((a, b) => b.taken.getTime() - a.taken.getTime()).map((c) => c.file) };
}

/** PNG, colour-quantized (sharp's libimagequant) until it fits the size budget. */
async function savePng(name: string, screenshot: Buffer) {
  for (const colours of [256, 192, 128, 96, 64]) {
    const png = await sharp(screenshot).png({ palette: true, colours, quality: 90, effort: 10, compressionLevel: 9, dither: 0.8 }).toBuffer();
    if (png.length <= MAX_PNG_BYTES) {
      writeFileSync(path.join(outDir, name), png);
      console.log(`  ${name.padEnd(24)} ${(png.length / 1024).toFixed(0)} KB (${colours} colours)`);
      return;
    }
  }
  throw new Error(`${name} stays above ${MAX_PNG_BYTES / 1024} KB even with 64 colours.`);
}

async function waitForImages(page: Page) {
  // Every image in the viewport has arrived (the grid's lazy ones further down may not have started).
  await page.waitForFunction(() =>
    [...document.images]
      .filter((img) => {
        const box = img.getBoundingClientRect();
        return box.width > 0 && box.bottom > 0 && box.top < window.innerHeight;
      })
      .every((img) => img.complete && img.naturalWidth > 0),
  );
  // Let fade-ins finish.
  await page.waitForTimeout(600);
}

async function signUp(page: Page) {
  await page.goto("/sign-up");
  await page.getByLabel("Name").fill(ACCOUNT.name);
  await page.getByLabel("Email").fill(ACCOUNT.email);
  await page.getByLabel("Password").fill(ACCOUNT.password);
  await page.getByRole("button", { name: "Create account" }).click();
  await page.getByRole("heading", { name: "Your photos" }).waitFor();
}

/** Uploads through the picker and waits until storage has every file and the panel says so. */
async function upload(page: Page, files: string[]) {
  await page.getByLabel("Choose photos").setInputFiles(files);
  await page.getByRole("status").filter({ hasText: `${files.length} of ${files.length} uploaded` }).waitFor({ timeout: 180_000 });
}

/** Waits until the feed lists `count` READY photos (processing runs after the upload). */
async function waitForReady(page: Page, count: number) {
  const deadline = Date.now() + 180_000;
  while (Date.now() < deadline) {
    const feed = (await (await page.request.get("/api/photos")).json()) as { tiles: unknown[] };
    if (feed.tiles.length >= count) return;
    await page.waitForTimeout(1000);
  }
  throw new Error(`Fewer than ${count} photos were processed in 3 minutes.`);
}

/**
 * The panel caught mid-way: storage PUTs go through a slow uplink (Chromium's own
 * network throttling), so bars move while later files wait their turn. (Holding
 * PUTs with page.route shows nothing useful: Chromium intercepts a request before
 * its body is sent, so a held upload sits at 0%.)
 */
async function uploadSlowly(page: Page, context: BrowserContext, files: string[]) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 40, downloadThroughput: -1, uploadThroughput: 400 * 1024 });
  await page.getByLabel("Choose photos").setInputFiles(files);
  // Wanted: some files finished, some part-way; bars are polled since the moment is brief.
  const deadline = Date.now() + 120_000;
  for (;;) {
    const bars = await page
      .locator('[role="progressbar"][aria-label^="Upload of"]')
      .evaluateAll((elements) => elements.map((bar) => Number(bar.getAttribute("aria-valuenow"))));
    if (bars.some((v) => v === 100) && bars.some((v) => v > 10 && v < 90)) break;
    if (Date.now() > deadline) throw new Error(`The upload panel never showed transfers part-way (last: ${bars.join(", ")}).`);
    await page.waitForTimeout(100);
  }
  // The bars animate their width; let them catch up with the numbers.
  await page.waitForTimeout(350);
  await page.mouse.move(0, 0);
  await savePng("upload-in-progress.png", await page.screenshot());
  await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
  await page.getByRole("status").filter({ hasText: `${files.length} of ${files.length} uploaded` }).waitFor({ timeout: 180_000 });
}

/** What is running, so that a failure or Ctrl-C still stops it all. */
const running: { dataDir?: string; stack?: Stack; app?: ChildProcess; browser?: Browser } = {};

async function stopEverything() {
  await running.browser?.close().catch(() => {});
  const { app } = running;
  if (app?.pid && app.exitCode === null) {
    // The launcher stops Next (its own process group) on SIGTERM.
    process.kill(-app.pid, "SIGTERM");
    await new Promise((resolve) => app.once("exit", resolve));
  }
  await running.stack?.stop();
  if (running.dataDir) rmSync(running.dataDir, { recursive: true, force: true });
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => void stopEverything().finally(() => process.exit(130)));
}

async function main() {
  const dataDir = (running.dataDir = mkdtempSync(path.join(os.tmpdir(), "snapshelf-screenshots-")));
  const port = await freePort();
  const appUrl = `http://localhost:${port}`;
  try {
    mkdirSync(outDir, { recursive: true });
    const { originals, crops } = await preparePhotos(path.join(dataDir, "uploads"));
    const stack = (running.stack = await startServices(dataDir, appUrl));
    console.log(`Screenshots: ${stack.started.join(", ")}; app on ${appUrl}`);
    running.app = await startApp(stack, port, appUrl);

    const browser = (running.browser = await chromium.launch({ ...playwrightConfig.use?.launchOptions, headless: true }));
    const desktop = await browser.newContext({ baseURL: appUrl, viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const page = await desktop.newPage();
    await signUp(page);
    // A first batch lands in the gallery, so the second one is shown uploading over real photos.
    const first = crops.slice(0, 12);
    const second = [...originals, ...crops.slice(12)];
    await upload(page, first);
    await waitForReady(page, first.length);
    await page.reload();
    await uploadSlowly(page, desktop, second);
    await waitForReady(page, first.length + second.length);

    await page.goto("/");
    await waitForImages(page);
    await savePng("gallery.png", await page.screenshot());

    const session = await desktop.storageState();
    const dark = await browser.newContext({ baseURL: appUrl, viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1, colorScheme: "dark", storageState: session });
    const darkPage = await dark.newPage();
    await darkPage.goto("/");
    await waitForImages(darkPage);
    await savePng("gallery-dark.png", await darkPage.screenshot());

    const mobile = await browser.newContext({
      baseURL: appUrl,
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 1,
      isMobile: true,
      hasTouch: true,
      storageState: session,
    });
    const mobilePage = await mobile.newPage();
    await mobilePage.goto("/");
    await waitForImages(mobilePage);
    await savePng("gallery-mobile.png", await mobilePage.screenshot());

    const feed = (await (await page.request.get("/api/photos")).json()) as { tiles: { id: string; name: string }[] };
    const photo = feed.tiles.find((t) => t.name === "field-path.jpg");
    if (!photo) throw new Error("field-path.jpg is not in the gallery.");
    await page.goto(`/photos/${photo.id}`);
    await page.getByRole("heading", { level: 1, name: photo.name }).waitFor();
    await waitForImages(page);
    await savePng("photo.png", await page.screenshot());

    await page.getByRole("button", { name: "Create link" }).click();
    const link = await page.getByLabel("Link to share").inputValue();
    const visitor = await browser.newContext({ viewport: { width: 1280, height: 800 }, deviceScaleFactor: 1 });
    const visitorPage = await visitor.newPage();
    await visitorPage.goto(link);
    await waitForImages(visitorPage);
    await savePng("share.png", await visitorPage.screenshot());
    console.log(`Saved to ${path.relative(root, outDir)}/`);
  } finally {
    await stopEverything();
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(`screenshots failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exit(1);
  },
);
