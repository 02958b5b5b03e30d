/**
 * Hostile files through the real upload path: presign (lib/photos/uploads), a PUT
 * to the presigned URL on the embedded S3, complete (HEAD + sniff) and processing.
 * Every case checks what the person is told and that nothing is left behind: no
 * stray rows, no objects but those of READY photos (expectNoJunk).
 */
import { randomUUID } from "node:crypto";
import sharp from "sharp";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { downloadNameFor, sanitizeDisplayName } from "@/lib/photos/display-name";
import { originalKey } from "@/lib/photos/keys";
import { processPhoto } from "@/lib/photos/processing";
import { completeUpload } from "@/lib/photos/uploads";
import { getStorage } from "@/lib/storage";
import { createUser, expectNoJunk, fixture, objectKeys, presign, put, removeUsers, upload } from "./support/data";

const users: string[] = [];
async function freshUser(label: string) {
  const user = await createUser(label);
  users.push(user.id);
  return user.id;
}

afterAll(() => removeUsers(users));

/** Presign + PUT + complete (+ processing when verified); returns the row at the end. */
async function sendAs(ownerId: string, name: string, type: string, body: Buffer) {
  const [plan] = await presign(ownerId, [{ name, type, size: body.length }]);
  if (!plan?.ok) throw new Error(`refused at presign: ${JSON.stringify(plan)}`);
  const response = await put(plan, body);
  expect(response.status).toBe(200);
  const outcome = await completeUpload(ownerId, plan.photoId);
  if (outcome.status === "PROCESSING") await processPhoto(plan.photoId);
  return { outcome, photo: await db.photo.findUniqueOrThrow({ where: { id: plan.photoId } }) };
}

let jpeg: Buffer;
let png: Buffer;
let gif: Buffer;

beforeAll(async () => {
  jpeg = fixture("camera-gps-landscape.jpg");
  png = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#3a7bd5" } }).png().toBuffer();
  gif = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#d53a7b" } }).gif().toBuffer();
});

describe("content that is not what it claims", () => {
  it("fake JPEG (HTML bytes sent as image/jpeg) ends FAILED and its object is removed", async () => {
    const owner = await freshUser("fake-jpeg");
    const { outcome, photo } = await sendAs(owner, "not-really.jpg", "image/jpeg", fixture("not-really.jpg"));
    expect(outcome.status).toBe("FAILED");
    expect(photo.failureReason).toMatch(/not a photo we can read/);
    await expectNoJunk(owner, { FAILED: 1 });
  });

  it("SVG with a script is refused at presign by its type: no row, no URL", async () => {
    const owner = await freshUser("svg-type");
    const svg = fixture("script.svg");
    const [plan] = await presign(owner, [{ name: "script.svg", type: "image/svg+xml", size: svg.length }]);
    expect(plan).toMatchObject({ ok: false, message: expect.stringMatching(/Only JPEG, PNG, WebP, GIF, AVIF and HEIC/) });
    await expectNoJunk(owner);
  });

  it("HTML declared as text/html (or with no type at all) is refused at presign", async () => {
    const owner = await freshUser("html-type");
    const plans = await presign(owner, [
      { name: "page.html", type: "text/html", size: 39 },
      { name: "x.jpg", type: "", size: 39 },
      { name: "x.jpg", type: "application/octet-stream", size: 39 },
      { name: "x.jpg", type: "constructor", size: 39 },
    ]);
    expect(plans.every((p) => !p.ok)).toBe(true);
    await expectNoJunk(owner);
  });

  it("SVG bytes sent as image/png end FAILED and the object is gone", async () => {
    const owner = await freshUser("svg-as-png");
    const { outcome, photo } = await sendAs(owner, "script.png", "image/png", fixture("script.svg"));
    expect(outcome.status).toBe("FAILED");
    expect(photo.failureReason).toMatch(/not a photo we can read/);
    await expectNoJunk(owner, { FAILED: 1 });
  });

  it("PNG bytes sent as image/jpeg end FAILED, naming both types", async () => {
    const owner = await freshUser("png-as-jpeg");
    const { outcome } = await sendAs(owner, "photo.jpg", "image/jpeg", png);
    expect(outcome).toMatchObject({ status: "FAILED", failureReason: expect.stringMatching(/contents are PNG, but it was sent as JPEG/) });
    await expectNoJunk(owner, { FAILED: 1 });
  });

  it("polyglot: a valid GIF with HTML/JS after its trailer is re-encoded to WebP, and never served as something a browser would render", async () => {
    const owner = await freshUser("polyglot-valid");
    const payload = Buffer.from("<html><body><script>alert(document.domain)</script></body></html>");
    const { photo } = await sendAs(owner, "cute.gif", "image/gif", Buffer.concat([gif, payload]));
    expect(photo.status).toBe("READY");
    const storage = getStorage();
    for (const key of [photo.thumbKey!, photo.largeKey!]) {
      const bytes = await storage.getBytes(key);
      expect(bytes.subarray(0, 4).toString("latin1")).toBe("RIFF");
      expect(bytes.subarray(8, 12).toString("latin1")).toBe("WEBP");
      expect(bytes.includes("<script")).toBe(false);
      expect((await storage.head(key))?.contentType).toBe("image/webp");
    }
    // The original (the only copy that still holds the HTML) is only ever handed out as an attachment of its own image type.
    const download = await fetch(await storage.presignGet(photo.originalKey, { expiresInSeconds: 60, downloadName: photo.displayName }));
    expect(download.headers.get("content-type")).toBe("image/gif");
    expect(download.headers.get("content-disposition")).toMatch(/^attachment;/);
    await expectNoJunk(owner, { READY: 1 });
  });

  it("polyglot: a GIF header followed only by HTML/JS ends FAILED and the object is gone", async () => {
    const owner = await freshUser("polyglot-bare");
    const body = Buffer.concat([Buffer.from("GIF89a"), Buffer.from("<html><script>alert(1)</script></html>")]);
    const { photo } = await sendAs(owner, "cute.gif", "image/gif", body);
    expect(photo.status).toBe("FAILED");
    expect(photo.failureReason).toMatch(/damaged|not an image we can use/);
    await expectNoJunk(owner, { FAILED: 1 });
  });

  it("an HTML page hidden in a JPEG comment segment comes out as WebP with no trace of it", async () => {
    const owner = await freshUser("jpeg-comment");
    // FF FE = COM segment right after SOI: valid JPEG, HTML inside.
    const comment = Buffer.from("<html><script>alert(1)</script></html>");
    const segment = Buffer.concat([Buffer.from([0xff, 0xfe, (comment.length + 2) >> 8, (comment.length + 2) & 0xff]), comment]);
    const body = Buffer.concat([jpeg.subarray(0, 2), segment, jpeg.subarray(2)]);
    const { photo } = await sendAs(owner, "comment.jpg", "image/jpeg", body);
    expect(photo.status).toBe("READY");
    expect((await getStorage().getBytes(photo.largeKey!)).includes("<script")).toBe(false);
    await expectNoJunk(owner, { READY: 1 });
  });
});

describe("sizes", () => {
  it("a zero-byte file is refused at presign", async () => {
    const owner = await freshUser("empty");
    const [plan] = await presign(owner, [{ name: "empty.jpg", type: "image/jpeg", size: fixture("empty.jpg").length }]);
    expect(plan).toMatchObject({ ok: false, message: "This file is empty." });
    await expectNoJunk(owner);
  });

  it("a file over UPLOAD_MAX_BYTES is refused at presign, saying the limit", async () => {
    const owner = await freshUser("oversize");
    const [plan] = await presign(owner, [{ name: "huge.jpg", type: "image/jpeg", size: env.UPLOAD_MAX_BYTES + 1 }]);
    expect(plan).toMatchObject({ ok: false, message: expect.stringMatching(/the limit is/) });
    await expectNoJunk(owner);
  });

  it("a body longer or shorter than the signed length is refused by storage (403), and completing then fails cleanly", async () => {
    const owner = await freshUser("size-lie");
    const [plan] = await presign(owner, [{ name: "a.jpg", type: "image/jpeg", size: 1000 }]);
    expect((await put(plan!, jpeg.subarray(0, 5000))).status).toBe(403);
    expect((await put(plan!, jpeg.subarray(0, 999))).status).toBe(403);
    expect(await objectKeys(owner)).toEqual([]);
    const outcome = await completeUpload(owner, (plan as { photoId: string }).photoId);
    expect(outcome).toMatchObject({ status: "FAILED", failureReason: expect.stringMatching(/never arrived/) });
    await expectNoJunk(owner, { FAILED: 1 });
  });

  it("decompression bomb (12000×12000 PNG, 17 KB) ends FAILED with the pixel limit, quickly, without decoding", async () => {
    const owner = await freshUser("bomb");
    const started = performance.now();
    const { photo } = await sendAs(owner, "bomb.png", "image/png", fixture("decompression-bomb-12000x12000.png"));
    const seconds = (performance.now() - started) / 1000;
    expect(photo.status).toBe("FAILED");
    expect(photo.failureReason).toBe("This image is 12000×12000 (144 MP); the limit is 100 MP.");
    expect(seconds).toBeLessThan(5);
    await expectNoJunk(owner, { FAILED: 1 });
  });

  it("a truncated JPEG ends FAILED as damaged, not as a grey half-image", async () => {
    const owner = await freshUser("truncated");
    const { photo } = await sendAs(owner, "truncated.jpg", "image/jpeg", fixture("truncated.jpg"));
    expect(photo).toMatchObject({ status: "FAILED", failureReason: "The file is damaged or incomplete and cannot be read." });
    await expectNoJunk(owner, { FAILED: 1 });
  });

  it(`more than MAX_FILES_PER_BATCH files in one call are refused as a whole`, async () => {
    const owner = await freshUser("batch");
    const files = Array.from({ length: env.MAX_FILES_PER_BATCH + 1 }, (_, i) => ({ name: `${i}.jpg`, type: "image/jpeg", size: 1000 }));
    await expect(presign(owner, files)).rejects.toMatchObject({ code: "invalid_input", message: expect.stringMatching(/up to \d+ photos at once/) });
    await expectNoJunk(owner);
  });

  it("the per-user quota refuses what does not fit, and only that", async () => {
    const owner = await freshUser("quota");
    // Usage just under the quota, as a row still being processed (only the row counts, not the bytes).
    const id = randomUUID();
    await db.photo.create({
      data: {
        id,
        ownerId: owner,
        status: "PROCESSING",
        originalKey: originalKey(owner, id),
        displayName: "big.jpg",
        contentType: "image/jpeg",
        sizeBytes: BigInt(env.USER_QUOTA_BYTES - 2000),
        uploadExpiresAt: new Date(),
      },
    });
    const plans = await presign(owner, [
      { name: "fits.jpg", type: "image/jpeg", size: 1500 },
      { name: "too-much.jpg", type: "image/jpeg", size: 1500 },
    ]);
    expect(plans[0]).toMatchObject({ ok: true });
    expect(plans[1]).toMatchObject({ ok: false, message: expect.stringMatching(/^Not enough space/) });
    expect(await db.photo.count({ where: { ownerId: owner, status: "PENDING" } })).toBe(1);
    await db.photo.deleteMany({ where: { ownerId: owner } });
    await expectNoJunk(owner);
  });
});

describe("file names", () => {
  const keyShape = (owner: string) => new RegExp(`^users/${owner}/[0-9a-f-]{36}/(original|thumb\\.webp|large\\.webp)$`);

  it.each([
    ["../../etc/passwd.jpg", "passwd.jpg"],
    ["..\\..\\windows\\win.ini.jpg", "win.ini.jpg"],
    ["%2e%2e%2fetc%2fpasswd.jpg", "%2e%2e%2fetc%2fpasswd.jpg"],
    ["/absolute/path/photo.jpg", "photo.jpg"],
  ])("path traversal %j never reaches a key; shown as %j", async (name, shown) => {
    const owner = await freshUser("traversal");
    const photo = await upload(owner, { name, type: "image/jpeg", body: jpeg });
    expect(photo.displayName).toBe(shown);
    for (const key of await objectKeys(owner)) expect(key).toMatch(keyShape(owner));
    await expectNoJunk(owner, { READY: 1 });
  });

  it("control characters, NUL and bidi overrides are stripped from the shown name and cannot split a header", async () => {
    const owner = await freshUser("control");
    const photo = await upload(owner, { name: "a\r\nX-Injected: 1\r\n\u0000b\u202Egpj.exe", type: "image/jpeg", body: jpeg });
    expect(photo.displayName).toBe("aX-Injected: 1bgpj.exe");
    const response = await fetch(await getStorage().presignGet(photo.originalKey, { expiresInSeconds: 60, downloadName: photo.displayName }));
    expect(response.headers.get("content-type")).toBe("image/jpeg");
    expect(response.headers.get("x-injected")).toBeNull();
    expect(response.headers.get("content-disposition")).toMatch(/^attachment; filename="aX-Injected: 1bgpj.exe"/);
    await expectNoJunk(owner, { READY: 1 });
  });

  it.each([
    ["cute.gif\u0000.html", "image/jpeg", "cute.gif.html.jpg"],
    ["invoice.exe", "image/jpeg", "invoice.exe.jpg"],
    ["holiday.JPG", "image/jpeg", "holiday.JPG"],
    ["scan.jpeg", "image/jpeg", "scan.jpeg"],
    ["noext", "image/png", "noext.png"],
  ])("a download of %j (%s) is saved under %j: the extension always matches what the file is", (shown, type, saved) => {
    expect(downloadNameFor(sanitizeDisplayName(shown), type)).toBe(saved);
  });

  it("a 1,000-character name is accepted and shortened for display, keeping the extension; 1,001 is refused", async () => {
    const owner = await freshUser("long-name");
    const name = `${"x".repeat(996)}.jpg`;
    const photo = await upload(owner, { name, type: "image/jpeg", body: jpeg });
    expect(photo.displayName.length).toBeLessThanOrEqual(200);
    expect(photo.displayName.endsWith("….jpg")).toBe(true);
    const [refused] = await presign(owner, [{ name: `x${name}`, type: "image/jpeg", size: jpeg.length }]);
    expect(refused).toMatchObject({ ok: false, message: "That file name is too long." });
    await expectNoJunk(owner, { READY: 1 });
  });
});
