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
  // Security headers are set per request by proxy.ts (lib/security/headers.ts), from the running configuration.
};

module.exports = nextConfig;
