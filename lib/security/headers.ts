/**
 * The security headers of every response, set by proxy.ts at request time from the running
 * configuration: one build serves any storage origin and APP_URL (headers() in next.config.js
 * would freeze the values of build time into the build).
 */

type Env = Record<string, string | undefined>;

/**
 * The one origin browsers talk to besides the app itself: where they PUT uploads and load images
 * from. Mirrors where lib/storage's presigned URLs point (the public endpoint when set, path style or
 * virtual-hosted, AWS's regional host); tests/security/csp-origin.test.ts holds the two together.
 */
export function storageOrigin(env: Env): string {
  if (env.STORAGE_DRIVER === "azure") {
    return new URL(env.AZURE_BLOB_ENDPOINT || `https://${env.AZURE_STORAGE_ACCOUNT}.blob.core.windows.net`).origin;
  }
  const endpoint = env.S3_PUBLIC_ENDPOINT || env.S3_ENDPOINT;
  const bucket = env.S3_BUCKET || "";
  const pathStyle = env.S3_FORCE_PATH_STYLE === "true" || env.S3_FORCE_PATH_STYLE === "1";
  // The SDK falls back to path style for bucket names that are not valid host labels (e.g. with dots).
  const hostSafeBucket = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/.test(bucket);
  if (endpoint) {
    const url = new URL(endpoint);
    return pathStyle || !hostSafeBucket ? url.origin : `${url.protocol}//${bucket}.${url.host}`;
  }
  const region = env.S3_REGION || "us-east-1";
  return pathStyle || !hostSafeBucket ? `https://s3.${region}.amazonaws.com` : `https://${bucket}.s3.${region}.amazonaws.com`;
}

function contentSecurityPolicy(env: Env): string {
  const storage = storageOrigin(env);
  return [
    "default-src 'self'",
    // Next's App Router streams its RSC payload in inline <script> tags (docs/SECURITY.md).
    "script-src 'self' 'unsafe-inline'",
    // React renders style="" attributes (grid positions, progress bars); no user input reaches them.
    "style-src 'self' 'unsafe-inline'",
    // data: is the thumbhash placeholder behind each image.
    `img-src 'self' data: ${storage}`,
    // The uploader PUTs straight to storage.
    `connect-src 'self' ${storage}`,
    "font-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(pathname: string, env: Env): [name: string, value: string][] {
  const shareLink = pathname.startsWith("/s/");
  const headers: [string, string][] = [
    ["Content-Security-Policy", contentSecurityPolicy(env)],
    ["X-Content-Type-Options", "nosniff"],
    ["X-Frame-Options", "DENY"],
    // A share link is a secret: its URL must not leak through Referer.
    ["Referrer-Policy", shareLink ? "no-referrer" : "strict-origin-when-cross-origin"],
    ["Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
  ];
  // Share pages stay out of search engines.
  if (shareLink) headers.push(["X-Robots-Tag", "noindex, nofollow"]);
  // Only over HTTPS: on plain http a browser would pin a host that cannot answer it.
  if ((env.APP_URL || "").startsWith("https://")) headers.push(["Strict-Transport-Security", "max-age=63072000; includeSubDomains"]);
  return headers;
}
