import { test, expect, type Browser, type Page } from "@playwright/test";
import { newAccount, signUpThroughApi } from "./helpers";

const LANDSCAPE = "camera-gps-landscape.jpg";
const PORTRAIT = "camera-portrait-orientation-6.jpg";
const TOKEN_URL = /\/s\/[A-Za-z0-9_-]{43}$/;

// Each test gets an account of its own, so "the photo" in its gallery is unambiguous
// however many uploads other specs make for the shared owner.
test.use({ storageState: { cookies: [], origins: [] } });

test.beforeEach(async ({ page }) => {
  // page.request shares the browser context's cookies: signing up here signs the page in.
  await signUpThroughApi(page.request, newAccount("sharer"));
});

async function upload(page: Page, names: string[]) {
  await page.goto("/");
  await page.getByLabel("Choose photos").setInputFiles(names.map((n) => `tests/fixtures/photos/${n}`));
  await expect(page.getByRole("status").filter({ hasText: "uploaded" })).toHaveText(`${names.length} of ${names.length} uploaded`, { timeout: 45_000 });
}

async function openPhoto(page: Page, name: string) {
  await page.getByRole("img", { name }).click();
  await expect(page).toHaveURL(/\/photos\/[0-9a-f-]{36}$/);
  await expect(page.getByRole("heading", { level: 1, name })).toBeVisible();
}

async function createLink(page: Page, options: { password?: string; allowDownload?: boolean; expiry?: string } = {}) {
  if (options.expiry) await page.getByLabel("Link expires after").selectOption({ label: options.expiry });
  if (options.password) await page.getByLabel("Password (optional)").fill(options.password);
  if (options.allowDownload) await page.getByLabel("Allow downloading the original").check();
  await page.getByRole("button", { name: "Create link" }).click();
  const field = page.getByLabel("Link to share");
  await expect(field).toHaveValue(TOKEN_URL);
  return field.inputValue();
}

/** A visitor who has never signed in: a fresh context, no cookies. */
async function visitor(browser: Browser) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  return { context, page: await context.newPage() };
}

async function expectImageLoaded(page: Page, name: string) {
  const image = page.getByRole("img", { name });
  await expect(image).toBeVisible();
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
}

test("an open link shows the photo to a logged-out visitor, previews with an absolute og:image, and 404s once revoked", async ({
  page,
  browser,
  context,
  baseURL,
}) => {
  await context.grantPermissions(["clipboard-read", "clipboard-write"]);
  await upload(page, [LANDSCAPE]);
  await openPhoto(page, LANDSCAPE);

  const url = await createLink(page, { expiry: "1 day", allowDownload: true });
  expect(url.startsWith(`${baseURL}/s/`)).toBe(true);
  await page.getByRole("button", { name: "Copy link", exact: true }).click();
  await expect(page.getByRole("button", { name: "Copy link", exact: true })).toHaveText("Copied");
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
  await expect(page.getByRole("heading", { name: /Active links/ })).toContainText("(1)");

  const guest = await visitor(browser);
  const response = await guest.page.goto(url);
  expect(response?.status()).toBe(200);
  await expectImageLoaded(guest.page, LANDSCAPE);
  await expect(guest.page.getByRole("heading", { level: 1, name: LANDSCAPE })).toBeVisible();

  // Link previews: absolute, non-expiring og:image; and kept out of search engines.
  const ogImage = await guest.page.locator('meta[property="og:image"]').getAttribute("content");
  expect(ogImage).toBe(`${url}/image`);
  expect(await guest.page.locator('meta[name="twitter:card"]').getAttribute("content")).toBe("summary_large_image");
  expect(await guest.page.locator('meta[name="robots"]').first().getAttribute("content")).toContain("noindex");
  const redirect = await guest.context.request.get(ogImage!, { maxRedirects: 0 });
  expect(redirect.status()).toBe(302);
  expect(redirect.headers()["x-robots-tag"]).toContain("noindex");
  const image = await guest.context.request.get(ogImage!);
  expect(image.status()).toBe(200);
  expect(image.headers()["content-type"]).toBe("image/webp");

  // Download is allowed on this link: the original, under its own name.
  const download = await guest.context.request.get(`${url}/download`, { maxRedirects: 0 });
  expect(download.status()).toBe(302);
  expect(decodeURIComponent(download.headers().location ?? "")).toContain(`filename="${LANDSCAPE}"`);
  await expect(guest.page.getByRole("link", { name: "Download original" })).toBeVisible();

  // The view is counted (once, for the page, not for the image or download requests).
  await page.goto("/shares");
  const card = page.getByRole("listitem").filter({ hasText: LANDSCAPE });
  await expect(async () => {
    await page.reload();
    await expect(card).toContainText(/Views\s*1(?!\d)/, { timeout: 1000 });
  }).toPass({ timeout: 15_000 });

  page.once("dialog", (dialog) => dialog.accept());
  await card.getByRole("button", { name: /^Revoke link ending/ }).click();
  await expect(page.getByText("No active links")).toBeVisible();

  const gone = await guest.page.goto(url);
  expect(gone?.status()).toBe(404);
  await expect(guest.page.getByRole("heading", { name: "This link doesn't exist or has expired" })).toBeVisible();
  await expect(guest.page.getByRole("img", { name: LANDSCAPE })).toHaveCount(0);
  expect((await guest.context.request.get(ogImage!, { maxRedirects: 0 })).status()).toBe(404);

  // An unknown token looks exactly the same.
  const unknown = await guest.page.goto(`/s/${"A".repeat(43)}`);
  expect(unknown?.status()).toBe(404);
  await expect(guest.page.getByRole("heading", { name: "This link doesn't exist or has expired" })).toBeVisible();
  await guest.context.close();
});

test("a password link asks for the password, refuses a wrong one and opens with the right one", async ({ page, browser }) => {
  await upload(page, [LANDSCAPE]);
  await openPhoto(page, LANDSCAPE);
  const url = await createLink(page, { password: "open sesame" });
  const token = url.split("/s/")[1]!;

  const guest = await visitor(browser);
  expect((await guest.page.goto(url))?.status()).toBe(200);
  await expect(guest.page.getByRole("heading", { name: "This photo is password-protected" })).toBeVisible();
  await expect(guest.page.getByRole("img", { name: LANDSCAPE })).toHaveCount(0);
  // Neither the preview nor the image route gives the protected photo away.
  await expect(guest.page.locator('meta[property="og:image"]')).toHaveCount(0);
  expect((await guest.context.request.get(`${url}/image`, { maxRedirects: 0 })).status()).toBe(404);

  await guest.page.getByLabel("Password").fill("open sesam");
  await guest.page.getByRole("button", { name: "View photo" }).click();
  await expect(guest.page.getByText("That password is not right. Please try again.")).toBeVisible();
  await expect(guest.page.getByRole("img", { name: LANDSCAPE })).toHaveCount(0);

  await guest.page.getByLabel("Password").fill("open sesame");
  await guest.page.getByRole("button", { name: "View photo" }).click();
  await expectImageLoaded(guest.page, LANDSCAPE);
  await expect(guest.page.getByRole("link", { name: "Download original" })).toHaveCount(0);

  const cookie = (await guest.context.cookies()).find((c) => c.name === "snapshelf_share_unlock");
  expect(cookie).toMatchObject({ path: `/s/${token}`, httpOnly: true, sameSite: "Lax" });
  expect((await guest.context.request.get(`${url}/image`, { maxRedirects: 0 })).status()).toBe(302);

  // The cookie opens this link only: reloading keeps the photo, another visitor still sees the gate.
  await guest.page.reload();
  await expectImageLoaded(guest.page, LANDSCAPE);
  const stranger = await visitor(browser);
  await stranger.page.goto(url);
  await expect(stranger.page.getByRole("heading", { name: "This photo is password-protected" })).toBeVisible();
  await Promise.all([guest.context.close(), stranger.context.close()]);
});

test("the photo page steps through the gallery by keyboard, downloads the original, and is private", async ({ page, browser }) => {
  await upload(page, [LANDSCAPE, PORTRAIT]);
  // Gallery order is capture time, newest first: the 2018 Pixel photo, then the 2016 iPhone one.
  await openPhoto(page, LANDSCAPE);
  await expectImageLoaded(page, LANDSCAPE);
  const landscapeUrl = page.url();
  await expect(page.getByText("Google Pixel")).toBeVisible();
  await expect(page.getByText("1012 × 759 px")).toBeVisible();

  await page.keyboard.press("ArrowRight");
  await expect(page.getByRole("heading", { level: 1, name: PORTRAIT })).toBeVisible();
  // Stored sideways with EXIF orientation 6: shown (and sized) upright.
  await expect(page.getByText("1836 × 2448 px")).toBeVisible();
  await page.keyboard.press("ArrowLeft");
  await expect(page).toHaveURL(landscapeUrl);

  // A touch swipe on the photo does the same: finger to the left → the next photo, to the right → back.
  const swipe = async (dx: number) => {
    const frame = page.getByTestId("photo-large");
    const at = { pointerType: "touch", isPrimary: true, pointerId: 7, bubbles: true, clientY: 300 };
    await frame.dispatchEvent("pointerdown", { ...at, clientX: 400 });
    await frame.dispatchEvent("pointerup", { ...at, clientX: 400 + dx, clientY: 310 });
  };
  await swipe(-120);
  await expect(page.getByRole("heading", { level: 1, name: PORTRAIT })).toBeVisible();
  await swipe(120);
  await expect(page).toHaveURL(landscapeUrl);
  await expect(page.getByRole("heading", { level: 1, name: LANDSCAPE })).toBeVisible();

  const download = await page.request.get(`${landscapeUrl}/download`, { maxRedirects: 0 });
  expect(download.status()).toBe(302);
  expect(decodeURIComponent(download.headers().location ?? "")).toContain(`filename="${LANDSCAPE}"`);

  // Someone else gets the same 404 as for a photo that does not exist.
  const other = await visitor(browser);
  await signUpThroughApi(other.page.request, newAccount("other"));
  expect((await other.page.goto(landscapeUrl))?.status()).toBe(404);
  await expect(other.page.getByRole("heading", { name: "Photo not found" })).toBeVisible();
  expect((await other.page.request.get(`${landscapeUrl}/download`, { maxRedirects: 0 })).status()).toBe(404);
  expect((await other.page.goto("/photos/00000000-0000-4000-8000-000000000000"))?.status()).toBe(404);
  await other.context.close();

  await page.keyboard.press("Escape");
  await expect(page).toHaveURL(/\/$/);

  await openPhoto(page, PORTRAIT);
  page.once("dialog", (dialog) => dialog.accept());
  await page.getByRole("button", { name: "Delete photo" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("img", { name: PORTRAIT })).toHaveCount(0);
  await expect(page.getByRole("img", { name: LANDSCAPE })).toBeVisible();
});
