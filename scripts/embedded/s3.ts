/**
 * The embedded S3 for development and tests: @20minutes/s3rver (the only npm emulator
 * that checks SigV4 presigned signatures, expiry and signed headers), bound to
 * 127.0.0.1 only, because it also accepts requests that carry no signature at all.
 *
 * s3rver 5.0.0 needs three fixes, made by one Koa middleware that runs just before its router:
 * - It lacks three multipart operations the app relies on (resume and the sweeper):
 *   ListParts, AbortMultipartUpload (both answer 405) and ListMultipartUploads (501).
 *   They reuse s3rver's own CORS and signature checks, so they behave like built-in ones.
 * - It encodes query values with encodeURIComponent when it checks a signature, where
 *   SigV4 wants RFC 3986 (which also encodes ! ' ( ) *). Any presigned download whose
 *   Content-Disposition holds one of those — `filename*=UTF-8''…`, or "IMG (1).jpg" —
 *   got 403. Those URLs are checked here instead.
 * - Its ListObjectsV2 cannot page (see listObjectsV2).
 * This is a dev/test server: no ACLs.
 */
import { createHash, createHmac, timingSafeEqual } from "node:crypto";
import { once } from "node:events";
import { promises as fs } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import path from "node:path";

export const EMBEDDED_S3_PORT = 9000;
export const EMBEDDED_S3_BUCKET = "snapshelf";
const HOST = "127.0.0.1";

export interface EmbeddedS3 {
  endpoint: string;
  port: number;
  bucket: string;
  accessKeyId: "S3RVER";
  secretAccessKey: "S3RVER";
  stop(): Promise<void>;
}

/**
 * `port` defaults to 9000; when the default is taken a free port is used instead
 * (an explicitly requested port that is taken is an error). Pass 0 for any free port.
 */
export async function startEmbeddedS3(opts: {
  dir: string;
  port?: number;
  bucket?: string;
  allowedOrigins: string[];
}): Promise<EmbeddedS3> {
  const bucket = opts.bucket ?? EMBEDDED_S3_BUCKET;
  await fs.mkdir(opts.dir, { recursive: true });

  const s3rver = new S3rver({
    directory: opts.dir,
    silent: true,
    // Path-style only: with vhost detection on, any non-IP host name (e.g. a Docker
    // service name in S3_PUBLIC_ENDPOINT) would be read as a bucket name.
    vhostBuckets: false,
    // CreateBucket/PutBucketCors through the SDK fail signature checks on s3rver
    // (it signs `/bucket/`, s3rver checks `/bucket`), so the bucket is provisioned here.
    configureBuckets: [{ name: bucket, configs: opts.allowedOrigins.length ? [corsXml(opts.allowedOrigins)] : [] }],
  });
  // Koa composes its middleware list when callback() is called, so inserting here is enough.
  // The router is the last entry; the shim must see requests after the vhost rewrite and before the router.
  s3rver.middleware.splice(s3rver.middleware.length - 1, 0, compatibilityShim());
  await s3rver.configureBuckets();

  // Our own http.Server instead of s3rver.run(): run() has no 'error' listener, so a port
  // already in use would crash the process instead of rejecting.
  const server = createServer(s3rver.callback());
  const wanted = opts.port ?? EMBEDDED_S3_PORT;
  try {
    await listen(server, wanted);
  } catch (err) {
    if (opts.port !== undefined || (err as NodeJS.ErrnoException).code !== "EADDRINUSE") throw err;
    await listen(server, 0);
  }
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("embedded S3: no TCP address");

  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://${HOST}:${address.port}`,
    port: address.port,
    bucket,
    accessKeyId: "S3RVER",
    secretAccessKey: "S3RVER",
    stop() {
      stopped ??= (async () => {
        const closed = once(server, "close");
        server.close();
        // close() waits for keep-alive and in-flight connections; we want the port free now.
        server.closeAllConnections();
        await closed;
        s3rver.logger.close();
      })();
      return stopped;
    },
  };
}

function listen(server: Server, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.once("error", onError);
    server.listen(port, HOST, () => {
      server.off("error", onError);
      resolve();
    });
  });
}

const xmlEscape = (s: string) =>
  s.replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c] ?? c);

/** Browsers send every upload request (PUT, multipart POST/GET/DELETE) to the bucket directly. */
function corsXml(origins: string[]): string {
  const tag = (name: string, values: string[]) => values.map((v) => `<${name}>${xmlEscape(v)}</${name}>`).join("");
  return (
    "<CORSConfiguration><CORSRule>" +
    tag("AllowedOrigin", origins) +
    tag("AllowedMethod", ["GET", "PUT", "POST", "HEAD", "DELETE"]) +
    tag("AllowedHeader", ["*"]) +
    // Multipart needs each part's ETag, which the browser can read only when it is exposed.
    tag("ExposeHeader", ["ETag"]) +
    "<MaxAgeSeconds>3600</MaxAgeSeconds>" +
    "</CORSRule></CORSConfiguration>"
  );
}

// ---------------------------------------------------------------------------------------
// s3rver internals (CommonJS, no type declarations). Only the parts used here are typed.

interface FilesystemStore {
  getBucket(bucket: string): Promise<unknown>;
  getResourcePath(bucket: string, key: string | undefined, resource: string): string;
}
interface S3rverContext {
  method: string;
  path: string;
  originalUrl: string;
  querystring: string;
  query: Record<string, string | string[] | undefined>;
  state: { account?: unknown };
  get(header: string): string;
  params?: Record<string, string>;
  status: number;
  body: unknown;
  store: FilesystemStore;
}
type Next = () => Promise<unknown>;
type Middleware = (ctx: S3rverContext, next: Next) => Promise<unknown>;
interface S3rverApp {
  middleware: Middleware[];
  configureBuckets(): Promise<void>;
  callback(): (req: IncomingMessage, res: ServerResponse) => void;
  logger: { close(): void };
}

// Not named `require`: under tsx this file may run as CommonJS, where that name is taken.
const load = createRequire(import.meta.url);
const S3rver = load("@20minutes/s3rver") as new (options: Record<string, unknown>) => S3rverApp;
const S3Error = load("@20minutes/s3rver/lib/models/error") as new (
  code: string,
  message: string,
  detail?: Record<string, unknown>,
) => Error;
const corsMiddleware = load("@20minutes/s3rver/lib/middleware/cors") as () => Middleware;
const { getBucket } = load("@20minutes/s3rver/lib/controllers/bucket") as { getBucket(ctx: S3rverContext): Promise<void> };
const authenticationMiddleware = load("@20minutes/s3rver/lib/middleware/authentication") as () => Middleware;
const AWSAccount = load("@20minutes/s3rver/lib/models/account") as {
  DUMMY_ACCOUNT: { id: number; displayName: string };
  registry: Map<string, { accessKeys: Map<string, string> }>;
};
const { DUMMY_ACCOUNT } = AWSAccount;

const XMLNS = "http://s3.amazonaws.com/doc/2006-03-01/";

/**
 * Checks the presigned signatures s3rver gets wrong (see the top of the file), then adds
 * ListMultipartUploads, ListParts and AbortMultipartUpload, and answers NoSuchUpload
 * (404, as S3 does) to UploadPart/CompleteMultipartUpload on an unknown or aborted upload —
 * s3rver would otherwise recreate the parts folder, or fail with a 500.
 *
 * s3rver keeps an upload in `<bucket>/._S3rver_uploads/<uploadId>/` with files `key`,
 * `metadata`, and `<partNumber>` + `<partNumber>.md5` per part; this reads that layout.
 */
function compatibilityShim(): Middleware {
  const cors = corsMiddleware();
  const authenticate = authenticationMiddleware();

  return async function compatibilityShim(ctx, next) {
    checkQuerySignatureS3rverGetsWrong(ctx);
    const target = parseTarget(ctx);
    const handler = target && ctx.method !== "OPTIONS" ? pickHandler(ctx, target.key, next) : undefined;
    if (!target || !handler) return next();

    const { bucket, key } = target;
    ctx.params = key === undefined ? { bucket } : { bucket, key };
    // The same CORS headers and signature check as s3rver's own routes.
    await cors(ctx, () =>
      authenticate(ctx, async () => {
        if (!(await ctx.store.getBucket(bucket))) {
          throw new S3Error("NoSuchBucket", "The specified bucket does not exist", { BucketName: bucket });
        }
        await handler(bucket, key ?? "");
      }),
    );
  };
}

/** What the shim does with this request; undefined leaves it to s3rver. */
function pickHandler(
  ctx: S3rverContext,
  key: string | undefined,
  next: Next,
): ((bucket: string, key: string) => Promise<void>) | undefined {
  const uploadId = single(ctx.query.uploadId);
  if (key === undefined) {
    if (ctx.method === "GET" && "uploads" in ctx.query) return (bucket) => listUploads(ctx, bucket);
    return ctx.method === "GET" && single(ctx.query["list-type"]) === "2" ? () => listObjectsV2(ctx) : undefined;
  }
  if (uploadId === undefined) return undefined;
  if (ctx.method === "GET") return (bucket) => listParts(ctx, bucket, key, uploadId);
  if (ctx.method === "DELETE") return (bucket) => abortUpload(ctx, bucket, key, uploadId);
  return async (bucket) => {
    await uploadDir(ctx, bucket, key, uploadId);
    // Hand the request back to s3rver's own UploadPart / CompleteMultipartUpload.
    delete ctx.params;
    await next();
  };
}

function parseTarget(ctx: S3rverContext): { bucket: string; key?: string } | undefined {
  const match = /^\/([^/]+)(?:\/(.*))?$/.exec(ctx.path);
  if (!match?.[1]) return undefined;
  const bucket = decodeURIComponent(match[1]);
  // `/bucket/` (trailing slash, as some SDK calls send it) is a bucket-level request too.
  const key = match[2] ? decodeURIComponent(match[2]) : undefined;
  return { bucket, key };
}

const single = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

const noSuchUpload = (uploadId: string) =>
  new S3Error(
    "NoSuchUpload",
    "The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.",
    { UploadId: uploadId },
  );

/** The upload's folder, after checking it exists and belongs to this key. */
async function uploadDir(ctx: S3rverContext, bucket: string, key: string, uploadId: string): Promise<string> {
  // s3rver's ids are hex; anything else must not reach path.join (e.g. "../..").
  if (!/^[0-9a-f]+$/i.test(uploadId)) throw noSuchUpload(uploadId);
  const dir = path.join(ctx.store.getResourcePath(bucket, undefined, "uploads"), uploadId);
  const storedKey = await fs.readFile(path.join(dir, "key"), "utf8").catch(() => undefined);
  if (storedKey !== key) throw noSuchUpload(uploadId);
  return dir;
}

async function listParts(ctx: S3rverContext, bucket: string, key: string, uploadId: string) {
  const dir = await uploadDir(ctx, bucket, key, uploadId);
  const numbers = (await fs.readdir(dir))
    .filter((name) => /^\d+$/.test(name))
    .map(Number)
    .sort((a, b) => a - b);
  // s3rver writes a part's .md5 once all of its bytes are in: a part without one was cut off
  // mid-upload (a reload, a lost connection). S3 never lists such a part, so neither do we.
  const listed = await Promise.all(
    numbers.map(async (n) => {
      const file = path.join(dir, String(n));
      const md5 = await fs.readFile(`${file}.md5`, "utf8").catch(() => undefined);
      if (md5 === undefined) return undefined;
      const stat = await fs.stat(file);
      return { PartNumber: n, LastModified: stat.mtime.toISOString(), ETag: JSON.stringify(md5), Size: stat.size };
    }),
  );
  const parts = listed.filter((part) => part !== undefined);
  ctx.body = {
    ListPartsResult: {
      "@": { xmlns: XMLNS },
      Bucket: bucket,
      Key: key,
      UploadId: uploadId,
      PartNumberMarker: 0,
      NextPartNumberMarker: parts.at(-1)?.PartNumber ?? 0,
      MaxParts: 10000,
      IsTruncated: false,
      StorageClass: "STANDARD",
      Part: parts,
    },
  };
}

async function abortUpload(ctx: S3rverContext, bucket: string, key: string, uploadId: string) {
  const dir = await uploadDir(ctx, bucket, key, uploadId);
  await fs.rm(dir, { recursive: true, force: true });
  ctx.status = 204;
  ctx.body = "";
}

type ListBucketResult = Record<string, unknown> & { Contents: { Key: string }[]; IsTruncated: boolean };

/**
 * ListObjectsV2 through s3rver's own V1 listing: s3rver makes V2's continuation token with
 * DES, which OpenSSL 3 (Node 17 and later) no longer has, so every truncated V2 listing (more
 * than 1,000 keys, e.g. the sweeper's walk of a library of 334 photos) failed with a 500.
 * The token here is the last key listed, which is all s3rver's token held.
 */
async function listObjectsV2(ctx: S3rverContext) {
  const token = single(ctx.query["continuation-token"]);
  const startAfter = token !== undefined ? Buffer.from(token, "base64url").toString("utf8") : single(ctx.query["start-after"]);
  const query = Object.fromEntries(Object.entries(ctx.query).filter(([name]) => !["list-type", "continuation-token", "start-after"].includes(name)));
  ctx.query = startAfter ? { ...query, marker: startAfter } : query;
  await getBucket(ctx);
  const result = { ...(ctx.body as { ListBucketResult: ListBucketResult }).ListBucketResult };
  delete result.Marker;
  delete result.NextMarker;
  const last = result.Contents.at(-1)?.Key;
  ctx.body = {
    ListBucketResult: {
      ...result,
      StartAfter: token === undefined ? startAfter : undefined,
      ContinuationToken: token,
      NextContinuationToken: result.IsTruncated && last !== undefined ? Buffer.from(last).toString("base64url") : undefined,
      KeyCount: result.Contents.length,
    },
  };
}

async function listUploads(ctx: S3rverContext, bucket: string) {
  const prefix = single(ctx.query.prefix) ?? "";
  const root = ctx.store.getResourcePath(bucket, undefined, "uploads");
  const ids = await fs.readdir(root).catch(() => [] as string[]);
  const uploads = (
    await Promise.all(
      ids.map(async (id) => {
        const keyFile = path.join(root, id, "key");
        try {
          const [key, stat] = await Promise.all([fs.readFile(keyFile, "utf8"), fs.stat(keyFile)]);
          // The key file is written once, at initiation, so its mtime is the initiation time.
          return { key, id, initiated: stat.mtime };
        } catch {
          return undefined; // aborted or completed while we were listing
        }
      }),
    )
  )
    .filter((u): u is NonNullable<typeof u> => u !== undefined && u.key.startsWith(prefix))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.initiated.getTime() - b.initiated.getTime()));

  const owner = { ID: DUMMY_ACCOUNT.id, DisplayName: DUMMY_ACCOUNT.displayName };
  ctx.body = {
    ListMultipartUploadsResult: {
      "@": { xmlns: XMLNS },
      Bucket: bucket,
      KeyMarker: "",
      UploadIdMarker: "",
      NextKeyMarker: uploads.at(-1)?.key ?? "",
      NextUploadIdMarker: uploads.at(-1)?.id ?? "",
      Prefix: prefix,
      MaxUploads: 1000,
      IsTruncated: false,
      Upload: uploads.map((u) => ({
        Key: u.key,
        UploadId: u.id,
        Initiator: owner,
        Owner: owner,
        StorageClass: "STANDARD",
        Initiated: u.initiated.toISOString(),
      })),
    },
  };
}

// ---------------------------------------------------------------------------------------
// SigV4 query-signature check for the requests s3rver cannot verify.

/** SigV4's URI encoding: encodeURIComponent plus ! ' ( ) *. */
const rfc3986 = (s: string) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
const hmac = (key: string | Buffer, data: string) => createHmac("sha256", key).update(data, "utf8").digest();

const QUERY_AUTH_PARAMS = [
  "X-Amz-Algorithm",
  "X-Amz-Credential",
  "X-Amz-Date",
  "X-Amz-Expires",
  "X-Amz-SignedHeaders",
  "X-Amz-Signature",
  "X-Amz-Content-Sha256",
];

/**
 * For a presigned request whose query s3rver would canonicalize wrongly: verify it here
 * (same algorithm as s3rver, RFC 3986 encoding), then hand it on as already authenticated —
 * the auth parameters removed so s3rver does not check it again, and the account set so
 * that response-* overrides are allowed, as they are for any signed GET.
 * Header-signed SDK calls (Authorization header) keep s3rver's check: their queries hold
 * such characters only if a list prefix does, and the app's keys are ids.
 */
function checkQuerySignatureS3rverGetsWrong(ctx: S3rverContext): void {
  if (ctx.method === "OPTIONS") return; // preflights carry no signature of their own
  const params = new URLSearchParams(ctx.querystring);
  if (params.get("X-Amz-Algorithm") !== "AWS4-HMAC-SHA256" || !params.has("X-Amz-Signature")) return;
  const entries = [...params];
  if (entries.every(([k, v]) => rfc3986(k) === encodeURIComponent(k) && rfc3986(v) === encodeURIComponent(v))) return;

  const [accessKeyId = "", day = "", region = "", service = "", terminator = ""] = (params.get("X-Amz-Credential") ?? "").split("/");
  const account = AWSAccount.registry.get(accessKeyId);
  const secret = account?.accessKeys.get(accessKeyId);
  if (!account || !secret) {
    throw new S3Error("InvalidAccessKeyId", "The AWS Access Key Id you provided does not exist in our records.");
  }

  const amzDate = params.get("X-Amz-Date") ?? "";
  const signedAt = Date.parse(amzDate.replace(/^(\d{4})(\d\d)(\d\d)T(\d\d)(\d\d)(\d\d)Z$/, "$1-$2-$3T$4:$5:$6Z"));
  const expires = Number(params.get("X-Amz-Expires"));
  if (Number.isNaN(signedAt) || !Number.isFinite(expires)) {
    throw new S3Error("AuthorizationQueryParametersError", "Invalid X-Amz-Date or X-Amz-Expires");
  }
  if (Date.now() > signedAt + expires * 1000) throw new S3Error("AccessDenied", "Request has expired");

  const signedHeaders = params.get("X-Amz-SignedHeaders") ?? "";
  const canonicalRequest = [
    ctx.method,
    // The path exactly as sent: S3 signs it encoded once, as it appears in the URL.
    ctx.originalUrl.split("?")[0],
    entries
      .filter(([k]) => k !== "X-Amz-Signature")
      .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
      .sort(([ka, va], [kb, vb]) => (ka < kb ? -1 : ka > kb ? 1 : va < vb ? -1 : va > vb ? 1 : 0))
      .map(([k, v]) => `${k}=${v}`)
      .join("&"),
    signedHeaders
      .split(";")
      .map((h) => `${h}:${ctx.get(h).trim().replace(/\s+/g, " ")}\n`)
      .join(""),
    signedHeaders,
    params.get("X-Amz-Content-Sha256") ?? "UNSIGNED-PAYLOAD",
  ].join("\n");
  const scope = [day, region, service, terminator].join("/");
  const stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, createHash("sha256").update(canonicalRequest).digest("hex")].join("\n");
  let key = hmac(`AWS4${secret}`, day);
  for (const part of [region, service, terminator]) key = hmac(key, part);
  const expected = hmac(key, stringToSign);
  const provided = Buffer.from(params.get("X-Amz-Signature") ?? "", "hex");
  if (provided.length !== expected.length || !timingSafeEqual(provided, expected)) {
    throw new S3Error(
      "SignatureDoesNotMatch",
      "The request signature we calculated does not match the signature you provided. Check your key and signing method.",
    );
  }

  for (const name of QUERY_AUTH_PARAMS) params.delete(name);
  ctx.querystring = params.toString();
  ctx.state.account = account;
}
