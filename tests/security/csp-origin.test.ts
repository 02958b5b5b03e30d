/**
 * The CSP (lib/security/headers.ts) names exactly one storage origin (img-src, connect-src).
 * It must be the origin of the URLs lib/storage really hands to browsers, for every
 * kind of configuration, or uploads and images break in production only.
 */
import { describe, expect, it } from "vitest";
import { securityHeaders } from "@/lib/security/headers";
import { createAzureDriver } from "@/lib/storage/azure";
import { createS3Driver } from "@/lib/storage/s3";

async function headersFor(env: Record<string, string | undefined>, path = "/") {
  return new Map(securityHeaders(path, env));
}

function directive(csp: string, name: string): string[] {
  const found = csp.split(";").map((d) => d.trim().split(/\s+/)).find(([n]) => n === name);
  return found?.slice(1) ?? [];
}

const s3Cases = [
  { label: "embedded s3rver (path style)", env: { S3_ENDPOINT: "http://127.0.0.1:9000", S3_FORCE_PATH_STYLE: "true", S3_BUCKET: "snapshelf", S3_REGION: "us-east-1" } },
  { label: "AWS, virtual-hosted", env: { S3_BUCKET: "my-photos", S3_REGION: "eu-west-3" } },
  { label: "AWS us-east-1", env: { S3_BUCKET: "my-photos", S3_REGION: "us-east-1" } },
  { label: "AWS, bucket with dots", env: { S3_BUCKET: "photos.example.com", S3_REGION: "eu-west-1" } },
  { label: "R2, virtual-hosted", env: { S3_ENDPOINT: "https://abc123.r2.cloudflarestorage.com", S3_BUCKET: "photos", S3_REGION: "auto" } },
  { label: "MinIO behind a public endpoint", env: { S3_ENDPOINT: "http://minio:9000", S3_PUBLIC_ENDPOINT: "https://files.example.com", S3_FORCE_PATH_STYLE: "true", S3_BUCKET: "photos" } },
  { label: "GCS XML API", env: { S3_ENDPOINT: "https://storage.googleapis.com", S3_FORCE_PATH_STYLE: "true", S3_BUCKET: "photos", S3_REGION: "auto" } },
] as const;

describe("the CSP's storage origin", () => {
  it.each(s3Cases)("is the origin of the presigned URLs: $label", async ({ env }) => {
    const e = env as Record<string, string | undefined>;
    const driver = createS3Driver({
      bucket: e.S3_BUCKET!,
      region: e.S3_REGION ?? "us-east-1",
      accessKeyId: "AKIDEXAMPLE",
      secretAccessKey: "secret",
      endpoint: e.S3_ENDPOINT,
      publicEndpoint: e.S3_PUBLIC_ENDPOINT,
      forcePathStyle: e.S3_FORCE_PATH_STYLE === "true",
    });
    const put = new URL((await driver.presignPut("users/u/p/original", { contentType: "image/jpeg", contentLength: 10, expiresInSeconds: 60 })).url);
    const get = new URL(await driver.presignGet("users/u/p/thumb.webp", { expiresInSeconds: 60 }));
    const csp = (await headersFor({ STORAGE_DRIVER: "s3", ...env })).get("Content-Security-Policy")!;
    expect(directive(csp, "img-src")).toEqual(["'self'", "data:", get.origin]);
    expect(directive(csp, "connect-src")).toEqual(["'self'", put.origin]);
  });

  it.each([
    { label: "Azurite", env: { AZURE_BLOB_ENDPOINT: "http://127.0.0.1:10000/devstoreaccount1" } },
    { label: "Azure", env: {} },
  ])("is the origin of the SAS URLs: $label", async ({ env }) => {
    const account = "devstoreaccount1";
    const driver = createAzureDriver({
      account,
      accountKey: Buffer.from("k".repeat(64)).toString("base64"),
      container: "photos",
      endpoint: (env as { AZURE_BLOB_ENDPOINT?: string }).AZURE_BLOB_ENDPOINT,
    });
    const put = new URL((await driver.presignPut("users/u/p/original", { contentType: "image/jpeg", contentLength: 10, expiresInSeconds: 60 })).url);
    const csp = (await headersFor({ STORAGE_DRIVER: "azure", AZURE_STORAGE_ACCOUNT: account, ...env })).get("Content-Security-Policy")!;
    expect(directive(csp, "connect-src")).toEqual(["'self'", put.origin]);
    expect(directive(csp, "img-src")).toContain(put.origin);
  });
});

describe("the other headers", () => {
  it("lock framing, sniffing, plugins, base and form targets, and powerful features everywhere", async () => {
    const headers = await headersFor({ S3_ENDPOINT: "http://127.0.0.1:9000", S3_FORCE_PATH_STYLE: "true", S3_BUCKET: "b", APP_URL: "http://localhost:3000" });
    const csp = headers.get("Content-Security-Policy")!;
    expect(directive(csp, "default-src")).toEqual(["'self'"]);
    expect(directive(csp, "script-src")).toEqual(["'self'", "'unsafe-inline'"]);
    expect(directive(csp, "frame-ancestors")).toEqual(["'none'"]);
    expect(directive(csp, "object-src")).toEqual(["'none'"]);
    expect(directive(csp, "base-uri")).toEqual(["'none'"]);
    expect(directive(csp, "form-action")).toEqual(["'self'"]);
    expect(headers.get("X-Content-Type-Options")).toBe("nosniff");
    expect(headers.get("Referrer-Policy")).toBe("strict-origin-when-cross-origin");
    expect(headers.get("Permissions-Policy")).toMatch(/camera=\(\), microphone=\(\), geolocation=\(\)/);
    expect(headers.has("Strict-Transport-Security")).toBe(false);
    expect(headers.has("X-Robots-Tag")).toBe(false);
  });

  it("send HSTS only when APP_URL is https", async () => {
    const headers = await headersFor({ S3_BUCKET: "b", APP_URL: "https://photos.example.com" });
    expect(headers.get("Strict-Transport-Security")).toMatch(/^max-age=\d{8,}/);
  });

  it("give share pages no-referrer and noindex", async () => {
    const headers = await headersFor({ S3_BUCKET: "b" }, "/s/abc");
    expect(headers.get("Referrer-Policy")).toBe("no-referrer");
    expect(headers.get("X-Robots-Tag")).toBe("noindex, nofollow");
    expect(headers.get("Content-Security-Policy")).toContain("frame-ancestors 'none'");
  });
});
