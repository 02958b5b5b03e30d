/** @type {import('next').NextConfig} */
const nextConfig = {
  poweredByHeader: false,
  // Native or wasm-backed packages are loaded from node_modules at run time, not bundled.
  serverExternalPackages: ["sharp", "heic-convert", "libheif-js", "@electric-sql/pglite", "@azure/storage-blob"],
  experimental: {
    serverActions: {
      // Actions carry metadata only; photo bytes go straight to storage.
      bodySizeLimit: "1mb",
    },
  },
};

module.exports = nextConfig;
