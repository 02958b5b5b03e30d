/**
 * One set of cases, run against every storage the suite can reach: the embedded S3
 * (s3rver), Azurite, and a real S3-compatible bucket when STORAGE_CONFORMANCE_S3_* is set.
 * Uploads go through Node's fetch exactly as a browser would send them: URL + the
 * returned headers, nothing else.
 */
import { randomBytes, randomUUID } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureDriver } from "@/lib/storage/azure";
import { ObjectTooLargeError } from "@/lib/storage/download";
import { createS3Driver } from "@/lib/storage/s3";
import type { SignedRequest, StorageDriver } from "@/lib/storage/types";
import { startAzurite } from "@/scripts/embedded/azurite";
import { startEmbeddedS3 } from "@/scripts/embedded/s3";

const ORIGIN = "http://localhost:3000";
const MiB = 1024 * 1024;

interface Target {
  name: string;
  kind: StorageDriver["kind"];
  /** The origin the storage's CORS rules allow; undefined when the suite cannot know it. */
  origin: string | undefined;
  start(): Promise<{ driver: StorageDriver; stop(): Promise<void> }>;
}

async function tempDir(name: string) {
  return mkdtemp(path.join(os.tmpdir(), `snapshelf-${name}-`));
}

const embeddedS3: Target = {
  name: "embedded S3 (s3rver)",
  kind: "s3",
  origin: ORIGIN,
  async start() {
    const dir = await tempDir("s3rver");
    const s3 = await startEmbeddedS3({ dir, port: 0, allowedOrigins: [ORIGIN] });
    const driver = createS3Driver({
      bucket: s3.bucket,
      region: "us-east-1",
      accessKeyId: s3.accessKeyId,
      secretAccessKey: s3.secretAccessKey,
      endpoint: s3.endpoint,
      forcePathStyle: true,
    });
    return { driver, stop: async () => (await s3.stop(), await rm(dir, { recursive: true, force: true })) };
  },
};

const azurite: Target = {
  name: "Azurite",
  kind: "azure",
  origin: ORIGIN,
  async start() {
    const dir = await tempDir("azurite");
    const az = await startAzurite({ dir, port: 0, container: "conformance", allowedOrigins: [ORIGIN] });
    const driver = createAzureDriver({ account: az.account, accountKey: az.key, container: az.container, endpoint: az.endpoint });
    return { driver, stop: async () => (await az.stop(), await rm(dir, { recursive: true, force: true })) };
  },
};

const realEnv = {
  bucket: process.env.STORAGE_CONFORMANCE_S3_BUCKET,
  accessKeyId: process.env.STORAGE_CONFORMANCE_S3_ACCESS_KEY_ID,
  secretAccessKey: process.env.STORAGE_CONFORMANCE_S3_SECRET_ACCESS_KEY,
};
const realBucket: Target = {
  name: "real S3-compatible bucket (STORAGE_CONFORMANCE_S3_*)",
  kind: "s3",
  // The suite cannot set CORS on someone's bucket; name the origin its rules allow to test the preflight.
  origin: process.env.STORAGE_CONFORMANCE_S3_ORIGIN || undefined,
  async start() {
    const driver = createS3Driver({
      bucket: realEnv.bucket!,
      accessKeyId: realEnv.accessKeyId!,
      secretAccessKey: realEnv.secretAccessKey!,
      region: process.env.STORAGE_CONFORMANCE_S3_REGION || "us-east-1",
      endpoint: process.env.STORAGE_CONFORMANCE_S3_ENDPOINT || undefined,
      forcePathStyle: ["1", "true"].includes(process.env.STORAGE_CONFORMANCE_S3_FORCE_PATH_STYLE ?? ""),
    });
    return { driver, stop: async () => {} };
  },
};

conformance(embeddedS3);
conformance(azurite);
const missing = Object.entries(realEnv)
  .filter(([, v]) => !v)
  .map(([k]) => `STORAGE_CONFORMANCE_S3_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`);
if (missing.length === 0) {
  conformance(realBucket);
} else {
  const why = `not set: ${missing.join(", ")}`;
  console.info(`storage conformance: the real-bucket block is skipped (${why}).`);
  describe.skip(`${realBucket.name} — skipped, ${why}`, () => {
    it("runs the same cases against a real bucket", () => {});
  });
}

function conformance(target: Target) {
  describe(target.name, () => {
    let driver: StorageDriver;
    let stop: (() => Promise<void>) | undefined;
    // Unique per run: a real bucket may hold other data, and runs must not see each other.
    const prefix = `conformance/${randomUUID()}/`;
    const key = (name: string) => `${prefix}${name}`;

    beforeAll(async () => {
      ({ driver, stop } = await target.start());
    });
    afterAll(async () => {
      if (!driver) return;
      for (const u of await driver.listStaleMultipart(prefix, new Date(Date.now() + 60_000))) {
        await driver.abortMultipart(u.key, u.uploadId);
      }
      for await (const o of driver.list(prefix)) await driver.delete(o.key);
      await stop?.();
    });

    // Uint8Array, not Buffer: DOM's fetch types accept only views of a plain ArrayBuffer.
    const send = (req: SignedRequest, body: Buffer, extra: Record<string, string> = {}) =>
      fetch(req.url, { method: req.method, headers: { ...req.headers, ...extra }, body: new Uint8Array(body) });

    it.skipIf(!target.origin)("answers the CORS preflight, then takes a presigned PUT sent with plain fetch", async () => {
      const origin = target.origin!;
      const body = randomBytes(1234);
      const req = await driver.presignPut(key("single.jpg"), { contentType: "image/jpeg", contentLength: body.length, expiresInSeconds: 60 });
      expect(req.method).toBe("PUT");

      const requested = Object.keys(req.headers).map((h) => h.toLowerCase());
      const preflight = await fetch(req.url, {
        method: "OPTIONS",
        headers: {
          Origin: origin,
          "Access-Control-Request-Method": "PUT",
          "Access-Control-Request-Headers": requested.join(","),
        },
      });
      expect(preflight.status).toBeLessThan(300);
      expect([origin, "*"]).toContain(preflight.headers.get("access-control-allow-origin"));
      expect(preflight.headers.get("access-control-allow-methods")).toMatch(/\bPUT\b/);
      const allowed = (preflight.headers.get("access-control-allow-headers") ?? "").toLowerCase().split(/\s*,\s*/);
      for (const h of requested) expect(allowed.includes(h) || allowed.includes("*"), `preflight allows ${h}`).toBe(true);

      const put = await send(req, body, { Origin: origin });
      expect(put.status, await put.clone().text()).toBeLessThan(300);
      expect([origin, "*"]).toContain(put.headers.get("access-control-allow-origin"));

      expect(await driver.head(key("single.jpg"))).toMatchObject({ key: key("single.jpg"), size: 1234, contentType: "image/jpeg" });
    });

    it("stores a presigned PUT under the signed type and size (no CORS)", async () => {
      const body = randomBytes(321);
      const req = await driver.presignPut(key("plain.png"), { contentType: "image/png", contentLength: body.length, expiresInSeconds: 60 });
      const put = await send(req, body);
      expect(put.status, await put.clone().text()).toBeLessThan(300);
      expect(await driver.head(key("plain.png"))).toMatchObject({ size: 321, contentType: "image/png" });
      expect(await driver.getBytes(key("plain.png"))).toEqual(body);
    });

    if (target.kind === "s3") {
      it("refuses a PUT with a Content-Type other than the signed one (403)", async () => {
        const req = await driver.presignPut(key("type.jpg"), { contentType: "image/jpeg", contentLength: 10, expiresInSeconds: 60 });
        const put = await send(req, randomBytes(10), { "Content-Type": "text/html" });
        expect(put.status).toBe(403);
        expect(await driver.head(key("type.jpg"))).toBeUndefined();
      });

      it("refuses a PUT whose length differs from the signed one", async () => {
        const req = await driver.presignPut(key("size.jpg"), { contentType: "image/jpeg", contentLength: 10, expiresInSeconds: 60 });
        const put = await send(req, randomBytes(11));
        expect(put.status).toBe(403);
        expect(await driver.head(key("size.jpg"))).toBeUndefined();
      });
    } else {
      // Not a pass for the property above: this pins down the documented gap (see lib/storage/azure.ts),
      // so that the server-side check after upload stays mandatory for this kind.
      it("cannot refuse another Content-Type or size (Azure SAS limit; the server verifies after upload)", async () => {
        expect(driver.kind).toBe("azure");
        const req = await driver.presignPut(key("type.jpg"), { contentType: "image/jpeg", contentLength: 10, expiresInSeconds: 60 });
        const put = await send(req, randomBytes(11), { "Content-Type": "text/html" });
        expect(put.status).toBe(201);
        expect(await driver.head(key("type.jpg"))).toMatchObject({ size: 11, contentType: "text/html" });
      });

      it("will not let an upload URL replace its blob once stored (create-only SAS), so a verified upload stays verified", async () => {
        const req = await driver.presignPut(key("once.jpg"), { contentType: "image/jpeg", contentLength: 10, expiresInSeconds: 60 });
        expect((await send(req, randomBytes(10))).status).toBe(201);
        const again = await send(req, randomBytes(5000));
        // Azurite answers 403 (permission mismatch); either way the blob is untouched.
        expect([403, 409]).toContain(again.status);
        expect(await driver.head(key("once.jpg"))).toMatchObject({ size: 10 });
      });
    }

    it("refuses an expired upload URL (403)", async () => {
      const req = await driver.presignPut(key("expired.jpg"), { contentType: "image/jpeg", contentLength: 5, expiresInSeconds: 1 });
      await new Promise((r) => setTimeout(r, 2_100));
      const put = await send(req, randomBytes(5));
      expect(put.status).toBe(403);
      expect(await driver.head(key("expired.jpg"))).toBeUndefined();
    });

    it("refuses a tampered signature (403)", async () => {
      const req = await driver.presignPut(key("tampered.jpg"), { contentType: "image/jpeg", contentLength: 5, expiresInSeconds: 60 });
      const url = new URL(req.url);
      const param = url.searchParams.has("X-Amz-Signature") ? "X-Amz-Signature" : "sig";
      const sig = url.searchParams.get(param) ?? "";
      expect(sig).not.toBe("");
      url.searchParams.set(param, (sig.startsWith("a") ? "b" : "a") + sig.slice(1));
      const put = await send({ ...req, url: url.toString() }, randomBytes(5));
      expect(put.status).toBe(403);
      expect(await driver.head(key("tampered.jpg"))).toBeUndefined();
    });

    it("uploads 3 parts in parallel, lists them, completes, and reads back ranges", async () => {
      const k = key("multi.bin");
      // S3's minimum part size is 5 MiB for all parts but the last.
      const chunks = [randomBytes(5 * MiB), randomBytes(5 * MiB), randomBytes(1234)];
      const whole = Buffer.concat(chunks);
      const uploadId = await driver.createMultipart(k, { contentType: "image/tiff" });

      const responses = await Promise.all(
        chunks.map(async (chunk, i) => {
          const req = await driver.presignPart(k, uploadId, i + 1, { contentLength: chunk.length, expiresInSeconds: 60 });
          const res = await send(req, chunk, target.origin ? { Origin: target.origin } : {});
          expect(res.status, await res.clone().text()).toBeLessThan(300);
          return res;
        }),
      );
      if (target.kind === "s3") {
        // The browser needs each part's ETag: it must be present and exposed to scripts.
        for (const res of responses) {
          expect(res.headers.get("etag")).toMatch(/^"?[0-9a-f]+"?$/);
          if (target.origin) expect(res.headers.get("access-control-expose-headers") ?? "").toMatch(/etag/i);
        }
      }

      const parts = await driver.listParts(k, uploadId);
      expect(parts.map((p) => p.partNumber)).toEqual([1, 2, 3]);
      if (target.kind === "s3") expect(parts.map((p) => p.etag)).toEqual(responses.map((r) => r.headers.get("etag")));

      await driver.completeMultipart(k, uploadId, parts);
      expect(await driver.head(k)).toMatchObject({ size: whole.length, contentType: "image/tiff" });
      await expect(driver.listParts(k, uploadId)).rejects.toThrow();
      // A late abort (the sweeper racing the completion) must not touch the finished object.
      await driver.abortMultipart(k, uploadId);
      expect(await driver.head(k)).toMatchObject({ size: whole.length });
      // A range across the first part boundary.
      const start = 5 * MiB - 100;
      const end = 5 * MiB + 99;
      expect(await driver.getBytes(k, { start, end })).toEqual(whole.subarray(start, end + 1));
      expect(await driver.listStaleMultipart(prefix, new Date(Date.now() + 60_000))).not.toContainEqual(
        expect.objectContaining({ uploadId }),
      );
    });

    it("aborts a multipart upload: it is no longer listed and cannot be resumed or completed", async () => {
      const k = key("aborted.bin");
      const uploadId = await driver.createMultipart(k, { contentType: "image/jpeg" });
      const req = await driver.presignPart(k, uploadId, 1, { contentLength: 100, expiresInSeconds: 60 });
      expect((await send(req, randomBytes(100))).status).toBeLessThan(300);
      const parts = await driver.listParts(k, uploadId);
      expect(parts).toHaveLength(1);

      const later = new Date(Date.now() + 60_000);
      expect(await driver.listStaleMultipart(prefix, later)).toContainEqual(expect.objectContaining({ key: k, uploadId }));
      // Nothing is "stale" relative to a time before it started.
      expect(await driver.listStaleMultipart(prefix, new Date(Date.now() - 60_000))).not.toContainEqual(
        expect.objectContaining({ uploadId }),
      );

      await driver.abortMultipart(k, uploadId);
      await expect(driver.listParts(k, uploadId)).rejects.toThrow();
      await expect(driver.completeMultipart(k, uploadId, parts)).rejects.toThrow();
      expect(await driver.listStaleMultipart(prefix, later)).not.toContainEqual(expect.objectContaining({ uploadId }));
      expect(await driver.head(k)).toBeUndefined();
      // Aborting twice (e.g. the sweeper racing a user's cancel) is not an error.
      await driver.abortMultipart(k, uploadId);
    });

    it("downloads an object to a file, and stops as soon as more bytes arrive than expected", async () => {
      const body = randomBytes(3 * MiB + 5);
      await driver.put(key("download/photo"), body, { contentType: "image/jpeg" });
      const dir = await tempDir("download");
      try {
        await driver.download(key("download/photo"), path.join(dir, "whole"), { maxBytes: body.length });
        expect((await readFile(path.join(dir, "whole"))).equals(body)).toBe(true);
        await expect(driver.download(key("download/photo"), path.join(dir, "cut"), { maxBytes: MiB })).rejects.toBeInstanceOf(ObjectTooLargeError);
        const aborted = AbortSignal.abort(new Error("stop"));
        await expect(driver.download(key("download/photo"), path.join(dir, "aborted"), { maxBytes: body.length, signal: aborted })).rejects.toThrow();
      } finally {
        await rm(dir, { recursive: true, force: true });
        await driver.delete(key("download/photo"));
      }
    });

    it("a part URL cannot rewrite its object once the upload is completed", async () => {
      const k = key("parts/completed.bin");
      const uploadId = await driver.createMultipart(k, { contentType: "image/jpeg" });
      const req = await driver.presignPart(k, uploadId, 1, { contentLength: 100, expiresInSeconds: 60 });
      expect((await send(req, randomBytes(100))).status).toBeLessThan(300);
      await driver.completeMultipart(k, uploadId, await driver.listParts(k, uploadId));
      const completed = await driver.getBytes(k);

      // The same part again: the upload is gone (S3: NoSuchUpload), or the staged block is never committed (Azure).
      await send(req, randomBytes(100));
      expect(await driver.getBytes(k)).toEqual(completed);
      await driver.delete(k);
    });

    if (target.kind === "s3") {
      it("a part URL cannot be turned into a whole-object PUT (the upload id and part number are signed)", async () => {
        const k = key("parts/not-a-put.bin");
        await driver.put(k, Buffer.from("verified"), { contentType: "image/jpeg" });
        const uploadId = await driver.createMultipart(k, { contentType: "image/jpeg" });
        const req = await driver.presignPart(k, uploadId, 1, { contentLength: 5000, expiresInSeconds: 60 });
        const url = new URL(req.url);
        url.searchParams.delete("partNumber");
        url.searchParams.delete("uploadId");
        const put = await send({ ...req, url: url.toString() }, randomBytes(5000));
        expect(put.status).toBe(403);
        expect((await driver.getBytes(k)).toString()).toBe("verified");
        await driver.abortMultipart(k, uploadId);
        await driver.delete(k);
      });
    } else {
      // The documented gap (see PART_PERMISSIONS in lib/storage/azure.ts): Put Block needs `w`, and `w` allows a
      // whole Put Blob on the same blob. Pinned here so that verified bytes keep moving to a key no URL names.
      it("a part URL (write SAS) can Put Blob over its own key, and no other key", async () => {
        const k = key("parts/own-key.bin");
        const uploadId = await driver.createMultipart(k, { contentType: "image/jpeg" });
        await driver.put(k, Buffer.from("verified"), { contentType: "image/jpeg" });
        const req = await driver.presignPart(k, uploadId, 1, { contentLength: 100, expiresInSeconds: 60 });
        const wholeBlob = new URL(req.url);
        wholeBlob.searchParams.delete("comp");
        wholeBlob.searchParams.delete("blockid");
        const replaced = await send({ ...req, url: wholeBlob.toString() }, randomBytes(5000), { "x-ms-blob-type": "BlockBlob" });
        expect(replaced.status).toBe(201);
        expect(await driver.head(k)).toMatchObject({ size: 5000 });

        const otherKey = new URL(wholeBlob);
        otherKey.pathname = otherKey.pathname.replace(/own-key\.bin$/, "other.bin");
        const elsewhere = await send({ ...req, url: otherKey.toString() }, randomBytes(10), { "x-ms-blob-type": "BlockBlob" });
        expect(elsewhere.status).toBe(403);
        expect(await driver.head(key("parts/other.bin"))).toBeUndefined();
        await driver.abortMultipart(k, uploadId);
        await driver.delete(k);
      });

      it("a single-PUT URL (create SAS) cannot stage blocks", async () => {
        const req = await driver.presignPut(key("parts/create-only.bin"), { contentType: "image/jpeg", contentLength: 10, expiresInSeconds: 60 });
        const block = `${req.url}&comp=block&blockid=${encodeURIComponent(Buffer.from("block-00001").toString("base64"))}`;
        const staged = await send({ ...req, url: block }, randomBytes(10));
        expect(staged.status).toBe(403);
      });

      it("deletes a blob a client took a snapshot of (the create SAS allows Snapshot Blob)", async () => {
        const k = key("delete/snapshotted.jpg");
        const req = await driver.presignPut(k, { contentType: "image/jpeg", contentLength: 10, expiresInSeconds: 60 });
        expect((await send(req, randomBytes(10))).status).toBe(201);
        const snapshot = await fetch(`${req.url}&comp=snapshot`, { method: "PUT" });
        expect(snapshot.status, await snapshot.clone().text()).toBe(201);

        await driver.delete(k);
        expect(await driver.head(k)).toBeUndefined();
      });

      it("deletes a blob a client holds an infinite lease on (the write SAS of a part allows Lease Blob)", async () => {
        const k = key("delete/leased.jpg");
        const uploadId = await driver.createMultipart(k, { contentType: "image/jpeg" });
        await driver.put(k, randomBytes(10), { contentType: "image/jpeg" });
        const req = await driver.presignPart(k, uploadId, 1, { contentLength: 10, expiresInSeconds: 60 });
        const leaseUrl = new URL(req.url);
        leaseUrl.searchParams.delete("blockid");
        leaseUrl.searchParams.set("comp", "lease");
        const lease = await fetch(leaseUrl, { method: "PUT", headers: { "x-ms-lease-action": "acquire", "x-ms-lease-duration": "-1" } });
        expect(lease.status, await lease.clone().text()).toBe(201);

        await driver.delete(k);
        expect(await driver.head(k)).toBeUndefined();
        await driver.abortMultipart(k, uploadId);
      });
    }

    it("copies an object inside the bucket, keeping its bytes and type", async () => {
      const body = randomBytes(3 * MiB + 17);
      await driver.put(key("copy/from"), body, { contentType: "image/jpeg" });
      await driver.copy(key("copy/from"), key("copy/to é+1"));
      expect(await driver.getBytes(key("copy/to é+1"))).toEqual(body);
      expect((await driver.head(key("copy/to é+1")))?.contentType).toBe("image/jpeg");
      await Promise.all([driver.delete(key("copy/from")), driver.delete(key("copy/to é+1"))]);
    });

    it("puts, reads, presigns reads, lists by prefix and deletes idempotently", async () => {
      const a = randomBytes(2000);
      const b = Buffer.from("second");
      await driver.put(key("list/a.webp"), a, { contentType: "image/webp", cacheControl: "public, max-age=60" });
      await driver.put(key("list/b.txt"), b, { contentType: "text/plain" });
      await driver.put(key("other/c.txt"), Buffer.from("c"), { contentType: "text/plain" });

      expect(await driver.getBytes(key("list/a.webp"))).toEqual(a);
      expect(await driver.getBytes(key("list/a.webp"), { start: 10, end: 19 })).toEqual(a.subarray(10, 20));

      const listed = [];
      for await (const o of driver.list(key("list/"))) listed.push(o);
      expect(listed.map((o) => [o.key, o.size]).sort()).toEqual([
        [key("list/a.webp"), 2000],
        [key("list/b.txt"), 6],
      ]);

      const url = await driver.presignGet(key("list/a.webp"), { expiresInSeconds: 60 });
      const got = await fetch(url);
      expect(got.status).toBe(200);
      expect(Buffer.from(await got.arrayBuffer())).toEqual(a);

      const download = await fetch(
        await driver.presignGet(key("list/a.webp"), { expiresInSeconds: 60, downloadName: 'My "holiday" été.webp' }),
      );
      expect(download.status).toBe(200);
      const disposition = download.headers.get("content-disposition") ?? "";
      expect(disposition).toMatch(/^attachment;/);
      expect(disposition).toContain(`filename*=UTF-8''My%20holiday%20%C3%A9t%C3%A9.webp`);
      await download.arrayBuffer();

      const signedAt = new Date(Math.floor(Date.now() / 60_000) * 60_000);
      const first = await driver.presignGet(key("list/b.txt"), { expiresInSeconds: 600, signedAt });
      expect(await driver.presignGet(key("list/b.txt"), { expiresInSeconds: 600, signedAt })).toBe(first);
      expect(await (await fetch(first)).text()).toBe("second");

      // Keys outside [A-Za-z0-9/._-] must be escaped the same way in the URL and in the signature.
      const oddKey = key("odd/été (1) + [x]!*'~.txt");
      const oddPut = await driver.presignPut(oddKey, { contentType: "text/plain", contentLength: 3, expiresInSeconds: 60 });
      expect((await send(oddPut, Buffer.from("odd"))).status).toBeLessThan(300);
      expect(await (await fetch(await driver.presignGet(oddKey, { expiresInSeconds: 60 }))).text()).toBe("odd");
      await driver.delete(oddKey);

      await driver.delete(key("list/a.webp"));
      await driver.delete(key("list/a.webp"));
      await driver.delete(key("never-existed"));
      expect(await driver.head(key("list/a.webp"))).toBeUndefined();
      await expect(driver.getBytes(key("list/a.webp"))).rejects.toThrow();
      expect((await fetch(url)).status).toBe(404);
    });
  });
}
