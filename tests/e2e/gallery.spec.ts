import { test, expect, type Page } from "@playwright/test";
import { demoDisplayName } from "../../scripts/demo-photos";
import { newAccount, signUpThroughApi } from "./helpers";
import { seedDemoPhotos } from "./seed-photos";

// Each test has an account of its own with a seeded library of a known size.
test.use({ storageState: { cookies: [], origins: [] } });

async function signUpWithPhotos(page: Page, count: number) {
  const account = newAccount("gallery");
  // page.request shares the browser context's cookies: signing up here signs the page in.
  await signUpThroughApi(page.request, account);
  await seedDemoPhotos(account.email, count);
}

const thumbs = (page: Page) => page.getByTestId("photo-thumb");
const thumbNames = (page: Page) => thumbs(page).evaluateAll((images) => images.map((img) => (img as HTMLImageElement).alt));

function countFeedPages(page: Page) {
  const pages = { fetched: 0 };
  page.on("response", (response) => {
    if (/\/api\/photos\?cursor=/.test(response.url()) && response.ok()) pages.fetched++;
  });
  return pages;
}

/** Every thumbnail in the viewport has its image (the ones below are lazy and may not have started). */
async function visibleImagesLoaded(page: Page) {
  return thumbs(page).evaluateAll((images) =>
    images
      .map((img) => img as HTMLImageElement)
      .filter((img) => {
        const box = img.getBoundingClientRect();
        return box.bottom > 0 && box.top < window.innerHeight;
      })
      .every((img) => img.complete && img.naturalWidth > 0),
  );
}

test("scrolling to the bottom loads the second page of photos", async ({ page }) => {
  test.setTimeout(120_000);
  await signUpWithPhotos(page, 100);
  const pages = countFeedPages(page);
  await page.goto("/");
  await expect(page.getByRole("img", { name: demoDisplayName(0) })).toBeVisible();

  await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  const oldest = page.getByRole("img", { name: demoDisplayName(99) });
  await expect(async () => {
    await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
    await expect(oldest).toBeInViewport({ timeout: 1000 });
  }).toPass({ timeout: 20_000 });
  expect(pages.fetched).toBeGreaterThanOrEqual(1);
  // A real thumbnail from storage, not just a placeholder box.
  await expect.poll(() => oldest.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
  // Page 2's photos are in order right below page 1's.
  const names = await thumbNames(page);
  expect(names).toContain(demoDisplayName(99));
  expect(names.every((n) => /^demo-0000\d\d\.jpg$/.test(n))).toBe(true);
});

test("however far one scrolls, the page holds a bounded number of tiles", async ({ page }) => {
  test.setTimeout(180_000);
  const COUNT = 1500;
  await signUpWithPhotos(page, COUNT);
  const pages = countFeedPages(page);
  await page.goto("/");
  await expect(thumbs(page).first()).toBeVisible();

  const last = demoDisplayName(COUNT - 1);
  const seen = new Set<string>();
  let mostTiles = 0;
  for (let step = 0; step < 400 && !seen.has(last); step++) {
    await page.mouse.wheel(0, 2500);
    await page.waitForTimeout(60);
    const names = await thumbNames(page);
    names.forEach((n) => seen.add(n));
    mostTiles = Math.max(mostTiles, names.length);
  }
  expect(seen.has(last), `reached ${[...seen].sort().at(-1)} after ${pages.fetched} pages`).toBe(true);
  // Every page was fetched (25 pages of 60), yet the DOM never held more than a window of them.
  expect(pages.fetched).toBe(Math.ceil(COUNT / 60) - 1);
  expect(mostTiles).toBeGreaterThan(10);
  expect(mostTiles).toBeLessThanOrEqual(200);
  expect(seen.size, "tiles were recycled, not all kept").toBeGreaterThan(mostTiles);

  // And back at the top, the first photos are there again.
  await page.evaluate(() => window.scrollTo(0, 0));
  await expect(page.getByRole("img", { name: demoDisplayName(0) })).toBeVisible();
  expect((await thumbNames(page)).length).toBeLessThanOrEqual(200);
});

test("a photo keeps its place on the page while the rows above it turn into spacers", async ({ page }) => {
  test.setTimeout(120_000);
  await signUpWithPhotos(page, 240);
  await page.goto("/");
  await expect(thumbs(page).first()).toBeVisible();
  await page.evaluate(() => window.scrollTo(0, 2500));
  await page.waitForTimeout(300);

  // The first photo in view, and where it sits in the document, step after step while rows
  // (month headers among them) scroll out above and are replaced by a spacer of their height.
  const name = await thumbs(page).evaluateAll((images) => images.find((img) => img.getBoundingClientRect().top > 0)?.getAttribute("alt"));
  expect(name).toBeTruthy();
  const placeOf = () => page.getByRole("img", { name: name! }).evaluate((img) => Math.round(img.getBoundingClientRect().top + window.scrollY));
  const first = await placeOf();
  const places: number[] = [];
  for (let step = 0; step < 8; step++) {
    await page.evaluate(() => window.scrollBy(0, 80));
    await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));
    places.push(await placeOf());
  }
  expect(places.every((y) => Math.abs(y - first) <= 1), `${name} at ${first}, then ${places.join(", ")}`).toBe(true);
});

/** Sums layout shifts not caused by input (what CLS counts), with the nodes that moved. */
function observeLayoutShifts() {
  const w = window as unknown as { layoutShift: { total: number; shifts: { value: number; nodes: string[] }[] } };
  w.layoutShift = { total: 0, shifts: [] };
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries() as (PerformanceEntry & { value: number; hadRecentInput: boolean; sources?: { node?: Node }[] })[]) {
      if (entry.hadRecentInput) continue;
      w.layoutShift.total += entry.value;
      const nodes = (entry.sources ?? []).map((s) => (s.node instanceof Element ? s.node.outerHTML.slice(0, 120) : String(s.node?.nodeName)));
      w.layoutShift.shifts.push({ value: entry.value, nodes });
    }
  }).observe({ type: "layout-shift", buffered: true });
}

test("the gallery does not shift while it loads, hydrates, fetches the next page and its images arrive", async ({ page, playwright, baseURL }, testInfo) => {
  test.setTimeout(180_000);
  const account = newAccount("steady");
  await signUpThroughApi(page.request, account);
  // More than one page, so the second page arrives while we watch.
  await seedDemoPhotos(account.email, 75);

  // Headless Chromium hides scrollbars by default; real desktop browsers show them, and a
  // scrollbar that appears after the first paint narrows the page and moves everything.
  const browser = await playwright.chromium.launch({ ...testInfo.project.use.launchOptions, ignoreDefaultArgs: ["--hide-scrollbars"] });
  try {
    for (const viewport of [
      { width: 1440, height: 900 },
      { width: 390, height: 844 },
    ]) {
      const context = await browser.newContext({ baseURL, viewport });
      const visitor = await context.newPage();
      await visitor.addInitScript(observeLayoutShifts);
      const signIn = await visitor.request.post("/api/auth/sign-in/email", {
        data: { email: account.email, password: account.password },
        headers: { Origin: baseURL! },
      });
      expect(signIn.status()).toBe(200);

      await visitor.goto("/");
      await expect(visitor.getByRole("img", { name: demoDisplayName(0) })).toBeVisible();
      await expect.poll(() => visibleImagesLoaded(visitor), { timeout: 20_000 }).toBe(true);
      await visitor.mouse.wheel(0, 700);
      await visitor.waitForTimeout(300);
      await expect.poll(() => visibleImagesLoaded(visitor), { timeout: 20_000 }).toBe(true);
      // To the end: the second page arrives and is laid out below what is on screen.
      const oldest = visitor.getByRole("img", { name: demoDisplayName(74) });
      await expect(async () => {
        await visitor.mouse.wheel(0, 5000);
        await expect(oldest).toBeInViewport({ timeout: 1000 });
      }).toPass({ timeout: 30_000 });
      await expect.poll(() => visibleImagesLoaded(visitor), { timeout: 20_000 }).toBe(true);
      // Layout-shift entries are reported after the frame that caused them.
      await visitor.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve))));

      const measured = await visitor.evaluate(() => (window as unknown as { layoutShift: { total: number; shifts: unknown[] } }).layoutShift);
      expect(measured.total, `${viewport.width}px: ${JSON.stringify(measured.shifts, null, 1)}`).toBe(0);
      await context.close();
    }
  } finally {
    await browser.close();
  }
});
