import "server-only";
import { env, type Env } from "@/lib/env";
import { createAzureDriver } from "./azure";
import { createS3Driver } from "./s3";
import type { StorageDriver } from "./types";

export type { ObjectInfo, SignedRequest, StorageDriver, UploadedPart } from "./types";

/** The driver the configuration asks for. lib/env.ts has already checked the required variables are set. */
export function createStorageFromEnv(e: Env): StorageDriver {
  if (e.STORAGE_DRIVER === "azure") {
    return createAzureDriver({
      account: e.AZURE_STORAGE_ACCOUNT!,
      accountKey: e.AZURE_STORAGE_KEY!,
      container: e.AZURE_STORAGE_CONTAINER!,
      endpoint: e.AZURE_BLOB_ENDPOINT,
    });
  }
  return createS3Driver({
    bucket: e.S3_BUCKET!,
    region: e.S3_REGION,
    accessKeyId: e.S3_ACCESS_KEY_ID!,
    secretAccessKey: e.S3_SECRET_ACCESS_KEY!,
    endpoint: e.S3_ENDPOINT,
    publicEndpoint: e.S3_PUBLIC_ENDPOINT,
    forcePathStyle: e.S3_FORCE_PATH_STYLE,
  });
}

// On globalThis, not in a module variable: Next bundles route handlers and pages separately,
// and each bundle would otherwise build its own client (and connection pool).
const cache = globalThis as unknown as { snapshelfStorage?: StorageDriver };

/** The process's one storage driver. */
export function getStorage(): StorageDriver {
  cache.snapshelfStorage ??= createStorageFromEnv(env);
  return cache.snapshelfStorage;
}
