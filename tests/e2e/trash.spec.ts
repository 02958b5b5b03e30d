import { test, expect, type Browser, type Page } from "@playwright/test";
import { demoDisplayName } from "../../scripts/demo-photos";
import { newAccount, signUpThroughApi } from "./helpers";
import { seedDemoPhotos } from "./seed-photos";

// Each test has an account of its own, so its gallery and Trash hold only what it made.
test.use({ storageState: { cookies: [], origins: [] } });

const NEWEST = demoDisplayName(0);
const SECOND = demoDisplayName(1);

async function signUpWithPhotos(page: Page, count: number) {
  // Seeding runs a script: on a busy 2-core machine it takes a good part of the default minute.
  test.setTimeout(150_000);
  const account = newAccount("trash");
  // page.request shares the browser context's cookies: signing up here signs the page in.
  await signUpThroughApi(page.request, account);
  await seedDemoPhotos(account.email, count);
}

async function openTrashFromMenu(page: Page) {
  await page.getByLabel("Account menu").click();
  await page.getByRole("link", { name: "Trash" }).click();
  await expect(page).toHaveURL(/\/trash$/);
  await expect(page.getByRole("heading", { level: 1, name: "Trash" })).toBeVisible();
}

/** A visitor who has never signed in: a fresh context, no cookies. */
async function visitor(browser: Browser) {
  const context = await browser.newContext({ storageState: { cookies: [], origins: [] } });
  return { context, page: await context.newPage() };
}

test("a photo deleted from the gallery waits in Trash and comes back on restore", async ({ page }) => {
  await signUpWithPhotos(page, 3);
  await page.goto("/");
  await expect(page.getByRole("img", { name: SECOND })).toBeVisible();

  await page.getByRole("button", { name: "Select", exact: true }).click();
  await page.getByRole("button", { name: `Select ${SECOND}` }).click();
  const confirmation = new Promise<string>((resolve) =>
    page.once("dialog", (dialog) => {
      resolve(dialog.message());
      void dialog.accept();
    }),
  );
  await page.getByRole("button", { name: "Delete selected" }).click();
  expect(await confirmation).toMatch(/^Move 1 photo to Trash\? .* After 30 days in Trash they are deleted for good\.$/);
  await expect(page.getByRole("status").filter({ hasText: "Moved 1 photo to Trash." })).toBeVisible();
  await expect(page.getByRole("img", { name: SECOND })).toHaveCount(0);
  // Still gone after a reload: the server's feed no longer lists it.
  await page.reload();
  await expect(page.getByRole("img", { name: NEWEST })).toBeVisible();
  await expect(page.getByRole("img", { name: SECOND })).toHaveCount(0);

  await openTrashFromMenu(page);
  const trash = page.getByRole("list", { name: "Photos in Trash" });
  await expect(trash.getByRole("listitem")).toHaveCount(1);
  await expect(trash.getByRole("listitem")).toContainText(SECOND);
  await expect(trash.getByRole("listitem")).toContainText(/Deleted for good \w{3} \d{1,2}, \d{4}/);
  await expect(page.getByRole("button", { name: "Restore" })).toBeDisabled();

  await page.getByRole("button", { name: `Select ${SECOND}` }).click();
  await page.getByRole("button", { name: "Restore 1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Restored 1 photo." })).toBeVisible();
  await expect(page.getByText("Trash is empty")).toBeVisible();

  await page.getByRole("link", { name: "Photos", exact: true }).click();
  await expect(page.getByRole("img", { name: SECOND })).toBeVisible();
  expect(await page.getByTestId("photo-thumb").count()).toBe(3);
});

test("a trashed photo's share link answers 404 like an unknown one, works again after restore, and delete forever ends it", async ({ page, browser }) => {
  await signUpWithPhotos(page, 1);
  await page.goto("/");
  await page.getByRole("img", { name: NEWEST }).click();
  await expect(page.getByRole("heading", { level: 1, name: NEWEST })).toBeVisible();
  const photoUrl = page.url();
  await page.getByRole("button", { name: "Create link" }).click();
  const field = page.getByLabel("Link to share");
  await expect(field).toHaveValue(/\/s\/[A-Za-z0-9_-]{43}$/);
  const url = await field.inputValue();

  const guest = await visitor(browser);
  expect((await guest.page.goto(url))?.status()).toBe(200);
  await expect(guest.page.getByRole("heading", { level: 1, name: NEWEST })).toBeVisible();

  page.once("dialog", (dialog) => {
    expect(dialog.message()).toContain("to Trash?");
    void dialog.accept();
  });
  await page.getByRole("button", { name: "Delete photo" }).click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByRole("img", { name: NEWEST })).toHaveCount(0);

  // The link, its preview image and the owner's photo page and download are gone at once.
  const gone = await guest.page.goto(url);
  expect(gone?.status()).toBe(404);
  await expect(guest.page.getByRole("heading", { name: "This link doesn't exist or has expired" })).toBeVisible();
  expect((await guest.context.request.get(`${url}/image`, { maxRedirects: 0 })).status()).toBe(404);
  expect((await page.goto(photoUrl))?.status()).toBe(404);
  expect((await page.request.get(`${photoUrl}/download`, { maxRedirects: 0 })).status()).toBe(404);
  await page.goto("/shares");
  await expect(page.getByText("No active links")).toBeVisible();

  await page.goto("/trash");
  await page.getByRole("button", { name: `Select ${NEWEST}` }).click();
  await page.getByRole("button", { name: "Restore 1" }).click();
  await expect(page.getByText("Trash is empty")).toBeVisible();
  expect((await guest.page.goto(url))?.status()).toBe(200);
  await expect(guest.page.getByRole("heading", { level: 1, name: NEWEST })).toBeVisible();

  // Into Trash again, then delete forever: gone from Trash, and the link stays a 404.
  await page.goto(photoUrl);
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Delete photo" }).click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/trash");
  await page.getByRole("button", { name: `Select ${NEWEST}` }).click();
  page.once("dialog", (dialog) => {
    expect(dialog.message()).toBe("Delete 1 photo for good? This cannot be undone.");
    void dialog.accept();
  });
  await page.getByRole("button", { name: "Delete forever 1" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted 1 photo for good." })).toBeVisible();
  await expect(page.getByText("Trash is empty")).toBeVisible();
  expect((await guest.page.goto(url))?.status()).toBe(404);
  await guest.context.close();
});

test("empty trash asks first, then deletes everything in it for good", async ({ page }) => {
  await signUpWithPhotos(page, 2);
  await page.goto("/");
  await page.getByRole("button", { name: "Select", exact: true }).click();
  await page.getByRole("button", { name: `Select ${NEWEST}` }).click();
  await page.getByRole("button", { name: `Select ${SECOND}` }).click();
  page.once("dialog", (dialog) => void dialog.accept());
  await page.getByRole("button", { name: "Delete selected" }).click();
  await expect(page.getByText("Your shelf is empty")).toBeVisible();

  await page.goto("/trash");
  await expect(page.getByRole("list", { name: "Photos in Trash" }).getByRole("listitem")).toHaveCount(2);
  // Said no: nothing happens.
  page.once("dialog", (dialog) => void dialog.dismiss());
  await page.getByRole("button", { name: "Empty trash" }).click();
  await expect(page.getByRole("list", { name: "Photos in Trash" }).getByRole("listitem")).toHaveCount(2);

  page.once("dialog", (dialog) => {
    expect(dialog.message()).toBe("Delete all 2 photos in Trash for good? This cannot be undone.");
    void dialog.accept();
  });
  await page.getByRole("button", { name: "Empty trash" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Trash emptied: 2 photos deleted for good." })).toBeVisible();
  await expect(page.getByText("Trash is empty")).toBeVisible();
  await page.goto("/");
  await expect(page.getByText("Your shelf is empty")).toBeVisible();
});
