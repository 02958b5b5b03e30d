import "server-only";
import { createHash } from "node:crypto";
import {
  CreateBucketCommand,
  GetBucketCorsCommand,
  HeadBucketCommand,
  PutBucketCorsCommand,
  type BucketLocationConstraint,
  type CORSRule,
  type S3Client,
} from "@aws-sdk/client-s3";
import type { CorsRule as AzureCorsRule } from "@azure/storage-blob";
import { createBlobServiceClient, type AzureDriverConfig } from "./azure";
import { createS3Client, type S3DriverConfig } from "./s3";

/**
 * `npm run storage:setup`: makes a bucket (or container) ready for browsers to upload
 * into directly. Creates it when missing and the credentials may, and sets the CORS
 * rule below; where the provider's API cannot set CORS, says exactly what to do.
 */

/** What the browser does against storage: PUT bytes, multipart POST/GET/DELETE, GET/HEAD images. */
export interface BrowserCorsRule {
  origins: string[];
  methods: string[];
  allowedHeaders: string[];
  /** Multipart needs each part's ETag, which a script can read only when exposed. */
  exposedHeaders: string[];
  maxAgeSeconds: number;
}

export function browserCorsRule(appUrl: string): BrowserCorsRule {
  return {
    origins: [new URL(appUrl).origin],
    methods: ["GET", "PUT", "POST", "HEAD", "DELETE"],
    allowedHeaders: ["*"],
    exposedHeaders: ["ETag"],
    maxAgeSeconds: 3000,
  };
}

export const describeRule = (rule: BrowserCorsRule) =>
  `origin ${rule.origins.join(", ")}; methods ${rule.methods.join(" ")}; headers ${rule.allowedHeaders.join(" ")}; ` +
  `exposes ${rule.exposedHeaders.join(" ")}; max age ${rule.maxAgeSeconds} s`;

export interface SetupReport {
  /** What was found or done, in order. */
  done: string[];
  /** What the provider's API would not do, spelled out for a person to do once. */
  manual: string[];
}

/** A step that cannot go on (no permission, name taken…); the message says what to change. */
export class SetupError extends Error {}

type AwsError = { name?: string; Code?: string; $metadata?: { httpStatusCode?: number } };
const statusOf = (err: unknown) => (err as AwsError)?.$metadata?.httpStatusCode;
const codeOf = (err: unknown) => (err as AwsError)?.Code ?? (err as AwsError)?.name;

const isGoogle = (endpoint: string | undefined) => endpoint !== undefined && new URL(endpoint).hostname === "storage.googleapis.com";

export async function setupS3Bucket(config: S3DriverConfig, rule: BrowserCorsRule): Promise<SetupReport> {
  const client = createS3Client(config);
  const report: SetupReport = { done: [], manual: [] };
  try {
    if (isGoogle(config.endpoint)) {
      // HMAC keys of a service account with object roles only may not read bucket metadata:
      // say so, and still print the CORS step, which is the part people need here.
      await ensureBucket(client, config, report).catch((err: unknown) => {
        if (!(err instanceof SetupError)) throw err;
        report.manual.push(`${err.message}\nIf the bucket exists in the Google Cloud console, this check can be ignored.`);
      });
      // GCS's XML API takes CORS in its own schema, not S3's; gcloud sets it from JSON.
      report.manual.push(gcsCorsInstructions(config.bucket, rule));
    } else {
      await ensureBucket(client, config, report);
      await applyS3Cors(client, config.bucket, rule, report);
    }
    return report;
  } finally {
    client.destroy();
  }
}

async function ensureBucket(client: S3Client, config: S3DriverConfig, report: SetupReport) {
  const Bucket = config.bucket;
  try {
    await client.send(new HeadBucketCommand({ Bucket }));
    report.done.push(`bucket "${Bucket}" exists`);
    return;
  } catch (err) {
    const status = statusOf(err);
    if (status === 403) {
      // A HEAD answer has no body to tell these apart.
      throw new SetupError(
        `Bucket "${Bucket}" answered 403: the key or secret is wrong, the key may not use this bucket, or the name belongs to another account. ` +
          `Check S3_ACCESS_KEY_ID, S3_SECRET_ACCESS_KEY and the key's permissions.`,
      );
    }
    if (status === 301) {
      throw new SetupError(`Bucket "${Bucket}" is in another region than S3_REGION=${config.region} (301). Set S3_REGION to the bucket's region.`);
    }
    if (status !== 404) throw err;
  }

  // Only AWS itself wants a location outside us-east-1; R2 ("auto"), B2, MinIO and GCS take it from the endpoint.
  const location = !config.endpoint && config.region !== "us-east-1" ? { LocationConstraint: config.region as BucketLocationConstraint } : undefined;
  try {
    await client.send(new CreateBucketCommand({ Bucket, CreateBucketConfiguration: location }));
    report.done.push(`created bucket "${Bucket}"`);
  } catch (err) {
    const code = codeOf(err);
    if (code === "BucketAlreadyOwnedByYou") {
      report.done.push(`bucket "${Bucket}" exists`);
      return;
    }
    if (code === "BucketAlreadyExists") {
      throw new SetupError(`The name "${Bucket}" belongs to another account. Choose another S3_BUCKET.`);
    }
    if (statusOf(err) === 403) {
      throw new SetupError(
        `Bucket "${Bucket}" does not exist and these credentials may not create it (403). ` +
          `Create it in your provider's console (private, no public access), then run this again.`,
      );
    }
    throw err;
  }
}

async function applyS3Cors(client: S3Client, Bucket: string, rule: BrowserCorsRule, report: SetupReport) {
  const ours: CORSRule = {
    AllowedOrigins: rule.origins,
    AllowedMethods: rule.methods,
    AllowedHeaders: rule.allowedHeaders,
    ExposeHeaders: rule.exposedHeaders,
    MaxAgeSeconds: rule.maxAgeSeconds,
  };
  try {
    // PutBucketCors replaces every rule: keep those for other origins (a CDN, another app).
    const others = (await existingS3Rules(client, Bucket)).filter((r) => !sameOrigins(r.AllowedOrigins ?? [], rule.origins));
    await client.send(withContentMd5(new PutBucketCorsCommand({ Bucket, CORSConfiguration: { CORSRules: [...others, ours] } })));
    report.done.push(`CORS rule set: ${describeRule(rule)}${others.length ? ` (kept ${others.length} rule(s) for other origins)` : ""}`);
  } catch (err) {
    if (codeOf(err) === "NotImplemented" || statusOf(err) === 501) {
      report.manual.push(minioCorsInstructions(rule));
      return;
    }
    if (statusOf(err) === 403) {
      report.manual.push(
        `These credentials may not change the bucket's CORS (403). In your provider's console, add this rule to bucket "${Bucket}":\n` +
          JSON.stringify([ours], null, 2),
      );
      return;
    }
    throw err;
  }
}

/**
 * PutBucketCors must carry a body checksum, and the SDK now sends CRC32 headers
 * (x-amz-checksum-crc32), which Backblaze B2 refuses ("Unsupported header"). Content-MD5,
 * the checksum this call always accepted, works on AWS, R2, B2 and MinIO alike.
 */
function withContentMd5<C extends PutBucketCorsCommand>(command: C): C {
  command.middlewareStack.add(
    (next) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown };
      if (request.headers && typeof request.body === "string") {
        for (const name of Object.keys(request.headers)) {
          if (/^x-amz-(sdk-)?checksum-/i.test(name)) delete request.headers[name];
        }
        request.headers["content-md5"] = createHash("md5").update(request.body).digest("base64");
      }
      return next(args);
    },
    // Low priority: after the SDK's own checksum step (normal priority) in the build phase, before signing.
    { step: "build", priority: "low", name: "contentMd5InsteadOfCrc32" },
  );
  return command;
}

async function existingS3Rules(client: S3Client, Bucket: string): Promise<CORSRule[]> {
  try {
    return (await client.send(new GetBucketCorsCommand({ Bucket }))).CORSRules ?? [];
  } catch (err) {
    // NoSuchCORSConfiguration (404): none yet. NotImplemented: the put below says what to do.
    if (statusOf(err) === 404 || codeOf(err) === "NoSuchCORSConfiguration" || codeOf(err) === "NotImplemented") return [];
    throw err;
  }
}

const sameOrigins = (a: string[], b: string[]) => a.length === b.length && [...a].sort().every((o, i) => o === [...b].sort()[i]);

export function minioCorsInstructions(rule: BrowserCorsRule): string {
  return [
    "This storage does not accept PutBucketCors (NotImplemented). MinIO (community edition) sets CORS",
    "for the whole server instead. MinIO allows every origin by default; to allow only this app, either",
    `  start MinIO with   MINIO_API_CORS_ALLOW_ORIGIN=${rule.origins.join(",")}`,
    "or, with the mc client (ALIAS is your mc alias for this server):",
    `  mc admin config set ALIAS api cors_allow_origin="${rule.origins.join(",")}"`,
    "  mc admin service restart ALIAS",
    "MinIO exposes ETag to browsers by default.",
  ].join("\n");
}

export function gcsCorsJson(rule: BrowserCorsRule): string {
  // GCS lists request and exposed headers together in `responseHeader`, and has no wildcard for them.
  const headers = ["Content-Type", ...rule.exposedHeaders];
  return JSON.stringify([{ origin: rule.origins, method: rule.methods, responseHeader: headers, maxAgeSeconds: rule.maxAgeSeconds }], null, 2);
}

export function gcsCorsInstructions(bucket: string, rule: BrowserCorsRule): string {
  return [
    "Google Cloud Storage sets CORS from a JSON file, not through the S3 API. Save this as cors.json:",
    gcsCorsJson(rule),
    "then run:",
    `  gcloud storage buckets update gs://${bucket} --cors-file=cors.json`,
    `Check it with: gcloud storage buckets describe gs://${bucket} --format="default(cors_config)"`,
  ].join("\n");
}

export async function setupAzureContainer(config: AzureDriverConfig, rule: BrowserCorsRule): Promise<SetupReport> {
  const service = createBlobServiceClient(config);
  const report: SetupReport = { done: [], manual: [] };

  const ours: AzureCorsRule = {
    allowedOrigins: rule.origins.join(","),
    allowedMethods: rule.methods.join(","),
    allowedHeaders: rule.allowedHeaders.join(","),
    exposedHeaders: rule.exposedHeaders.join(","),
    maxAgeInSeconds: rule.maxAgeSeconds,
  };
  // CORS is a property of the account's blob service; keep the rules for other origins.
  const current = (await service.getProperties()).cors ?? [];
  const others = current.filter((r) => r.allowedOrigins !== ours.allowedOrigins);
  // Azure allows at most five CORS rules per service.
  if (others.length >= 5) {
    report.manual.push(
      `The blob service of "${config.account}" already has 5 CORS rules (Azure's maximum). ` +
        `Remove one in the portal (Storage account → Resource sharing (CORS) → Blob service), then run this again.`,
    );
  } else {
    // Only Cors is sent: the service's other properties (logging, metrics…) stay as they are.
    await service.setProperties({ cors: [...others, ours] });
    report.done.push(`blob service CORS rule set: ${describeRule(rule)}${others.length ? ` (kept ${others.length} rule(s) for other origins)` : ""}`);
  }

  const created = await service.getContainerClient(config.container).createIfNotExists();
  report.done.push(created.succeeded ? `created container "${config.container}" (private)` : `container "${config.container}" exists`);
  return report;
}
