import { fileURLToPath } from "node:url";
import { defineConfig } from "vitest/config";

const root = fileURLToPath(new URL(".", import.meta.url));

export default defineConfig({
  resolve: {
    alias: {
      "@/": `${root}/`,
      // `server-only` throws outside React Server Components; our lib code is plain Node in tests.
      "server-only": `${root}/tests/helpers/server-only-stub.ts`,
    },
  },
  test: {
    projects: [
      {
        extends: true,
        test: { name: "unit", include: ["tests/unit/**/*.test.ts"], environment: "node" },
      },
      {
        extends: true,
        test: {
          name: "integration",
          include: ["tests/integration/**/*.test.ts", "tests/security/**/*.test.ts", "tests/faults/**/*.test.ts"],
          environment: "node",
          // One database and one bucket are shared: files run one after another.
          fileParallelism: false,
          testTimeout: 60_000,
          hookTimeout: 120_000,
          globalSetup: ["tests/helpers/global-setup.ts"],
          setupFiles: ["tests/helpers/apply-stack-env.ts"],
        },
      },
    ],
  },
});
