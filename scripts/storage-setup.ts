/**
 * `npm run storage:setup`: prepares the configured bucket (S3 API) or container (Azure)
 * for browsers to upload into directly: creates it when it is missing and the
 * credentials may, then sets the CORS rule for APP_URL. Where the provider's API cannot
 * set CORS (MinIO community, Google Cloud Storage) it prints exactly what to do instead.
 * Safe to run again: it changes only what differs. Exit code 0 = ready, 2 = a manual
 * step is printed above, 1 = failed. With DATABASE_URL set it also binds the bucket to that
 * database (the install identity, lib/installation/identity.ts); otherwise the first start does.
 */
import { loadEnvConfig } from "@next/env";
import { z } from "zod";
import { browserCorsRule, SetupError, setupAzureContainer, setupS3Bucket, type SetupReport } from "@/lib/storage/setup";

loadEnvConfig(process.cwd());

// Only the storage variables: this must run before there is a database or an auth secret.
// (Same names and meanings as lib/env.ts, which insists on the whole configuration.)
const optional = z.string().optional();
const storageEnvSchema = z.object({
  APP_URL: z.url().default("http://localhost:3000"),
  STORAGE_DRIVER: z.enum(["s3", "azure"]).default("s3"),
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().default("us-east-1"),
  S3_BUCKET: optional,
  S3_ACCESS_KEY_ID: optional,
  S3_SECRET_ACCESS_KEY: optional,
  S3_FORCE_PATH_STYLE: z.enum(["true", "false", "1", "0"]).optional(),
  AZURE_STORAGE_ACCOUNT: optional,
  AZURE_STORAGE_KEY: optional,
  AZURE_STORAGE_CONTAINER: optional,
  AZURE_BLOB_ENDPOINT: z.url().optional(),
});

function required(e: Record<string, string | undefined>, names: string[]): string[] {
  const missing = names.filter((n) => !e[n]);
  if (missing.length) throw new SetupError(`Set ${missing.join(", ")} first (see docs/STORAGE.md).`);
  return names.map((n) => e[n]!);
}

async function run(): Promise<SetupReport | undefined> {
  const cleaned = Object.fromEntries(Object.entries(process.env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = storageEnvSchema.safeParse(cleaned);
  if (!parsed.success) {
    throw new SetupError(`Invalid configuration:\n${parsed.error.issues.map((i) => `  ${i.path.join(".")}: ${i.message}`).join("\n")}`);
  }
  const e = parsed.data;
  const rule = browserCorsRule(e.APP_URL);
  if (!process.env.APP_URL) console.log(`APP_URL is not set: allowing ${rule.origins.join(", ")} only.`);

  if (e.STORAGE_DRIVER === "azure") {
    const [account, accountKey, container] = required(e, ["AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", "AZURE_STORAGE_CONTAINER"]);
    console.log(`Azure Blob: account "${account}", container "${container}"${e.AZURE_BLOB_ENDPOINT ? ` at ${e.AZURE_BLOB_ENDPOINT}` : ""}`);
    return setupAzureContainer({ account: account!, accountKey: accountKey!, container: container!, endpoint: e.AZURE_BLOB_ENDPOINT }, rule);
  }

  if (!e.S3_BUCKET && !e.S3_ENDPOINT) {
    console.log(
      "No bucket is configured: `npm start` runs the embedded S3 (s3rver), which it sets up itself.\n" +
        "Set STORAGE_DRIVER and the S3_* or AZURE_* variables for your provider first (docs/STORAGE.md).",
    );
    return undefined;
  }
  const [bucket, accessKeyId, secretAccessKey] = required(e, ["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"]);
  console.log(`S3 API: bucket "${bucket}" at ${e.S3_ENDPOINT ?? `AWS (${e.S3_REGION})`}`);
  return setupS3Bucket(
    {
      bucket: bucket!,
      region: e.S3_REGION,
      accessKeyId: accessKeyId!,
      secretAccessKey: secretAccessKey!,
      endpoint: e.S3_ENDPOINT,
      forcePathStyle: e.S3_FORCE_PATH_STYLE === "true" || e.S3_FORCE_PATH_STYLE === "1",
    },
    rule,
  );
}

/** A mismatch fails the setup; a database not reachable or not migrated yet leaves the binding to the first start. */
async function bindInstallation(): Promise<string> {
  const later = "install identity: written on first start (npm start)";
  if (!process.env.DATABASE_URL) return later;
  try {
    const { getStorage } = await import("@/lib/storage");
    const { checkInstallation } = await import("@/lib/installation/identity");
    const check = await checkInstallation(getStorage(), { bind: true });
    if (!check.ok) throw new SetupError(check.message);
    return `install identity ${check.id} (${check.action})`;
  } catch (error) {
    if (error instanceof SetupError) throw error;
    return `${later}; not now: ${error instanceof Error ? error.message.split("\n")[0] : String(error)}`;
  }
}

run()
  .then(async (report) => {
    if (!report) process.exit(0);
    if (report.manual.length === 0) report.done.push(await bindInstallation());
    for (const line of report.done) console.log(`  done: ${line}`);
    for (const step of report.manual) console.log(`\nTo do by hand:\n${step.replace(/^/gm, "  ")}`);
    console.log(report.manual.length ? "\nStorage is set up except for the step above." : "Storage is ready for browser uploads.");
    process.exit(report.manual.length ? 2 : 0);
  })
  .catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    console.error(error instanceof SetupError ? `storage:setup: ${message}` : `storage:setup failed: ${message}`);
    process.exit(1);
  });
