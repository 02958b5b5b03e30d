import { defineConfig, devices } from "@playwright/test";
import { CHROMIUM_ARGS, CHROMIUM_EXECUTABLE } from "./tests/helpers/chromium";

const PORT = Number(process.env.E2E_PORT ?? 3100);
// Separate folders per run let several runs share a checkout (scripts/test.ts sets them).
const reports = process.env.TEST_REPORTS_DIR ?? "test-reports";
const baseURL = `http://localhost:${PORT}`;

export default defineConfig({
  testDir: "tests/e2e",
  outputDir: `${reports}/artifacts`,
  fullyParallel: false,
  workers: 1,
  forbidOnly: !!process.env.CI,
  // A test that passes only on a second try is a failing test: find its cause instead.
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["json", { outputFile: `${reports}/e2e.json` }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: {
      executablePath: CHROMIUM_EXECUTABLE,
      args: CHROMIUM_ARGS,
    },
  },
  projects: [
    { name: "setup", testMatch: /auth\.setup\.ts/ },
    {
      name: "chromium",
      use: { ...devices["Desktop Chrome"], storageState: `${reports}/.auth/owner.json` },
      dependencies: ["setup"],
    },
  ],
  webServer: {
    // The same launcher as `npm start`: it reuses the services npm test already started (via env).
    command: `node --import tsx scripts/serve.ts start --port ${PORT}`,
    url: `${baseURL}/api/health`,
    // The first run builds the app (a few minutes on a busy 2-core machine).
    timeout: 600_000,
    reuseExistingServer: false,
    // The launcher stops Next's process group itself; a SIGKILL would leave that group running.
    gracefulShutdown: { signal: "SIGTERM", timeout: 15_000 },
    stdout: "pipe",
    stderr: "pipe",
    env: { APP_URL: baseURL },
  },
});
