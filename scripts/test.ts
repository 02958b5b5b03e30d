/**
 * `npm test`: the whole suite, with the services it needs started here and
 * stopped afterwards.
 *
 *   1. unit tests (vitest, no services)
 *   2. integration, security and fault tests (vitest) against a real PostgreSQL
 *      (DATABASE_URL, else an in-memory embedded PGlite) and the embedded S3
 *   3. end-to-end tests (Playwright, Debian's Chromium) against `next start`
 *
 * Ends with one line "N passed, N failed, N skipped" over all three.
 *   tsx scripts/test.ts [--only unit|integration|e2e]... [-- args for the runner]
 *
 * Arguments after `--` go to the runner of the one suite chosen with --only, e.g.
 *   npm test -- --only e2e -- tests/e2e/gallery.spec.ts --repeat-each 5
 */
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { startStack } from "./embedded/stack";
import { freePort } from "./ports";

type Suite = "unit" | "integration" | "e2e";
type Counts = { passed: number; failed: number; skipped: number };

const root = process.cwd();
const resultsDir = path.resolve(process.env.TEST_REPORTS_DIR ?? "test-reports");
const args = process.argv.slice(2);
const only = args.flatMap((a, i) => (a === "--only" ? [args[i + 1] as Suite] : []));
const wanted = (suite: Suite) => only.length === 0 || only.includes(suite);
const runnerArgs = args.includes("--") ? args.slice(args.indexOf("--") + 1) : [];
if (runnerArgs.length > 0 && only.length !== 1) {
  console.error("Arguments after -- go to one runner: choose its suite with a single --only.");
  process.exit(2);
}

function run(command: string, commandArgs: string[], env: NodeJS.ProcessEnv): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn(command, commandArgs, { env, stdio: "inherit" });
    const forward = (signal: NodeJS.Signals) => child.kill(signal);
    process.on("SIGINT", forward).on("SIGTERM", forward);
    child.on("exit", (code) => {
      process.off("SIGINT", forward).off("SIGTERM", forward);
      resolve(code ?? 1);
    });
  });
}

function vitestCounts(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const report = JSON.parse(readFileSync(file, "utf8")) as {
    numPassedTests: number;
    numFailedTests: number;
    numPendingTests: number;
    numTodoTests: number;
  };
  return { passed: report.numPassedTests, failed: report.numFailedTests, skipped: report.numPendingTests + report.numTodoTests };
}

function playwrightCounts(file: string): Counts | undefined {
  if (!existsSync(file)) return undefined;
  const { stats } = JSON.parse(readFileSync(file, "utf8")) as {
    stats: { expected: number; unexpected: number; flaky: number; skipped: number };
  };
  // Retries are off, so "flaky" should never appear; if a runner option brings them back, a test
  // that needed one still counts as failed.
  return { passed: stats.expected, failed: stats.unexpected + stats.flaky, skipped: stats.skipped };
}

async function main() {
  const totals: Counts = { passed: 0, failed: 0, skipped: 0 };
  const add = (suite: string, counts: Counts | undefined, exitCode: number) => {
    // A runner that crashed before reporting counts as one failure, never as a pass.
    const c = counts ?? { passed: 0, failed: 1, skipped: 0 };
    if (exitCode !== 0 && c.failed === 0) c.failed = 1;
    totals.passed += c.passed;
    totals.failed += c.failed;
    totals.skipped += c.skipped;
    console.log(`\n[${suite}] ${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped\n`);
  };

  rmSync(resultsDir, { recursive: true, force: true });
  mkdirSync(resultsDir, { recursive: true });
  // 3100 unless another run holds it.
  const e2ePort = process.env.E2E_PORT ?? String(await freePort(3100));
  const baseEnv: NodeJS.ProcessEnv = {
    ...process.env,
    E2E_PORT: e2ePort,
    NEXT_TELEMETRY_DISABLED: "1",
    TEST_REPORTS_DIR: resultsDir,
    APP_URL: `http://localhost:${e2ePort}`,
    // Tests sign up many accounts from one address; the limits themselves are tested with their own settings.
    SIGN_UP_RATE_LIMIT_PER_HOUR: process.env.SIGN_UP_RATE_LIMIT_PER_HOUR ?? "10000",
    SIGN_IN_RATE_LIMIT_PER_MINUTE: process.env.SIGN_IN_RATE_LIMIT_PER_MINUTE ?? "10000",
    // The gallery specs seed demo photos that have no original on purpose; the app's periodic
    // sweeper would fail them mid-test. The sweeper has its own integration tests.
    SWEEPER_INTERVAL_SECONDS: process.env.SWEEPER_INTERVAL_SECONDS ?? "0",
  };
  const vitest = path.join(root, "node_modules", "vitest", "vitest.mjs");

  if (wanted("unit")) {
    const out = path.join(resultsDir, "unit.json");
    const code = await run(process.execPath, [vitest, "run", "--project", "unit", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...runnerArgs], baseEnv);
    add("unit", vitestCounts(out), code);
  }

  if (wanted("integration") || wanted("e2e")) {
    const dataDir = path.join(root, ".data", `test-${process.pid}`);
    const stack = await startStack({ dataDir, inMemoryDatabase: true, appUrl: baseEnv.APP_URL!, source: baseEnv });
    console.log(`Test services: ${stack.started.length ? stack.started.join(", ") : "as configured"}`);
    const env = { ...baseEnv, ...stack.env };
    // Bind the fresh database and bucket to one install identity now, as the first `npm start`
    // does: by the time the sweeper's own tests run, earlier files have left objects behind,
    // and an unbound pair holding objects of no row is (rightly) a mismatch the sweeper refuses.
    const bound = await run(process.execPath, ["--conditions=react-server", "--import", "tsx", "scripts/storage-check.ts", "--installation"], env);
    if (bound !== 0) throw new Error(`binding the test stack's install identity failed (exit ${bound})`);
    try {
      if (wanted("integration")) {
        const out = path.join(resultsDir, "integration.json");
        const code = await run(process.execPath, [vitest, "run", "--project", "integration", "--reporter=default", "--reporter=json", `--outputFile.json=${out}`, ...runnerArgs], env);
        add("integration", vitestCounts(out), code);
      }
      if (wanted("e2e")) {
        const out = path.join(resultsDir, "e2e.json");
        const playwright = path.join(root, "node_modules", "@playwright", "test", "cli.js");
        const code = await run(process.execPath, [playwright, "test", ...runnerArgs], env);
        add("e2e", playwrightCounts(out), code);
      }
    } finally {
      await stack.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  }

  console.log(`${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`);
  process.exit(totals.failed > 0 ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error);
  console.log("0 passed, 1 failed");
  process.exit(1);
});
