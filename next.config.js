/**
 * The one origin browsers talk to besides the app itself: where they PUT uploads
 * and load images from. Mirrors how lib/storage builds its presigned URLs (the
 * public endpoint when set, path style or virtual-hosted, AWS's regional host).
 * Read from process.env here because next.config.js cannot import lib/env.ts.
 */
function storageOrigin(env) {
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

function contentSecurityPolicy(env) {
  const storage = storageOrigin(env);
  return [
    "default-src 'self'",
    // Next's App Router streams its RSC payload in inline <script> tags; a static header cannot carry a per-request nonce (docs/SECURITY.md).
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

/**
 * Headers for every response. Next writes them into the build (routes-manifest.json),
 * so they hold the storage origin and APP_URL the build saw: scripts/serve.ts rebuilds
 * when they would come out different.
 */
function securityHeaders(env) {
  const headers = [
    { key: "Content-Security-Policy", value: contentSecurityPolicy(env) },
    { key: "X-Content-Type-Options", value: "nosniff" },
    { key: "X-Frame-Options", value: "DENY" },
    { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
    { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=(), payment=(), usb=(), browsing-topics=()" },
    { key: "Cross-Origin-Opener-Policy", value: "same-origin" },
  ];
  // Only over HTTPS: on plain http a browser would pin a host that cannot answer it.
  if ((env.APP_URL || "").startsWith("https://")) {
    headers.push({ key: "Strict-Transport-Security", value: "max-age=63072000; includeSubDomains" });
  }
  return headers;
}

/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Lets concurrent test runs build side by side without overwriting each other.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  // Native or wasm-backed packages are loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["sharp", "heic-decode", "libheif-js", "@electric-sql/pglite", "@azure/storage-blob"],
  experimental: {
    serverActions: {
      // Actions carry metadata only; photo bytes go straight to storage.
      bodySizeLimit: "1mb",
    },
  },
  async headers() {
    return [
      { source: "/:path*", headers: securityHeaders(process.env) },
      // A share link is a secret: its URL must not leak through Referer, and it stays out of search engines.
      // Listed after the rule above, so these values win.
      {
        source: "/s/:path*",
        headers: [
          { key: "Referrer-Policy", value: "no-referrer" },
          { key: "X-Robots-Tag", value: "noindex, nofollow" },
        ],
      },
    ];
  },
};

module.exports = nextConfig;
