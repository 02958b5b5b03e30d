import "server-only";
import { z } from "zod";
import { DEFAULT_TRUSTED_PROXY_HOPS, TRUSTED_PROXY_HOPS_PATTERN, TRUSTED_PROXY_HOPS_RULE } from "@/lib/security/client-ip";

/**
 * Every setting the server reads, parsed once at import so a bad configuration
 * fails at boot with the variable's name. Everything else reads `env.X`, never `process.env`.
 *
 * The embedded defaults (PGlite, s3rver) are started by scripts/serve.ts, which then
 * passes their URLs in through these same variables: the app has one code path.
 */

const bytes = (fallback: number) => z.coerce.number().int().positive().default(fallback);
const flag = z
  .enum(["true", "false", "1", "0"])
  .optional()
  .transform((v) => v === "true" || v === "1");

const MiB = 1024 * 1024;

export const envSchema = z
  .object({
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
    APP_URL: z.url().default("http://localhost:3000"),
    DATABASE_URL: z.string().regex(/^postgres(ql)?:\/\//, "must be a postgres:// or postgresql:// URL"),
    /** Connections per app instance. The embedded PGlite server handles one query at a time, so keep it small there. */
    DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
    BETTER_AUTH_SECRET: z.string().min(32, "must be at least 32 characters (e.g. `openssl rand -base64 32`)"),

    STORAGE_DRIVER: z.enum(["s3", "azure"]).default("s3"),
    S3_ENDPOINT: z.url().optional(),
    /** Where browsers reach the bucket, when it differs from the server's endpoint (e.g. a Docker network name). */
    S3_PUBLIC_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().default("us-east-1"),
    S3_BUCKET: z.string().min(3).optional(),
    S3_ACCESS_KEY_ID: z.string().optional(),
    S3_SECRET_ACCESS_KEY: z.string().optional(),
    S3_FORCE_PATH_STYLE: flag,
    AZURE_STORAGE_ACCOUNT: z.string().optional(),
    AZURE_STORAGE_KEY: z.string().optional(),
    AZURE_STORAGE_CONTAINER: z.string().optional(),
    /** Blob service URL; defaults to https://<account>.blob.core.windows.net (set it for Azurite). */
    AZURE_BLOB_ENDPOINT: z.url().optional(),

    UPLOAD_MAX_BYTES: bytes(50 * MiB),
    MULTIPART_THRESHOLD_BYTES: bytes(32 * MiB),
    MULTIPART_PART_BYTES: bytes(8 * MiB).refine((n) => n >= 5 * MiB, "must be at least 5 MiB (S3's minimum part size)"),
    UPLOAD_URL_TTL_SECONDS: z.coerce.number().int().min(60).max(7 * 24 * 3600).default(900),
    USER_QUOTA_BYTES: bytes(10 * 1024 * MiB),
    MAX_FILES_PER_BATCH: z.coerce.number().int().positive().default(100),
    SIGN_IN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(10),
    SIGN_UP_RATE_LIMIT_PER_HOUR: z.coerce.number().int().positive().default(20),
    PRESIGN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(600),
    SHARE_PASSWORD_ATTEMPTS_PER_15_MIN: z.coerce.number().int().positive().default(10),
    SHARE_VIEWS_PER_MINUTE: z.coerce.number().int().positive().default(120),
    /** Which X-Forwarded-For entry the per-address limits trust. Checked here at boot; proxy.ts reads it per request by the same rule. */
    TRUSTED_PROXY_HOPS: z.string().regex(TRUSTED_PROXY_HOPS_PATTERN, TRUSTED_PROXY_HOPS_RULE).default(DEFAULT_TRUSTED_PROXY_HOPS).transform(Number),
    PROCESSING_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
    /**
     * Wall-clock limit for processing one photo (download, decode, variants). Well below the
     * sweeper's 10-minute stale-PROCESSING threshold, so a live run always ends before a re-run starts.
     */
    PROCESSING_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(300).default(60),
    /** Runs a photo may start (crashes and time-outs included) before it ends FAILED instead of looping. */
    PROCESSING_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
    /** Decompression-bomb guard: images with more pixels are refused before decoding. */
    MAX_IMAGE_PIXELS: z.coerce.number().int().positive().default(100_000_000),
    /** How often this instance runs the sweeper; 0 turns it off (e.g. when a cron job runs `npm run storage:check -- --fix`). */
    SWEEPER_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(300),
    /**
     * The sweeper's brake: a run that would move more than this share of the objects under users/
     * to quarantine stops and reports instead (a wrong database or a restored backup looks like that).
     */
    SWEEPER_MAX_REMOVAL_PERCENT: z.coerce.number().min(0).max(100).default(5),
    /** Days what the sweeper quarantined stays restorable (`storage:check -- --restore`) before it is deleted. */
    QUARANTINE_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    /** Days a FAILED photo's row (with its reason) stays for its owner to see before the sweeper removes it. */
    FAILED_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
    /** Days a deleted photo stays in Trash, restorable, before it is deleted for good. */
    TRASH_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  })
  .superRefine((e, ctx) => {
    if (e.STORAGE_DRIVER === "s3") {
      for (const name of ["S3_BUCKET", "S3_ACCESS_KEY_ID", "S3_SECRET_ACCESS_KEY"] as const) {
        if (!e[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required when STORAGE_DRIVER=s3" });
      }
    } else {
      for (const name of ["AZURE_STORAGE_ACCOUNT", "AZURE_STORAGE_KEY", "AZURE_STORAGE_CONTAINER"] as const) {
        if (!e[name]) ctx.addIssue({ code: "custom", path: [name], message: "is required when STORAGE_DRIVER=azure" });
      }
    }
  });

export type Env = z.infer<typeof envSchema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  // An empty variable means "unset", as in a copied .env.example.
  const cleaned = Object.fromEntries(Object.entries(source).filter(([, v]) => v !== undefined && v !== ""));
  const result = envSchema.safeParse(cleaned);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join(".") || "(env)"}: ${i.message}`);
    throw new Error(`Invalid configuration:\n${lines.join("\n")}\nSee .env.example and the README's Configuration table.`);
  }
  return result.data;
}

export const env = parseEnv(process.env);
