import { test, expect, type Browser, type Page } from "@playwright/test";
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { newAccount, signUpThroughApi } from "./helpers";
import { seedDemoPhotos } from "./seed-photos";
import { fixtureAs, uploadSummary } from "./upload-helpers";

const LANDSCAPE = "camera-gps-landscape.jpg";
const PORTRAIT = "camera-portrait-orientation-6.jpg";

// Each test gets an account of its own.
test.use({ storageState: { cookies: [], origins: [] } });
// Seeding, uploads and processing on a 2-core machine: these are long flows.
test.setTimeout(240_000);

const sha256 = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex");

/** Clicks "Download all" where the browser has no showSaveFilePicker (the parts path), saves the ZIP and unzips it. */
async function downloadAll(page: Page): Promise<Map<string, string>> {
  // Chromium has the picker (on Window.prototype, so `delete` would not remove it), and a native dialog cannot be driven here.
  await page.evaluate(() => Object.defineProperty(window, "showSaveFilePicker", { value: undefined, configurable: true }));
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByRole("button", { name: "Download all" }).click()]);
  const dir = mkdtempSync(path.join(tmpdir(), "album-zip-"));
  const zip = path.join(dir, download.suggestedFilename());
  await download.saveAs(zip);
  execFileSync("unzip", ["-q", zip, "-d", path.join(dir, "out")]);
  const out = path.join(dir, "out");
  return new Map(readdirSync(out).map((name) => [name, sha256(readFileSync(path.join(out, name)))]));
}

let email = "";
test.beforeEach(async ({ page }) => {
  const account = newAccount("albums");
  email = account.email;
  await signUpThroughApi(page.request, account);
});

/** A visitor who has never signed in: a fresh context, no cookies. */
async function visitor(browser: Browser) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  return { context, page: await context.newPage() };
}

/** Drops files on the page the way a browser does (dragenter, then drop), aimed at its heading. */
async function dropFiles(page: Page, heading: string, files: { name: string; mimeType: string; buffer: Buffer }[]) {
  await page.waitForFunction(() => document.querySelector("input[aria-label='Choose photos']") !== null);
  const dataTransfer = await page.evaluateHandle(
    (list) => {
      const transfer = new DataTransfer();
      for (const f of list) transfer.items.add(new File([Uint8Array.from(atob(f.base64), (c) => c.charCodeAt(0))], f.name, { type: f.mimeType }));
      return transfer;
    },
    files.map((f) => ({ name: f.name, mimeType: f.mimeType, base64: f.buffer.toString("base64") })),
  );
  const target = page.getByRole("heading", { level: 1, name: heading });
  await target.dispatchEvent("dragenter", { dataTransfer });
  await target.dispatchEvent("drop", { dataTransfer });
}

/** Scrolls to the bottom of the page, where the grid's last rows are. */
async function scrollToEnd(page: Page) {
  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
}

async function selectAllAndAddToNewAlbum(page: Page, count: number, title: string) {
  await page.getByRole("button", { name: "Select", exact: true }).click();
  for (let i = 0; i < count; i++) await page.getByRole("button", { name: /^Select / }).nth(i).click();
  await expect(page.getByText(`${count} selected`)).toBeVisible();
  await page.getByRole("button", { name: "Add to album" }).click();
  await page.getByLabel("New album").fill(title);
  await page.getByRole("button", { name: "Create", exact: true }).click();
  await expect(page.getByRole("group", { name: "Add to album" }).getByRole("status")).toHaveText(`Added ${count} photos to “${title}”. Open album`);
  await page.getByRole("link", { name: "Open album" }).click();
  await expect(page.getByRole("heading", { level: 1, name: title })).toBeVisible();
}

test("an album made from a multi-select of 30 photos; 5 files dropped on it land in it; the photo page steps through the album", async ({ page }) => {
  await seedDemoPhotos(email, 40);
  await page.goto("/");
  // At the bottom of the page the grid holds still. (Its spacers once lost the month headers' height, so the
  // page grew and shrank by a header every frame there, and "Add to album" was never stable enough to click.)
  await scrollToEnd(page);
  const heights = await page.evaluate(async () => {
    const seen: number[] = [];
    for (let frame = 0; frame < 20; frame++) {
      await new Promise((resolve) => requestAnimationFrame(resolve));
      seen.push(document.documentElement.scrollHeight);
    }
    return seen;
  });
  expect(new Set(heights).size, `page heights over 20 frames: ${heights.join(", ")}`).toBe(1);
  await selectAllAndAddToNewAlbum(page, 30, "Summer trip");
  await expect(page.getByText(/^30 photos/)).toBeVisible();
  // (The grid is virtualized: only rows near the viewport are in the DOM, so the count is the check.)

  const files = [1, 2, 3, 4, 5].map((n) => fixtureAs(n % 2 ? LANDSCAPE : PORTRAIT, `dropped-${n}.jpg`));
  await dropFiles(page, "Summer trip", files);
  await expect(uploadSummary(page)).toHaveText("5 of 5 uploaded", { timeout: 60_000 });
  // The fixtures were taken in July 2018, so the album (newest first) places them after the 30 demo photos,
  // at its end: scroll there, since the virtualized grid renders only the rows near the viewport.
  await scrollToEnd(page);
  await expect(page.getByRole("heading", { level: 2, name: "July 2018" })).toBeVisible();
  for (const n of [1, 2, 3, 4, 5]) await expect(page.getByRole("img", { name: `dropped-${n}.jpg` })).toBeVisible();
  // And they are in the album for good, not only on this page.
  await page.reload();
  await expect(page.getByText(/^35 photos/)).toBeVisible();
  await scrollToEnd(page);
  for (const n of [1, 2, 3, 4, 5]) await expect(page.getByRole("img", { name: `dropped-${n}.jpg` })).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 0));

  // The photo page from the album steps through the album only, and Esc goes back to it.
  await page.getByRole("img", { name: "demo-000000.jpg" }).click();
  await expect(page).toHaveURL(/\/photos\/[0-9a-f-]{36}\?album=[0-9a-f-]{36}$/);
  await expect(page.getByRole("link", { name: "Summer trip" }).first()).toBeVisible();
  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("heading", { level: 1, name: "demo-000001.jpg" })).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(/\/albums\/[0-9a-f-]{36}$/);

  // The albums grid shows it with its count.
  // (The album page has its own "← Albums" link too: use the navigation's.)
  await page.getByRole("navigation").getByRole("link", { name: "Albums", exact: true }).click();
  await expect(page.getByRole("link", { name: /Summer trip/ })).toContainText("35 photos");
});

test("a shared album: password and expiry, a logged-out visitor sees it and its lightbox, hidden names, a removed photo goes, revoke → 404", async ({
  page,
  browser,
}) => {
  await page.goto("/");
  await page.getByLabel("Choose photos").setInputFiles([fixtureAs(LANDSCAPE, "IMG_0001.jpg"), fixtureAs(PORTRAIT, "IMG_0001.jpg"), fixtureAs(LANDSCAPE, "IMG_20240612_0930.jpg")]);
  await expect(uploadSummary(page)).toHaveText("3 of 3 uploaded", { timeout: 45_000 });
  await selectAllAndAddToNewAlbum(page, 3, "Wedding");

  await page.getByText("Share album").click();
  await page.getByLabel("Link expires after").selectOption({ label: "1 day" });
  await page.getByLabel("Password (optional)").fill("open sesame");
  await page.getByLabel("Allow downloading the originals").check();
  await page.getByRole("button", { name: "Create link" }).click();
  const url = await page.getByLabel("Link to share").inputValue();
  expect(url).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);

  const guest = await visitor(browser);
  expect((await guest.page.goto(url))?.status()).toBe(200);
  await expect(guest.page.getByRole("heading", { name: "This album is password-protected" })).toBeVisible();
  await expect(guest.page.locator('meta[property="og:image"]')).toHaveCount(0);
  expect(await guest.page.locator('meta[name="robots"]').first().getAttribute("content")).toContain("noindex");
  await guest.page.getByLabel("Password").fill("open sesame");
  await guest.page.getByRole("button", { name: "View album" }).click();
  await expect(guest.page.getByRole("heading", { level: 1, name: "Wedding" })).toBeVisible();
  await expect(guest.page.getByRole("button", { name: /^Open / })).toHaveCount(3);

  // Lightbox: opens on a tile, ←/→ move, Esc closes. All three fixtures share one capture time, so their order
  // (ties broken by id) differs from run to run: open the first tile in the grid.
  await guest.page.getByRole("button", { name: /^Open / }).first().click();
  const dialog = guest.page.getByRole("dialog");
  await expect(dialog).toContainText("1 of 3");
  await guest.page.keyboard.press("ArrowRight");
  await expect(dialog).toContainText("2 of 3");
  await guest.page.keyboard.press("ArrowLeft");
  await expect(dialog).toContainText("1 of 3");
  await guest.page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  // Download all: the ZIP holds the originals byte for byte, under unique names.
  const files = await downloadAll(guest.page);
  const landscape = sha256(readFileSync(`tests/fixtures/photos/${LANDSCAPE}`));
  const portrait = sha256(readFileSync(`tests/fixtures/photos/${PORTRAIT}`));
  expect([...files.keys()].sort()).toEqual(["IMG_0001 (2).jpg", "IMG_0001.jpg", "IMG_20240612_0930.jpg"]);
  expect(files.get("IMG_20240612_0930.jpg")).toBe(landscape);
  expect([files.get("IMG_0001.jpg"), files.get("IMG_0001 (2).jpg")].sort()).toEqual([landscape, portrait].sort());
  await expect(guest.page.getByRole("status").filter({ hasText: "Downloaded" })).toHaveText(/Downloaded 3 files/);

  // A second link hides names and capture details: none reach the visitor's page.
  await page.getByLabel("Password (optional)").fill("");
  await page.getByLabel("Hide file names and capture details").check();
  await page.getByRole("button", { name: "Create link" }).click();
  await expect(page.getByLabel("Link to share")).not.toHaveValue(url);
  const hiddenUrl = await page.getByLabel("Link to share").inputValue();
  const hidden = await visitor(browser);
  await hidden.page.goto(hiddenUrl);
  await expect(hidden.page.getByRole("button", { name: /^Open Photo \d$/ })).toHaveCount(3);
  expect(await hidden.page.content()).not.toContain("IMG_");
  const hiddenFiles = await downloadAll(hidden.page);
  expect([...hiddenFiles.keys()].sort()).toEqual(["Photo 0001.jpg", "Photo 0002.jpg", "Photo 0003.jpg"]);
  expect([...hiddenFiles.values()].sort()).toEqual([...files.values()].sort());
  const og = await hidden.page.locator('meta[property="og:image"]').getAttribute("content");
  expect(og).toBe(`${hiddenUrl}/cover`);
  expect((await hidden.context.request.get(og!, { maxRedirects: 0 })).status()).toBe(302);

  // Removing a photo from the album removes it from the shared page at once.
  await page.getByRole("button", { name: "Select", exact: true }).click();
  await page.getByRole("button", { name: "Select IMG_20240612_0930.jpg" }).click();
  await page.getByRole("button", { name: "Remove from album" }).click();
  await expect(page.getByText(/Removed 1 photo/)).toBeVisible();
  await guest.page.reload();
  await expect(guest.page.getByRole("button", { name: /^Open / })).toHaveCount(2);
  await expect(guest.page.getByRole("button", { name: "Open IMG_20240612_0930.jpg" })).toHaveCount(0);

  // Screenshots for review (the albums grid, an album, a shared album; desktop and a 390 px phone).
  const shots = "test-reports/albums-screens";
  await hidden.page.reload();
  await hidden.page.screenshot({ path: `${shots}/shared-album.png`, fullPage: true });
  await hidden.page.setViewportSize({ width: 390, height: 844 });
  await hidden.page.screenshot({ path: `${shots}/shared-album-phone.png`, fullPage: true });
  await page.screenshot({ path: `${shots}/album.png`, fullPage: true });
  await page.goto("/albums");
  await page.screenshot({ path: `${shots}/albums.png`, fullPage: true });
  await page.setViewportSize({ width: 390, height: 844 });
  await page.screenshot({ path: `${shots}/albums-phone.png`, fullPage: true });
  await page.setViewportSize({ width: 1280, height: 720 });
  await page.goBack();

  // Revoke all → both links answer the unknown-link 404.
  await page.reload();
  await page.getByText(/Share album/).click();
  page.once("dialog", (d) => d.accept());
  await page.getByRole("button", { name: "Revoke all" }).click();
  await expect(page.getByText("No one can see this album yet.")).toBeVisible();
  for (const [p, u] of [[guest.page, url], [hidden.page, hiddenUrl]] as const) {
    expect((await p.goto(u))?.status()).toBe(404);
    await expect(p.getByRole("heading", { name: "This link doesn't exist or has expired" })).toBeVisible();
  }
  await Promise.all([guest.context.close(), hidden.context.close()]);
});
