import sharp from "sharp";
import { test, expect } from "@playwright/test";

// Browsers fetch these without cookies: a visitor who never signed in must get them too.
test.use({ storageState: { cookies: [], origins: [] } });

type Manifest = {
  name: string;
  short_name: string;
  start_url: string;
  display: string;
  theme_color: string;
  background_color: string;
  icons: { src: string; sizes: string; type: string; purpose?: string }[];
};

test("the web app manifest, its icons and robots.txt are served with their types, and Chromium reads the manifest under the CSP", async ({ page, request }) => {
  const response = await request.get("/manifest.webmanifest", { maxRedirects: 0 });
  expect(response.status()).toBe(200);
  expect(response.headers()["content-type"]).toMatch(/^application\/manifest\+json/);
  const manifest = (await response.json()) as Manifest;
  expect(manifest).toMatchObject({ name: "Snapshelf", short_name: "Snapshelf", start_url: "/", display: "standalone" });
  expect(manifest.theme_color).toMatch(/^#[0-9a-f]{6}$/);
  expect(manifest.background_color).toMatch(/^#[0-9a-f]{6}$/);
  expect(manifest.icons.map((icon) => `${icon.sizes} ${icon.purpose ?? "any"}`).sort()).toEqual(["192x192 any", "512x512 any", "512x512 maskable"]);

  const apple = { src: "/icons/apple-touch-icon.png", sizes: "180x180", type: "image/png" };
  for (const icon of [...manifest.icons, apple]) {
    const image = await request.get(icon.src, { maxRedirects: 0 });
    expect(image.status(), icon.src).toBe(200);
    expect(image.headers()["content-type"], icon.src).toBe(icon.type);
    const { width, height, format } = await sharp(await image.body()).metadata();
    expect(`${format} ${width}x${height}`, icon.src).toBe(`png ${icon.sizes}`);
  }

  const robots = await request.get("/robots.txt", { maxRedirects: 0 });
  expect(robots.status()).toBe(200);
  expect(robots.headers()["content-type"]).toMatch(/^text\/plain/);
  const rules = (await robots.text()).split("\n").filter((line) => /^(User-agent|Allow|Disallow):/.test(line));
  expect(rules).toEqual(["User-agent: *", "Disallow: /s/", "Disallow: /api/", "Allow: /"]);

  // The pages link them, and Chromium itself fetches and parses the manifest (with the page's CSP
  // and no cookies, as it would to install the app), finding no error.
  await page.goto("/sign-in");
  await expect(page.locator('link[rel="manifest"]')).toHaveAttribute("href", "/manifest.webmanifest");
  await expect(page.locator('link[rel="apple-touch-icon"]')).toHaveAttribute("href", apple.src);
  const cdp = await page.context().newCDPSession(page);
  const read = (await cdp.send("Page.getAppManifest")) as { url: string; errors: { message: string }[]; data?: string };
  expect(read.url).toMatch(/\/manifest\.webmanifest$/);
  expect(read.errors).toEqual([]);
  expect(JSON.parse(read.data ?? "null")).toEqual(manifest);
});
