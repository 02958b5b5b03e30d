/**
 * `npm run storage:setup` against fresh embedded instances of both APIs: the bucket or
 * container does not exist yet, and no CORS rule allows the app's origin. The command
 * runs as a child process with only storage settings, as a person runs it before the
 * first start; the result is then checked through the storage's own API and a browser-
 * style preflight and upload.
 */
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { mkdtemp, rm } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import os from "node:os";
import path from "node:path";
import { GetBucketCorsCommand, PutBucketCorsCommand } from "@aws-sdk/client-s3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createAzureDriver, createBlobServiceClient } from "@/lib/storage/azure";
import { createS3Client, createS3Driver, type S3DriverConfig } from "@/lib/storage/s3";
import { browserCorsRule, gcsCorsInstructions, gcsCorsJson, SetupError, setupS3Bucket } from "@/lib/storage/setup";
import { startAzurite, type EmbeddedAzurite } from "@/scripts/embedded/azurite";
import { startEmbeddedS3, type EmbeddedS3 } from "@/scripts/embedded/s3";
import { runServerScript } from "../helpers/run-script";

const APP_URL = "http://localhost:4321";
const OTHER_ORIGIN = "http://elsewhere.example";

let dir: string;
let s3: EmbeddedS3;
let azurite: EmbeddedAzurite;

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), "snapshelf-storage-setup-"));
  // Nothing for the app's origin: the embedded bucket/container are not the ones set up below.
  [s3, azurite] = await Promise.all([
    startEmbeddedS3({ dir: path.join(dir, "s3"), port: 0, allowedOrigins: [] }),
    startAzurite({ dir: path.join(dir, "azurite"), port: 0, container: "unrelated", allowedOrigins: [] }),
  ]);
});

afterAll(async () => {
  await Promise.all([s3?.stop(), azurite?.stop()]);
  await rm(dir, { recursive: true, force: true });
});

/** The real command, with the caller's storage settings only (no database, no secret). */
function storageSetup(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const inherited = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !/^(S3_|AZURE_|STORAGE_|DATABASE_|BETTER_AUTH_|APP_URL$)/.test(name)),
  );
  // = `npm run storage:setup`
  return runServerScript("scripts/storage-setup.ts", [], { ...inherited, APP_URL, ...env } as unknown as NodeJS.ProcessEnv);
}

const s3Config = (bucket: string, secret: string = s3.secretAccessKey): S3DriverConfig => ({
  bucket,
  region: "us-east-1",
  accessKeyId: s3.accessKeyId,
  secretAccessKey: secret,
  endpoint: s3.endpoint,
  forcePathStyle: true,
});

const s3Env = (config: S3DriverConfig) => ({
  STORAGE_DRIVER: "s3",
  S3_ENDPOINT: config.endpoint!,
  S3_BUCKET: config.bucket,
  S3_ACCESS_KEY_ID: config.accessKeyId,
  S3_SECRET_ACCESS_KEY: config.secretAccessKey,
  S3_FORCE_PATH_STYLE: "true",
});

const bucketCors = async (config: S3DriverConfig) => {
  const client = createS3Client(config);
  try {
    return (await client.send(new GetBucketCorsCommand({ Bucket: config.bucket }))).CORSRules ?? [];
  } finally {
    client.destroy();
  }
};

describe("storage:setup on the S3 API (s3rver)", () => {
  it("creates the missing bucket and sets the CORS rule, after which a browser upload from APP_URL works", async () => {
    const config = s3Config("fresh-bucket");
    const first = await storageSetup(s3Env(config));
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain('created bucket "fresh-bucket"');
    expect(first.output).toContain(`CORS rule set: origin ${APP_URL}; methods GET PUT POST HEAD DELETE; headers *; exposes ETag; max age 3000 s`);

    expect(await bucketCors(config)).toEqual([
      {
        AllowedOrigins: [APP_URL],
        AllowedMethods: ["GET", "PUT", "POST", "HEAD", "DELETE"],
        AllowedHeaders: ["*"],
        ExposeHeaders: ["ETag"],
        MaxAgeSeconds: 3000,
      },
    ]);

    const driver = createS3Driver(config);
    const body = randomBytes(2048);
    const request = await driver.presignPut("users/u/p/original", { contentType: "image/jpeg", contentLength: body.length, expiresInSeconds: 60 });
    const put = await fetch(request.url, { method: "PUT", headers: { ...request.headers, Origin: APP_URL }, body: new Uint8Array(body) });
    expect(put.status).toBe(200);
    expect(put.headers.get("access-control-allow-origin")).toBe(APP_URL);
    expect(put.headers.get("access-control-expose-headers")).toMatch(/ETag/i);
    expect(await driver.head("users/u/p/original")).toMatchObject({ size: 2048 });

    // Again: nothing to create, the same single rule.
    const second = await storageSetup(s3Env(config));
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('bucket "fresh-bucket" exists');
    expect(await bucketCors(config)).toHaveLength(1);
  });

  it("keeps CORS rules for other origins and replaces only the app's", async () => {
    const config = s3Config("shared-bucket");
    const rule = browserCorsRule(APP_URL);
    await setupS3Bucket(config, { ...rule, maxAgeSeconds: 60 });
    const client = createS3Client(config);
    const rules = await bucketCors(config);
    rules.push({ AllowedOrigins: [OTHER_ORIGIN], AllowedMethods: ["GET"] });
    await client.send(new PutBucketCorsCommand({ Bucket: config.bucket, CORSConfiguration: { CORSRules: rules } }));
    client.destroy();

    const report = await setupS3Bucket(config, rule);
    expect(report.manual).toEqual([]);
    const after = await bucketCors(config);
    expect(after.map((r) => [r.AllowedOrigins, r.MaxAgeSeconds])).toEqual([
      [[OTHER_ORIGIN], undefined],
      [[APP_URL], 3000],
    ]);
  });

  it("fails with a message that names the variables when the credentials are wrong", async () => {
    const result = await storageSetup(s3Env(s3Config("fresh-bucket", "not-the-secret")));
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/403.*S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY/s);
  });

  it("says it needs a bucket when none is configured, instead of guessing", async () => {
    const result = await storageSetup({});
    expect(result.code).toBe(0);
    expect(result.output).toMatch(/No bucket is configured/);
  });
});

describe("storage:setup where PutBucketCors does not exist", () => {
  let server: Server;
  let endpoint: string;

  beforeAll(async () => {
    // MinIO community's documented answer to PutBucketCors/GetBucketCors; everything else succeeds.
    server = createServer((req, res) => {
      if (req.url?.includes("cors")) {
        res.writeHead(501, { "Content-Type": "application/xml" });
        res.end(
          '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NotImplemented</Code>' +
            "<Message>A header you provided implies functionality that is not implemented</Message></Error>",
        );
        return;
      }
      res.writeHead(200).end();
    });
    server.listen(0, "127.0.0.1");
    await once(server, "listening");
    const address = server.address();
    if (!address || typeof address === "string") throw new Error("no address");
    endpoint = `http://127.0.0.1:${address.port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it("prints MinIO's server-wide CORS setting for APP_URL and exits 2 (a manual step is left)", async () => {
    const config = { ...s3Config("photos"), endpoint };
    const report = await setupS3Bucket(config, browserCorsRule(APP_URL));
    expect(report.done).toEqual(['bucket "photos" exists']);
    expect(report.manual).toHaveLength(1);
    expect(report.manual[0]).toContain(`MINIO_API_CORS_ALLOW_ORIGIN=${APP_URL}`);
    expect(report.manual[0]).toContain(`mc admin config set ALIAS api cors_allow_origin="${APP_URL}"`);

    const result = await storageSetup(s3Env(config));
    expect(result.code, result.output).toBe(2);
    expect(result.output).toContain("To do by hand:");
  });

  it("gives Google Cloud Storage's CORS as the JSON gcloud takes, with the same rule", () => {
    const rule = browserCorsRule(`${APP_URL}/some/path`);
    expect(JSON.parse(gcsCorsJson(rule))).toEqual([
      { origin: [APP_URL], method: ["GET", "PUT", "POST", "HEAD", "DELETE"], responseHeader: ["Content-Type", "ETag"], maxAgeSeconds: 3000 },
    ]);
    expect(gcsCorsInstructions("my-photos", rule)).toContain("gcloud storage buckets update gs://my-photos --cors-file=cors.json");
    expect(new SetupError("x")).toBeInstanceOf(Error);
  });
});

describe("storage:setup on Azure Blob (Azurite)", () => {
  const azureEnv = (container: string) => ({
    STORAGE_DRIVER: "azure",
    AZURE_STORAGE_ACCOUNT: azurite.account,
    AZURE_STORAGE_KEY: azurite.key,
    AZURE_STORAGE_CONTAINER: container,
    AZURE_BLOB_ENDPOINT: azurite.endpoint,
  });
  const preflight = (url: string, origin: string) =>
    fetch(url, {
      method: "OPTIONS",
      headers: { Origin: origin, "Access-Control-Request-Method": "PUT", "Access-Control-Request-Headers": "content-type,x-ms-blob-type" },
    });

  it("creates the container and sets the blob service's CORS rule; a browser upload from APP_URL then works", async () => {
    const first = await storageSetup(azureEnv("fresh"));
    expect(first.code, first.output).toBe(0);
    expect(first.output).toContain(`blob service CORS rule set: origin ${APP_URL}`);
    expect(first.output).toContain('created container "fresh"');

    const service = createBlobServiceClient({ account: azurite.account, accountKey: azurite.key, endpoint: azurite.endpoint });
    expect((await service.getProperties()).cors).toEqual([
      { allowedOrigins: APP_URL, allowedMethods: "GET,PUT,POST,HEAD,DELETE", allowedHeaders: "*", exposedHeaders: "ETag", maxAgeInSeconds: 3000 },
    ]);
    expect(await service.getContainerClient("fresh").exists()).toBe(true);

    const driver = createAzureDriver({ account: azurite.account, accountKey: azurite.key, container: "fresh", endpoint: azurite.endpoint });
    const body = randomBytes(1500);
    const request = await driver.presignPut("users/u/p/original", { contentType: "image/png", contentLength: body.length, expiresInSeconds: 60 });
    const allowed = await preflight(request.url, APP_URL);
    expect(allowed.status).toBe(200);
    expect(allowed.headers.get("access-control-allow-origin")).toBe(APP_URL);
    expect((await preflight(request.url, OTHER_ORIGIN)).status).toBe(403);
    const put = await fetch(request.url, { method: "PUT", headers: { ...request.headers, Origin: APP_URL }, body: new Uint8Array(body) });
    expect(put.status).toBe(201);
    expect(put.headers.get("access-control-allow-origin")).toBe(APP_URL);

    const second = await storageSetup(azureEnv("fresh"));
    expect(second.code, second.output).toBe(0);
    expect(second.output).toContain('container "fresh" exists');
    expect((await service.getProperties()).cors).toHaveLength(1);
  });
});
