import { test, expect, type Page } from "@playwright/test";
import { newAccount, signUpThroughApi, type Account } from "./helpers";
import {
  chooseFiles,
  dragFilesOver,
  expectThumbnailLoaded,
  fixtureAs,
  fixturePath,
  holdStoragePuts,
  photoRowsOf,
  recordRequests,
  storageOrigin,
  storedStatus,
  uploadSummary,
} from "./upload-helpers";

const LANDSCAPE = "camera-gps-landscape.jpg";
const PORTRAIT = "camera-portrait-orientation-6.jpg";

// Each test has an account of its own: its grid holds exactly what the test uploaded.
test.use({ storageState: { cookies: [], origins: [] } });

let account: Account;
test.beforeEach(async ({ page }) => {
  account = newAccount("uploads");
  // page.request shares the browser context's cookies: signing up here signs the page in.
  await signUpThroughApi(page.request, account);
});

const panelRow = (page: Page, name: string) => page.getByRole("complementary", { name: "Uploads" }).getByRole("listitem").filter({ hasText: name });

test("photos dropped on the gallery go straight to storage, show progress, and appear in the grid", async ({ page, baseURL }) => {
  const files = [fixtureAs(LANDSCAPE, "field.jpg"), fixtureAs(PORTRAIT, "spinning-top.jpg"), fixtureAs("photo-exif-gps.webp", "harbour.webp")];
  await page.goto("/");
  const log = recordRequests(page);
  // Storage answers only once the panel has been seen mid-upload.
  const storage = await holdStoragePuts(page);

  const drag = await dragFilesOver(page, files);
  await expect(page.getByText("Drop to upload")).toBeVisible();
  await drag.drop();
  await expect(page.getByText("Drop to upload")).toBeHidden();

  await expect(uploadSummary(page)).toHaveText("0 of 3 uploaded");
  await expect.poll(storage.held).toBe(3);
  for (const { name } of files) {
    await expect(page.getByRole("progressbar", { name: `Upload of ${name}` })).toHaveAttribute("aria-valuenow", /^\d$|^[1-9]\d$/);
  }
  const overall = page.getByRole("progressbar", { name: "Overall upload progress" });
  expect(Number(await overall.getAttribute("aria-valuenow"))).toBeLessThan(100);
  storage.release();

  await expect(uploadSummary(page)).toHaveText("3 of 3 uploaded", { timeout: 45_000 });
  await expect(overall).toHaveAttribute("aria-valuenow", "100");
  for (const { name } of files) {
    await expect(page.getByRole("progressbar", { name: `Upload of ${name}` })).toHaveAttribute("aria-valuenow", "100");
    await expectThumbnailLoaded(page, name);
  }

  // The bytes went to storage, as PUTs of exactly each file's size; the app only ever saw small requests.
  const entries = await log.entries();
  const puts = entries.filter((e) => e.url.origin === storageOrigin() && e.method === "PUT");
  expect(puts.map((e) => e.status)).toEqual([storedStatus(), storedStatus(), storedStatus()]);
  expect(puts.map((e) => e.bodyBytes).sort()).toEqual(files.map((f) => f.buffer.length).sort());
  // To the upload key: the server copies verified bytes to the original's key, which no browser gets a URL for.
  for (const put of puts) expect(put.url.pathname).toMatch(/\/users\/[^/]+\/[0-9a-f-]{36}\/upload$/);
  const toApp = entries.filter((e) => e.url.origin === new URL(baseURL!).origin);
  expect(toApp.filter((e) => e.method === "POST").length).toBeGreaterThanOrEqual(3); // reserve, sign, complete
  for (const request of toApp) expect(request.bodyBytes, `${request.method} ${request.url.pathname}`).toBeLessThan(4 * 1024);
});

test("the file picker uploads photos, HEIC included", async ({ page }) => {
  await page.goto("/");
  await chooseFiles(page, [fixturePath(LANDSCAPE), fixturePath("photo-gps.heic"), fixturePath("photo.avif")]);

  await expect(uploadSummary(page)).toHaveText("3 of 3 uploaded", { timeout: 45_000 });
  for (const name of [LANDSCAPE, "photo-gps.heic", "photo.avif"]) await expectThumbnailLoaded(page, name);
  expect((await photoRowsOf(account.email)).map((r) => r.status)).toEqual(["READY", "READY", "READY"]);

  // Still there after a reload: the grid comes from the database, not from the uploader's memory.
  await page.reload();
  await expectThumbnailLoaded(page, "photo-gps.heic");
});

test("a file the browser can already refuse shows why, and sends no request at all", async ({ page }) => {
  await page.goto("/");
  const log = recordRequests(page);
  const before = log.count();

  await chooseFiles(page, [fixturePath("script.svg"), fixturePath("empty.jpg")]);

  await expect(panelRow(page, "script.svg")).toContainText("Not a supported photo type");
  await expect(panelRow(page, "empty.jpg")).toContainText("This file is empty.");
  await expect(uploadSummary(page)).toHaveText("0 of 2 uploaded, 2 failed");
  // Give a stray request time to show up before concluding there was none.
  await page.waitForTimeout(1_000);
  const sent = (await log.entries()).slice(before).filter((e) => e.method !== "GET" || e.url.origin === storageOrigin());
  expect(sent).toEqual([]);
  expect(await photoRowsOf(account.email)).toEqual([]);
});

test("a file that only pretends to be a photo is refused after upload, with the reason, and kept out of the grid", async ({ page }) => {
  await page.goto("/");
  await chooseFiles(page, [fixturePath("not-really.jpg")]);

  await expect(panelRow(page, "not-really.jpg")).toContainText("not a photo we can read");
  await expect(uploadSummary(page)).toHaveText("0 of 1 uploaded, 1 failed");
  await page.reload();
  await expect(page.getByRole("region", { name: "Failed uploads" })).toContainText("not-really.jpg");
  await expect(page.getByRole("img", { name: "not-really.jpg" })).toHaveCount(0);
});

test("a photo whose signed URL has expired by its turn is signed again, and the upload completes", async ({ page }) => {
  // Storage's answer to a URL past its expiry, for the first attempt only.
  const urlsTried: string[] = [];
  await page.route(`${storageOrigin()}/**`, async (route) => {
    const request = route.request();
    if (request.method() !== "PUT") return route.continue();
    urlsTried.push(request.url());
    if (urlsTried.length > 1) return route.continue();
    await route.fulfill({
      status: 403,
      headers: { "Access-Control-Allow-Origin": new URL(page.url()).origin, "Content-Type": "application/xml" },
      body: "<Error><Code>AccessDenied</Code><Message>Request has expired</Message></Error>",
    });
  });

  await page.goto("/");
  await chooseFiles(page, fixturePath(LANDSCAPE));
  await expect(uploadSummary(page)).toHaveText("1 of 1 uploaded", { timeout: 45_000 });
  await expectThumbnailLoaded(page, LANDSCAPE);
  // A 403 is not retried as such: the photo went again only because its URL was signed again.
  expect(urlsTried).toHaveLength(2);
  expect(await photoRowsOf(account.email)).toEqual([expect.objectContaining({ displayName: LANDSCAPE, status: "READY" })]);
});

test("cancelling an upload in flight, or one still waiting its turn, leaves nothing behind", async ({ page }) => {
  const names = ["one.jpg", "two.jpg", "three.jpg", "four.jpg", "five.jpg"];
  await page.goto("/");
  const storage = await holdStoragePuts(page);

  await chooseFiles(page, names.map((name) => fixtureAs(LANDSCAPE, name)));
  // Three files are sent at a time: the first three are held by storage, the other two wait.
  await expect.poll(storage.held).toBe(3);
  await expect(panelRow(page, "one.jpg")).toContainText("%");
  await expect(panelRow(page, "five.jpg")).toContainText("Waiting…");

  const cancelled = page.waitForResponse((r) => r.request().method() === "POST" && !!r.request().headers()["next-action"]);
  await page.getByRole("button", { name: "Cancel one.jpg" }).click();
  await cancelled;
  await page.getByRole("button", { name: "Cancel five.jpg" }).click();
  await expect(panelRow(page, "one.jpg")).toHaveCount(0);
  await expect(panelRow(page, "five.jpg")).toHaveCount(0);

  storage.release();
  await expect(uploadSummary(page)).toHaveText("3 of 3 uploaded", { timeout: 45_000 });
  // Every cancelled row is removed, whether it was on the wire or still waiting.
  await expect.poll(async () => (await photoRowsOf(account.email)).map((r) => `${r.displayName} ${r.status}`)).toEqual([
    "four.jpg READY",
    "three.jpg READY",
    "two.jpg READY",
  ]);

  await page.reload();
  for (const name of ["two.jpg", "three.jpg", "four.jpg"]) await expectThumbnailLoaded(page, name);
  await expect(page.getByRole("img", { name: "one.jpg" })).toHaveCount(0);
  await expect(page.getByRole("img", { name: "five.jpg" })).toHaveCount(0);
  await expect(page.getByRole("region", { name: "Failed uploads" })).toHaveCount(0);
});

test("a drop of 20 photos all land in the grid, each the right way up", async ({ page }) => {
  test.setTimeout(180_000);
  // Tall enough that the virtualized grid renders every row at once.
  await page.setViewportSize({ width: 1280, height: 3200 });
  const sources = [LANDSCAPE, PORTRAIT, "photo-exif-gps.webp", "photo.avif", "transparent.png"];
  const files = Array.from({ length: 20 }, (_, i) => {
    const source = sources[i % sources.length]!;
    return { source, ...fixtureAs(source, `batch-${String(i + 1).padStart(2, "0")}-${source}`) };
  });
  await page.goto("/");

  const drag = await dragFilesOver(page, files);
  await drag.drop();

  await expect(uploadSummary(page)).toHaveText("20 of 20 uploaded", { timeout: 150_000 });
  for (const file of files) {
    const image = await expectThumbnailLoaded(page, file.name);
    const box = (await image.boundingBox())!;
    if (file.source === PORTRAIT) expect(box.height, file.name).toBeGreaterThan(box.width);
    else expect(box.width, file.name).toBeGreaterThan(box.height);
  }
  expect(await photoRowsOf(account.email)).toHaveLength(20);
});
