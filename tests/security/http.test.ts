/**
 * Attacks that need the real HTTP surface: a production build (`scripts/serve.ts
 * start`) on 127.0.0.1 with every limit at its default, on a database and bucket
 * of its own (support/world.ts), driven like a browser (support/http-session.ts).
 *
 * Without a proxy in front, next start passes a client's X-Forwarded-For through,
 * and at the default TRUSTED_PROXY_HOPS=1 the rate limits key on its right-most
 * entry: each visitor here sends an address of its own so the cases do not share
 * counters. (That is also why production must run behind a proxy that sets the
 * header: see docs/SECURITY.md.)
 */
import { randomBytes, randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startAppServer, type AppServer } from "./support/app-server";
import { HttpSession, readActionIds } from "./support/http-session";
import { fakeIp, newAccount, presignOverHttp, shareOverHttp, uploadOverHttp, waitUntilSettled, type ActionIds } from "./support/http-flows";
import { startWorld, WORLD_DIST_DIR, type World } from "./support/world";

// Every limit at the default lib/env.ts gives it (scripts/test.ts raises some for the other suites).
const DEFAULT_LIMITS = {
  SIGN_IN_RATE_LIMIT_PER_MINUTE: undefined,
  SIGN_UP_RATE_LIMIT_PER_HOUR: undefined,
  PRESIGN_RATE_LIMIT_PER_MINUTE: undefined,
  SHARE_PASSWORD_ATTEMPTS_PER_15_MIN: undefined,
  SHARE_VIEWS_PER_MINUTE: undefined,
  UPLOAD_MAX_BYTES: undefined,
  USER_QUOTA_BYTES: undefined,
  MAX_FILES_PER_BATCH: undefined,
};

let world: World;
let app: AppServer;
let ids: ActionIds;
let lib: typeof import("./support/data");
let db: typeof import("@/lib/db").db;
let jpeg: Buffer;

beforeAll(async () => {
  world = await startWorld({ name: "security-http" });
  // This file's own lib code (row counts, object listings) talks to the same world as the app.
  Object.assign(process.env, world.env);
  lib = await import("./support/data");
  db = (await import("@/lib/db")).db;
  jpeg = lib.fixture("camera-gps-landscape.jpg");
  app = await startAppServer({ port: world.appPort, distDir: WORLD_DIST_DIR, appUrl: world.appUrl, env: { ...world.env, ...DEFAULT_LIMITS } });
  ids = readActionIds(`${WORLD_DIST_DIR}`);
}, 900_000);

afterAll(async () => {
  await app?.stop();
  await db?.$disconnect();
  await world?.stop();
});

/** A visitor with an address of its own, signed up and signed in. */
async function member(label: string) {
  const session = new HttpSession(app.url, fakeIp());
  const account = newAccount(label);
  const response = await session.signUp(account);
  expect(response.status, await response.text()).toBe(200);
  const me = await db.user.findUniqueOrThrow({ where: { email: account.email } });
  return { session, account, userId: me.id };
}

async function readyPhoto(session: HttpSession, name = "photo.jpg") {
  const outcome = await uploadOverHttp(session, ids, { name, type: "image/jpeg", body: jpeg });
  const [settled] = await waitUntilSettled(session, [outcome.photoId]);
  expect(settled?.status).toBe("READY");
  return outcome.photoId;
}

const randomToken = () => randomBytes(32).toString("base64url");

describe("sign-in (better-auth's limit, HTTP only)", () => {
  it("answers the 11th bad password within a minute with 429 — and then refuses the right one too", async () => {
    const { account } = await member("brute");
    const attacker = new HttpSession(app.url, fakeIp());
    for (let attempt = 1; attempt <= 10; attempt++) {
      const response = await attacker.signIn({ email: account.email, password: `wrong-${attempt}` });
      expect(response.status, `attempt ${attempt}`).toBe(401);
    }
    const eleventh = await attacker.signIn({ email: account.email, password: "wrong-11" });
    expect(eleventh.status).toBe(429);
    expect(Number(eleventh.headers.get("x-retry-after"))).toBeGreaterThan(0);
    const right = await attacker.signIn(account);
    expect(right.status).toBe(429);
    expect(attacker.cookies.size).toBe(0);
    // The limit is per address: the owner elsewhere still gets in.
    const owner = new HttpSession(app.url, fakeIp());
    expect((await owner.signIn(account)).status).toBe(200);
  });

  it("counts by the right-most X-Forwarded-For entry: a new forged entry to its left (or our own address header) on each attempt does not dodge the limit", async () => {
    const { account } = await member("forged-chain");
    const proxySaw = fakeIp();
    // What a client behind one appending proxy controls: everything left of the proxy's entry,
    // and any header of its own, here the one proxy.ts hands the address on in.
    const attempt = (password: string) =>
      new HttpSession(app.url, `${fakeIp()}, ${fakeIp()}, ${proxySaw}`).request("/api/auth/sign-in/email", {
        method: "POST",
        headers: { "Content-Type": "application/json", Origin: new URL(app.url).origin, "X-Snapshelf-Client-Ip": fakeIp() },
        body: JSON.stringify({ email: account.email, password }),
      });
    for (let n = 1; n <= 10; n++) {
      expect((await attempt(`wrong-${n}`)).status, `attempt ${n}`).toBe(401);
    }
    expect((await attempt("wrong-11")).status).toBe(429);
    expect((await attempt(account.password)).status).toBe(429);
    // Another address behind a proxy (a chain of entries too) is not in that bucket: the owner gets in.
    // (Reading X-Forwarded-For itself, better-auth put every chain in one shared bucket: 429 here.)
    const owner = new HttpSession(app.url, `${fakeIp()}, ${fakeIp()}`);
    expect((await owner.signIn(account)).status).toBe(200);
  });

  it("sets the session cookie HttpOnly and SameSite=Lax, so a cross-site POST does not carry it", async () => {
    const session = new HttpSession(app.url, fakeIp());
    const response = await session.signUp(newAccount("cookie"));
    const cookie = response.headers.getSetCookie().find((line) => line.startsWith("better-auth.session_token="));
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Lax/i);
  });
});

describe("server actions", () => {
  it("refuse a cross-origin call (CSRF): foreign Origin with a valid session → refused, nothing created", async () => {
    const { session, userId } = await member("csrf");
    const files = [{ name: "a.jpg", type: "image/jpeg", size: 1000 }];
    const forged = await session.action("/", ids.createUploadsAction!, [{ files }], { Origin: "https://evil.example" });
    expect(forged.status).toBeGreaterThanOrEqual(400);
    expect(forged.result).toBeUndefined();
    expect(forged.body).not.toContain("X-Amz-Signature");
    expect(await db.photo.count({ where: { ownerId: userId } })).toBe(0);
    // The same call from the app's own origin works: the refusal was the origin.
    const genuine = await session.action<unknown[]>("/", ids.createUploadsAction!, [{ files }]);
    expect(genuine.result?.ok).toBe(true);
    expect(await db.photo.count({ where: { ownerId: userId } })).toBe(1);
    await db.photo.deleteMany({ where: { ownerId: userId } });
  });

  it("refuse a payload over 1 MB before running the action", async () => {
    const { session, userId } = await member("big-body");
    const files = Array.from({ length: 90 }, (_, i) => ({ name: `${i}-${"x".repeat(12_000)}.jpg`, type: "image/jpeg", size: 1000 }));
    const body = JSON.stringify([{ files }]);
    expect(body.length).toBeGreaterThan(1024 * 1024);
    // proxy.ts answers before Next reads the body (Next would log a 413 and answer 500).
    const response = await session.rawAction<unknown>("/", ids.createUploadsAction!, body);
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toMatchObject({ ok: false, error: { code: "payload_too_large" } });
    expect(app.log()).not.toContain("Body exceeded 1mb limit");
    expect(await db.photo.count({ where: { ownerId: userId } })).toBe(0);
  });

  it("refuse a caller without a valid session: no cookie → sent to sign-in; a forged cookie → 'session has ended'", async () => {
    const before = await db.photo.count();
    const anonymous = new HttpSession(app.url, fakeIp());
    const files = [{ name: "a.jpg", type: "image/jpeg", size: 1000 }];
    const bounced = await anonymous.action("/", ids.createUploadsAction!, [{ files }]);
    expect([303, 307, 308]).toContain(bounced.status);
    anonymous.cookies.set("better-auth.session_token", `${randomToken()}.${randomToken()}`);
    const forged = await anonymous.action("/", ids.createUploadsAction!, [{ files }]);
    expect(forged.result).toEqual({ ok: false, error: { code: "unauthenticated", message: "Your session has ended. Please sign in again." } });
    expect(await db.photo.count()).toBe(before);
  });

  it("validate their input: malformed payloads get a sentence, never a crash or a row", async () => {
    const { session, userId } = await member("junk-input");
    const cases: unknown[][] = [
      [{ files: "not a list" }],
      [{ files: [] }],
      [{ files: [{ name: 1, type: {}, size: "big" }] }],
      [{ files: [{ name: "a.jpg", type: "image/jpeg", size: -5 }] }],
      [{ files: [{ name: "a.jpg", type: "image/jpeg", size: 1.5 }] }],
      [{ files: [{ name: "a.jpg", type: "image/jpeg", size: 1e300 }] }],
      [null],
      [],
    ];
    for (const args of cases) {
      const response = await session.action<Array<{ ok: boolean }>>("/", ids.createUploadsAction!, args);
      expect(response.status, JSON.stringify(args)).toBe(200);
      const result = response.result!;
      if (result.ok) expect(result.data.every((plan) => !plan.ok)).toBe(true);
      else expect(result.error.code).toBe("invalid_input");
    }
    // What Next itself cannot decode (not JSON, not the argument list, past its 1 MB limit) once
    // answered 500 with a logged stack; it gets the ActionResult shape and a sentence instead.
    const undecodable: [string, number, string][] = [
      ["{{{not json", 400, "invalid_input"],
      ['"a string"', 400, "invalid_input"],
      [JSON.stringify([{ files: "x".repeat(1024 * 1024) }]), 413, "payload_too_large"],
    ];
    for (const [body, status, code] of undecodable) {
      const response = await session.rawAction<unknown>("/", ids.createUploadsAction!, body);
      expect(response.status, body.slice(0, 20)).toBe(status);
      expect(JSON.parse(response.body), body.slice(0, 20)).toMatchObject({ ok: false, error: { code, message: expect.stringMatching(/^This request /) } });
    }
    const notAnObject = await session.action("/", ids.createUploadsAction!, ["hello"]);
    expect(notAnObject.result).toEqual({ ok: false, error: { code: "invalid_input", message: "This request is not in the form the app sends. Please reload the page and try again." } });
    const polluted = await session.rawAction<unknown>("/", ids.createUploadsAction!, '[{"__proto__":{"ownerId":"someone"},"files":[{"name":"a.svg","type":"image/svg+xml","size":1}]}]');
    expect(polluted.status).toBe(200);
    for (const photoId of ["../../etc/passwd", "not-a-uuid", "", "' OR 1=1 --"]) {
      const response = await session.action("/", ids.completeUploadAction!, [{ photoId }]);
      expect(response.result).toEqual({ ok: false, error: { code: "invalid_input", message: "Unknown photo." } });
    }
    expect(await db.photo.count({ where: { ownerId: userId } })).toBe(0);
  });

  it("limit presigning per user (PRESIGN_RATE_LIMIT_PER_MINUTE = 600 files a minute), with a sentence saying when to retry", async () => {
    const { session, userId } = await member("presign-flood");
    // Refused file types still spend points, so the flood creates no rows at all.
    const batch = Array.from({ length: 100 }, (_, i) => ({ name: `${i}.svg`, type: "image/svg+xml", size: 100 }));
    for (let call = 1; call <= 6; call++) {
      const response = await presignOverHttp(session, ids, batch);
      expect(response.ok, `call ${call}`).toBe(true);
    }
    const limited = await presignOverHttp(session, ids, [{ name: "a.jpg", type: "image/jpeg", size: 1000 }]);
    expect(limited).toMatchObject({ ok: false, error: { code: "rate_limited", message: expect.stringMatching(/^Too many requests\. Please try again in \d+ s\.$/) } });
    expect(await db.photo.count({ where: { ownerId: userId } })).toBe(0);
    // Another person is not affected.
    const other = await member("presign-other");
    expect((await presignOverHttp(other.session, ids, [{ name: "a.jpg", type: "image/jpeg", size: 1000 }])).ok).toBe(true);
    await db.photo.deleteMany({ where: { ownerId: other.userId } });
  });
});

describe("someone else's photo over HTTP", () => {
  it("is 'not found' for every action, page, route and status poll, and stays intact", async () => {
    const alice = await member("alice-http");
    const bob = await member("bob-http");
    const photoId = await readyPhoto(alice.session);
    const share = await shareOverHttp(alice.session, ids, photoId, { allowDownload: true });
    const notFound = { ok: false, error: { code: "not_found", message: "Photo not found." } };

    expect((await bob.session.action("/", ids.completeUploadAction!, [{ photoId }])).result).toEqual(notFound);
    expect((await bob.session.action("/", ids.signPartsAction!, [{ photoId, partNumbers: [1] }])).result).toEqual(notFound);
    expect((await bob.session.action("/", ids.deletePhotosAction!, [{ photoIds: [photoId] }])).result).toEqual({ ok: true, data: { trashed: [], deleted: [] } });
    expect((await bob.session.action("/trash", ids.restorePhotosAction!, [{ photoIds: [photoId] }])).result).toEqual({ ok: true, data: { restored: [] } });
    expect((await bob.session.action("/trash", ids.deleteFromTrashAction!, [{ photoIds: [photoId] }])).result).toEqual({ ok: true, data: { deleted: [] } });
    expect((await bob.session.action("/", ids.cancelUploadAction!, [{ photoId }])).result).toEqual({ ok: true });
    const shareAttempt = await bob.session.action(`/photos/${photoId}`, ids.createShareLinkAction!, [{ photoId, expiresIn: "never", allowDownload: true }]);
    expect(shareAttempt.result).toEqual(notFound);
    expect((await bob.session.action(`/photos/${photoId}`, ids.revokeAllShareLinksAction!, [{ photoId }])).result).toEqual(notFound);
    expect((await bob.session.action(`/photos/${photoId}`, ids.revokeShareLinkAction!, [{ shareId: share.id }])).result).toMatchObject({ ok: false, error: { code: "not_found" } });

    expect((await bob.session.request(`/photos/${photoId}`)).status).toBe(404);
    expect((await bob.session.request(`/photos/${photoId}/download`)).status).toBe(404);
    const statuses = await bob.session.request(`/api/uploads/status?ids=${photoId}`);
    expect(await statuses.json()).toEqual({ statuses: [] });
    const feed = (await (await bob.session.request("/api/photos")).json()) as { tiles: unknown[] };
    expect(feed.tiles).toEqual([]);

    // Alice's photo and link are untouched.
    expect((await alice.session.request(`/photos/${photoId}`)).status).toBe(200);
    expect((await new HttpSession(app.url, fakeIp()).request(`/s/${share.token}`)).status).toBe(200);
    await lib.expectNoJunk(alice.userId, { READY: 1 });
    await lib.expectNoJunk(bob.userId);
  });

  it("feed cursors from the URL are validated: garbage is a 422, never a 500", async () => {
    const { session } = await member("cursor");
    for (const cursor of ["garbage", "%00", Buffer.from("not-a-date|x").toString("base64url"), "A".repeat(5000)]) {
      expect((await session.request(`/api/photos?cursor=${encodeURIComponent(cursor)}`)).status, cursor).toBe(422);
    }
    expect((await session.request(`/api/uploads/status?ids=${encodeURIComponent("1,2,../x")}`)).status).toBe(422);
  });
});

describe("stored content in pages", () => {
  it("a file name carrying HTML is shown as text (escaped), never as markup", async () => {
    const { session, userId } = await member("xss");
    // No "/" in it: the shown name is the last path segment of what the browser sends.
    const name = `<img src=x onerror=alert(1)><svg onload=alert(2)>.jpg`;
    const outcome = await uploadOverHttp(session, ids, { name, type: "image/jpeg", body: jpeg });
    await waitUntilSettled(session, [outcome.photoId]);
    const html = await (await session.request(`/photos/${outcome.photoId}`)).text();
    expect(html).not.toContain("<img src=x onerror");
    expect(html).not.toContain("<svg onload");
    expect(html).toContain("&lt;img src=x onerror=alert(1)&gt;&lt;svg onload=alert(2)&gt;.jpg</h1>");
    await lib.expectNoJunk(userId, { READY: 1 });
  });
});

describe("share links", () => {
  it("unknown, guessed and malformed tokens all answer 404 on the page, the image and the download", async () => {
    const visitor = new HttpSession(app.url, fakeIp());
    const tokens = [...Array.from({ length: 10 }, randomToken), "short", "..%2F..%2Fapi%2Fhealth", "A".repeat(43), "A".repeat(2000), "%00"];
    for (const token of tokens) {
      for (const suffix of ["", "/image", "/download"]) {
        expect((await visitor.request(`/s/${token}${suffix}`)).status, `${token}${suffix}`).toBe(404);
      }
    }
  });

  it("a revoked or expired token replayed answers the same 404 everywhere", async () => {
    const owner = await member("revoker");
    const photoId = await readyPhoto(owner.session);
    const revoked = await shareOverHttp(owner.session, ids, photoId, { allowDownload: true });
    const expired = await shareOverHttp(owner.session, ids, photoId, { allowDownload: true });
    const visitor = new HttpSession(app.url, fakeIp());
    expect((await visitor.request(`/s/${revoked.token}`)).status).toBe(200);
    expect((await visitor.request(`/s/${revoked.token}/download`)).status).toBe(302);

    const revoke = await owner.session.action(`/photos/${photoId}`, ids.revokeShareLinkAction!, [{ shareId: revoked.id }]);
    expect(revoke.result?.ok).toBe(true);
    await db.shareLink.update({ where: { id: expired.id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    for (const token of [revoked.token, expired.token]) {
      for (const suffix of ["", "/image", "/download"]) {
        const response = await visitor.request(`/s/${token}${suffix}`);
        expect(response.status, `${token}${suffix}`).toBe(404);
        expect(response.headers.get("location")).toBeNull();
      }
    }
    await lib.expectNoJunk(owner.userId, { READY: 1 });
  });

  it("limit password guesses per link and address (SHARE_PASSWORD_ATTEMPTS_PER_15_MIN = 10): the 11th, even right, is refused", async () => {
    const owner = await member("locked");
    const photoId = await readyPhoto(owner.session);
    const share = await shareOverHttp(owner.session, ids, photoId, { password: "open sesame" });
    const guesser = new HttpSession(app.url, fakeIp());
    const guess = (session: HttpSession, password: string) =>
      session.formAction<{ error?: string }>(`/s/${share.token}`, ids.unlockShareAction!, {}, { token: share.token, password });

    for (let attempt = 1; attempt <= 10; attempt++) {
      const response = await guess(guesser, `guess-${attempt}`);
      expect(response.result?.ok && response.result.data.error, `attempt ${attempt}`).toBe("That password is not right. Please try again.");
    }
    const limited = await guess(guesser, "open sesame");
    expect(limited.result?.ok && limited.result.data.error).toMatch(/^Too many requests\. Please try again in \d+ s\.$/);
    expect(guesser.cookies.has("snapshelf_share_unlock")).toBe(false);
    expect((await guesser.request(`/s/${share.token}/image`)).status).toBe(404);

    // Someone else who has the password still gets in (the limit is per link and address).
    const friend = new HttpSession(app.url, fakeIp());
    const unlocked = await guess(friend, "open sesame");
    expect(unlocked.redirect).toMatch(new RegExp(`/s/${share.token}`));
    expect(friend.cookies.has("snapshelf_share_unlock")).toBe(true);
    expect((await friend.request(`/s/${share.token}/image`)).status).toBe(302);
  });

  it("guesses spread over many addresses still hit the per-link cap (10 × SHARE_PASSWORD_ATTEMPTS_PER_15_MIN)", async () => {
    const owner = await member("spread");
    const photoId = await readyPhoto(owner.session);
    const share = await shareOverHttp(owner.session, ids, photoId, { password: "open sesame" });
    const guess = (password: string) =>
      new HttpSession(app.url, fakeIp()).formAction<{ error?: string }>(`/s/${share.token}`, ids.unlockShareAction!, {}, { token: share.token, password });
    // A botnet's worth of addresses, each well under its own limit of 10.
    for (let batch = 0; batch < 10; batch++) {
      const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => guess(`guess-${batch}-${i}`)));
      for (const answer of answers) expect(answer.result?.ok && answer.result.data.error).toBe("That password is not right. Please try again.");
    }
    const limited = await guess("open sesame");
    expect(limited.redirect).toBeUndefined();
    expect(limited.result?.ok && limited.result.data.error).toMatch(/^Too many requests\./);
  });

  it("a forged unlock cookie (random, or another link's proof) does not open a protected link", async () => {
    const owner = await member("forger");
    const photoId = await readyPhoto(owner.session);
    const locked = await shareOverHttp(owner.session, ids, photoId, { password: "secret words" });
    const other = await shareOverHttp(owner.session, ids, photoId, { password: "other words" });
    const visitor = new HttpSession(app.url, fakeIp());
    const unlocked = await visitor.formAction(`/s/${other.token}`, ids.unlockShareAction!, {}, { token: other.token, password: "other words" });
    expect(unlocked.redirect).toBeDefined();
    const otherProof = visitor.cookies.get("snapshelf_share_unlock")!;
    for (const value of [otherProof, randomToken(), ""]) {
      visitor.cookies.set("snapshelf_share_unlock", value);
      expect((await visitor.request(`/s/${locked.token}/image`)).status).toBe(404);
      expect(await (await visitor.request(`/s/${locked.token}`)).text()).toContain("This photo is password-protected");
    }
  });

  it("limit page views per address (SHARE_VIEWS_PER_MINUTE = 120): then the page says so and the image route answers 429", async () => {
    const owner = await member("popular");
    const photoId = await readyPhoto(owner.session);
    const share = await shareOverHttp(owner.session, ids, photoId);
    const crawler = new HttpSession(app.url, fakeIp());
    for (let view = 1; view <= 120; view++) {
      const response = await crawler.request(view % 2 ? `/s/${share.token}` : `/s/${share.token}/image`);
      expect(response.status, `view ${view}`).toBe(view % 2 ? 200 : 302);
      await response.arrayBuffer();
    }
    const page = await crawler.request(`/s/${share.token}`);
    const html = await page.text();
    expect(html).toContain("Slow down a little");
    expect(html).toMatch(/Too many requests\. Please try again in \d+ s\./);
    expect(html).not.toContain("X-Amz-Signature");
    const image = await crawler.request(`/s/${share.token}/image`);
    expect(image.status).toBe(429);
    expect((await new HttpSession(app.url, fakeIp()).request(`/s/${share.token}`)).status).toBe(200);
  });

  it("a download is saved under a name ending in the photo's real type, whatever it was called", async () => {
    const owner = await member("downloader");
    const outcome = await uploadOverHttp(owner.session, ids, { name: "cute.gif\u0000.html", type: "image/jpeg", body: jpeg });
    await waitUntilSettled(owner.session, [outcome.photoId]);
    const share = await shareOverHttp(owner.session, ids, outcome.photoId, { allowDownload: true });
    for (const [session, path] of [
      [owner.session, `/photos/${outcome.photoId}/download`],
      [new HttpSession(app.url, fakeIp()), `/s/${share.token}/download`],
    ] as const) {
      const redirect = await session.request(path);
      expect(redirect.status).toBe(302);
      const stored = await fetch(redirect.headers.get("location")!);
      expect(stored.headers.get("content-type")).toBe("image/jpeg");
      expect(stored.headers.get("content-disposition")).toBe(`attachment; filename="cute.gif.html.jpg"; filename*=UTF-8''cute.gif.html.jpg`);
    }
  });
});

describe("response headers of the running app", () => {
  it("carry the CSP with the storage origin, and the share-page variants", async () => {
    const visitor = new HttpSession(app.url, fakeIp());
    const signIn = await visitor.request("/sign-in");
    const csp = signIn.headers.get("content-security-policy") ?? "";
    expect(csp).toContain(`img-src 'self' data: ${world.env.S3_ENDPOINT}`);
    expect(csp).toContain(`connect-src 'self' ${world.env.S3_ENDPOINT}`);
    expect(csp).toContain("frame-ancestors 'none'");
    expect(signIn.headers.get("x-content-type-options")).toBe("nosniff");
    expect(signIn.headers.get("referrer-policy")).toBe("strict-origin-when-cross-origin");
    expect(signIn.headers.get("strict-transport-security")).toBeNull();
    expect(signIn.headers.get("x-powered-by")).toBeNull();
    // The address proxy.ts hands on to the app stays inside: no trace of it, or of how Next passed it, in the response.
    expect([...signIn.headers.keys()].filter((name) => name.includes("client-ip") || name.startsWith("x-middleware"))).toEqual([]);
    const api = await visitor.request("/api/health");
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
    const share = await visitor.request(`/s/${randomToken()}`);
    expect(share.headers.get("referrer-policy")).toBe("no-referrer");
    expect(share.headers.get("x-robots-tag")).toBe("noindex, nofollow");
    expect(share.headers.get("content-security-policy")).toBe(csp);
  });

  it("never show a stack trace: an error page says nothing about the code", async () => {
    const { session } = await member("errors");
    const response = await session.request(`/photos/${randomUUID()}`);
    expect(response.status).toBe(404);
    const body = await response.text();
    expect(body).not.toMatch(/at [\w.]+ \(|node_modules|\.tsx?:\d+/);
  });
});
