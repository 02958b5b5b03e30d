/**
 * The security findings of issue 12, each over the real HTTP surface of a production build
 * (support/world.ts, support/app-server.ts), every limit at its default. Each case failed on
 * the code before its fix (docs/SECURITY.md lists them with their outcome).
 */
import { randomBytes } from "node:crypto";
import type { Browser } from "playwright";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { launchChromium } from "./support/browser";
import { HttpSession, readActionIds } from "./support/http-session";
import { fakeIp, newAccount, shareOverHttp, uploadOverHttp, waitUntilSettled, type ActionIds } from "./support/http-flows";
import { s3UrlExpiry } from "./support/presigned";
import { startWorld, WORLD_DIST_DIR, type World } from "./support/world";

const DEFAULT_LIMITS = {
  SIGN_IN_RATE_LIMIT_PER_MINUTE: undefined,
  SIGN_UP_RATE_LIMIT_PER_HOUR: undefined,
  SHARE_PASSWORD_ATTEMPTS_PER_15_MIN: undefined,
  SHARE_VIEWS_PER_MINUTE: undefined,
  TRUSTED_PROXY_HOPS: undefined,
};

let world: World;
let app: AppServer;
let ids: ActionIds;
let browser: Browser | undefined;
let jpeg: Buffer;

beforeAll(async () => {
  world = await startWorld({ name: "security-findings" });
  Object.assign(process.env, world.env);
  jpeg = (await import("./support/data")).fixture("camera-gps-landscape.jpg");
  app = await startAppServer({ port: world.appPort, distDir: WORLD_DIST_DIR, appUrl: world.appUrl, env: { ...world.env, ...DEFAULT_LIMITS } });
  ids = readActionIds(WORLD_DIST_DIR);
}, 900_000);

afterAll(async () => {
  await browser?.close();
  await app?.stop();
  await world?.stop();
});

async function member(label: string) {
  const session = new HttpSession(app.url, fakeIp());
  const account = newAccount(label);
  const response = await session.signUp(account);
  expect(response.status, await response.text()).toBe(200);
  return { session, account };
}

async function sharedPhoto(label: string, options: { password?: string } = {}) {
  const { session } = await member(label);
  const outcome = await uploadOverHttp(session, ids, { name: "photo.jpg", type: "image/jpeg", body: jpeg });
  expect((await waitUntilSettled(session, [outcome.photoId]))[0]?.status).toBe("READY");
  return shareOverHttp(session, ids, outcome.photoId, options);
}

const randomToken = () => randomBytes(32).toString("base64url");
const TOO_MANY = /^Too many requests\. Please try again in \d+ s\.$/;

describe("open redirect after sign-in", () => {
  it("a real sign-in through /sign-in?next=/.//evil.example (and /a/..//evil.example) stays on the app's origin", async () => {
    const { account } = await member("redirect");
    browser = await launchChromium();
    for (const next of ["/.//evil.example", "/a/..//evil.example"]) {
      const context = await browser.newContext({ baseURL: app.url });
      const page = await context.newPage();
      await page.goto(`/sign-in?next=${encodeURIComponent(next)}`);
      await page.getByLabel("Email").fill(account.email);
      await page.getByLabel("Password").fill(account.password);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.waitForURL((url) => !url.pathname.startsWith("/sign-in"), { timeout: 30_000 });
      expect(new URL(page.url()).origin, next).toBe(new URL(app.url).origin);
      await context.close();
    }
  }, 180_000);
});

describe("share unlock", () => {
  it("counts every attempt of an address before the token: the 31st attempt with random tokens is refused", async () => {
    const visitor = new HttpSession(app.url, fakeIp());
    const attempt = (token: string) => visitor.formAction<{ error?: string }>(`/s/${token}`, ids.unlockShareAction!, {}, { token, password: "guess" });
    for (let n = 1; n <= 30; n++) {
      const response = await attempt(randomToken());
      expect(response.result?.ok && response.result.data.error, `attempt ${n}`).toBe("That password is not right. Please try again.");
    }
    const refused = await attempt(randomToken());
    expect(refused.result?.ok && refused.result.data.error).toMatch(TOO_MANY);
  }, 180_000);
});

describe("revoked links and image URLs", () => {
  it("the share page's image URL and the og:image redirect expire within 10 minutes; the redirect is never publicly cacheable", async () => {
    const share = await sharedPhoto("short-urls");
    const visitor = new HttpSession(app.url, fakeIp());
    const html = await (await visitor.request(`/s/${share.token}`)).text();
    const src = [...html.matchAll(/src="([^"]+X-Amz-Signature[^"]+)"/g)].map((match) => match[1]!.replaceAll("&amp;", "&"));
    expect(src.length).toBeGreaterThan(0);
    for (const url of src) expect((s3UrlExpiry(url) - Date.now()) / 1000).toBeLessThanOrEqual(600);

    const redirect = await visitor.request(`/s/${share.token}/image`);
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("cache-control")).toMatch(/^private\b/);
    expect((s3UrlExpiry(redirect.headers.get("location")!) - Date.now()) / 1000).toBeLessThanOrEqual(600);
  });
});

describe("sign-in and addresses", () => {
  it("limits sign-ins per account as well: 30 bad passwords from 30 addresses, then even the right one from a new address is refused", async () => {
    const { account } = await member("spread-sign-in");
    for (let n = 1; n <= 30; n++) {
      expect((await new HttpSession(app.url, fakeIp()).signIn({ email: account.email, password: `wrong-${n}` })).status, `attempt ${n}`).toBe(401);
    }
    const refused = await new HttpSession(app.url, fakeIp()).signIn(account);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers.get("x-retry-after"))).toBeGreaterThan(0);
  }, 180_000);

  it("counts an IPv6 visitor by its /64: 121 share views from 121 addresses of one /64 meet the per-address limit", async () => {
    const share = await sharedPhoto("ipv6");
    const prefix = `2001:db8:${randomBytes(2).toString("hex")}:${randomBytes(2).toString("hex")}`;
    const group = () => randomBytes(2).toString("hex");
    const fromSubnet = () => new HttpSession(app.url, `${prefix}:${group()}:${group()}:${group()}:${group()}`);
    for (let view = 1; view <= 120; view++) {
      const response = await fromSubnet().request(`/s/${share.token}/image`);
      expect(response.status, `view ${view}`).toBe(302);
    }
    expect((await fromSubnet().request(`/s/${share.token}/image`)).status).toBe(429);
    // Another /64 is someone else.
    expect((await new HttpSession(app.url, `2001:db8:ffff:${randomBytes(2).toString("hex")}::1`).request(`/s/${share.token}/image`)).status).toBe(302);
  }, 180_000);
});

describe("TRUSTED_PROXY_HOPS=0 (no proxy in front)", () => {
  it("trusts no X-Forwarded-For: 11 bad sign-ins, each claiming a new address (and our own address header), meet the limit of 10", async () => {
    await app.stop();
    // The same build, only the setting differs (reuseBuild: no rebuild if someone edited a source meanwhile).
    const direct = await startAppServer({ port: world.appPort, distDir: WORLD_DIST_DIR, appUrl: world.appUrl, reuseBuild: true, env: { ...world.env, ...DEFAULT_LIMITS, TRUSTED_PROXY_HOPS: "0" } });
    try {
      const setup = new HttpSession(direct.url);
      const account = newAccount("hops-zero");
      expect((await setup.signUp(account)).status).toBe(200);
      const attempt = (password: string) =>
        new HttpSession(direct.url, fakeIp()).request("/api/auth/sign-in/email", {
          method: "POST",
          headers: { "Content-Type": "application/json", Origin: new URL(direct.url).origin, "X-Snapshelf-Client-Ip": fakeIp() },
          body: JSON.stringify({ email: account.email, password }),
        });
      // The sign-up above spent nothing of the sign-in budget; every request shares the one key.
      for (let n = 1; n <= 10; n++) expect((await attempt(`wrong-${n}`)).status, `attempt ${n}`).toBe(401);
      expect((await attempt("wrong-11")).status).toBe(429);
      expect((await attempt(account.password)).status).toBe(429);
    } finally {
      await direct.stop();
      app = await startAppServer({ port: world.appPort, distDir: WORLD_DIST_DIR, appUrl: world.appUrl, reuseBuild: true, env: { ...world.env, ...DEFAULT_LIMITS } });
    }
  }, 300_000);
});
