/**
 * What the S3 driver signs, checked offline (presigning sends no request). These are the
 * properties the embedded s3rver does NOT catch: it accepts x-amz-checksum parameters
 * that real S3, R2, B2, MinIO and GCS reject for a browser PUT.
 */
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { describe, expect, it } from "vitest";
import { attachmentDisposition } from "@/lib/storage/content-disposition";
import { createS3Client, createS3Driver, type S3DriverConfig } from "@/lib/storage/s3";

const config: S3DriverConfig = {
  bucket: "photos",
  region: "auto",
  accessKeyId: "AKIDEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  endpoint: "http://storage.internal:9000",
  forcePathStyle: true,
};

const params = (url: string) => new URL(url).searchParams;
const paramNames = (url: string) => [...params(url).keys()].map((k) => k.toLowerCase());

describe("S3 driver presigning", () => {
  const driver = createS3Driver(config);

  it("signs a PUT with content-type and content-length, no checksum, and the asked expiry", async () => {
    const req = await driver.presignPut("u/1/abc.jpg", { contentType: "image/jpeg", contentLength: 12345, expiresInSeconds: 900 });
    expect(req.method).toBe("PUT");
    expect(paramNames(req.url).filter((k) => k.startsWith("x-amz-checksum") || k.startsWith("x-amz-sdk-checksum"))).toEqual([]);
    expect(req.url).not.toMatch(/checksum/i);
    expect(params(req.url).get("X-Amz-SignedHeaders")?.split(";").sort()).toEqual(["content-length", "content-type", "host"]);
    expect(params(req.url).get("X-Amz-Expires")).toBe("900");
    // Exactly what the browser must send: Content-Length is signed but set by the browser itself.
    expect(req.headers).toEqual({ "Content-Type": "image/jpeg" });
    expect(new URL(req.url).pathname).toBe("/photos/u/1/abc.jpg");
  });

  it("signs a part's content-length, with no checksum", async () => {
    const req = await driver.presignPart("u/1/big.jpg", "upload-1", 3, { contentLength: 8 * 1024 * 1024, expiresInSeconds: 600 });
    expect(req).toMatchObject({ method: "PUT", headers: {} });
    expect(req.url).not.toMatch(/checksum/i);
    expect(params(req.url).get("X-Amz-SignedHeaders")?.split(";").sort()).toEqual(["content-length", "host"]);
    expect(params(req.url).get("partNumber")).toBe("3");
    expect(params(req.url).get("uploadId")).toBe("upload-1");
    expect(params(req.url).get("X-Amz-Expires")).toBe("600");
  });

  it("gives the same GET URL for the same rounded signedAt, and a new one in the next window", async () => {
    const window = 5 * 60_000;
    const signedAt = new Date(Math.floor(Date.UTC(2026, 10, 25, 10, 7, 41) / window) * window);
    const a = await driver.presignGet("u/1/thumb.webp", { expiresInSeconds: 3600, signedAt });
    const b = await driver.presignGet("u/1/thumb.webp", { expiresInSeconds: 3600, signedAt: new Date(signedAt) });
    expect(b).toBe(a);
    expect(params(a).get("X-Amz-Date")).toBe("20261125T100500Z");
    expect(a).not.toMatch(/checksum/i);

    const next = await driver.presignGet("u/1/thumb.webp", { expiresInSeconds: 3600, signedAt: new Date(signedAt.getTime() + window) });
    expect(next).not.toBe(a);
  });

  it("asks for an attachment with a safe file name when downloadName is given", async () => {
    const url = await driver.presignGet("u/1/orig.jpg", { expiresInSeconds: 60, downloadName: "../../Été (1).jpg" });
    expect(params(url).get("response-content-disposition")).toBe(
      `attachment; filename="_t_ (1).jpg"; filename*=UTF-8''%C3%89t%C3%A9%20%281%29.jpg`,
    );
  });

  it("puts the object where the SDK's own getSignedUrl does, for path-style, virtual-hosted and custom endpoints", async () => {
    const odd = "u/1/été (1) + x!.jpg";
    for (const variant of [
      config,
      { ...config, endpoint: undefined, forcePathStyle: false, region: "eu-west-3" },
      { ...config, endpoint: "https://account.r2.cloudflarestorage.com", forcePathStyle: false },
    ]) {
      const ours = new URL(await createS3Driver(variant).presignGet(odd, { expiresInSeconds: 60 }));
      const sdk = new URL(await getSignedUrl(createS3Client(variant), new GetObjectCommand({ Bucket: variant.bucket, Key: odd }), { expiresIn: 60 }));
      expect(`${ours.origin}${ours.pathname}`).toBe(`${sdk.origin}${sdk.pathname}`);
    }
  });

  it("signs URLs for the public endpoint when one is set", async () => {
    const withPublic = createS3Driver({ ...config, publicEndpoint: "https://files.example.com" });
    const put = await withPublic.presignPut("k.jpg", { contentType: "image/jpeg", contentLength: 1, expiresInSeconds: 60 });
    const get = await withPublic.presignGet("k.jpg", { expiresInSeconds: 60 });
    for (const url of [put.url, get]) expect(new URL(url).origin).toBe("https://files.example.com");
  });
});

describe("attachmentDisposition", () => {
  it("cannot break out of the header or the quoted name", () => {
    const value = attachmentDisposition('a"b\\c\r\nSet-Cookie: x=1.jpg');
    expect(value).not.toMatch(/[\r\n]/);
    expect(value).toMatch(/^attachment; filename="[^"\\]*"; filename\*=UTF-8''[A-Za-z0-9%._~-]*$/);
  });

  it("falls back to a name when nothing is left", () => {
    expect(attachmentDisposition("../")).toBe(`attachment; filename="download"; filename*=UTF-8''download`);
  });
});
