/**
 * `npm start` / `npm run dev`: brings up the embedded defaults that the
 * configuration leaves out, applies migrations, builds when the sources changed,
 * then runs Next.js. Ctrl-C or SIGTERM stops everything it started.
 *
 *   tsx scripts/serve.ts start|dev [--port 3000]
 */
import { spawn, spawnSync, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import path from "node:path";
import { loadEnvConfig } from "@next/env";
import { startStack, writeRunningStack, clearRunningStack } from "./embedded/stack";

const mode = process.argv[2] === "dev" ? "dev" : "start";
const portFlag = process.argv.indexOf("--port");
const root = process.cwd();

loadEnvConfig(root, mode === "dev");
process.env.NEXT_TELEMETRY_DISABLED = "1";
const port = portFlag > 0 ? process.argv[portFlag + 1]! : process.env.PORT || "3000";
const appUrl = process.env.APP_URL || `http://localhost:${port}`;

const nextBin = path.join(root, "node_modules", "next", "dist", "bin", "next");

/** A production build is stale when any source file is newer than it. */
function buildIsStale(): boolean {
  const buildId = path.join(root, process.env.NEXT_DIST_DIR || ".next", "BUILD_ID");
  if (!existsSync(buildId)) return true;
  const builtAt = statSync(buildId).mtimeMs;
  const newer = (entry: string): boolean => {
    const full = path.join(root, entry);
    if (!existsSync(full)) return false;
    const stat = statSync(full);
    if (!stat.isDirectory()) return stat.mtimeMs > builtAt;
    return readdirSync(full).some((name) => name !== "generated" && newer(path.join(entry, name)));
  };
  return ["app", "components", "lib", "public", "proxy.ts", "next.config.js", "package-lock.json", "prisma/schema.prisma"].some(newer);
}

async function main() {
  const stack = await startStack({ dataDir: path.join(root, ".data"), appUrl });
  const env = { ...process.env, ...stack.env, APP_URL: appUrl, PORT: port };
  const state: { next?: ChildProcess; stopping: boolean } = { stopping: false };

  const shutdown = async (code: number) => {
    if (state.stopping) return;
    state.stopping = true;
    const next = state.next;
    if (next?.pid && next.exitCode === null) {
      // `next start` runs the server in a grandchild process: signal the whole group.
      process.kill(-next.pid, "SIGTERM");
      await new Promise((resolve) => next.once("exit", resolve));
    }
    clearRunningStack(root);
    await stack.stop();
    process.exit(code);
  };
  writeRunningStack(root, stack);
  process.on("SIGINT", () => void shutdown(0));
  process.on("SIGTERM", () => void shutdown(0));

  console.log(
    `Snapshelf: ${stack.started.length ? `using ${stack.started.join(" and ")}, data in .data/` : "using the configured database and storage"}`,
  );

  if (mode === "start" && buildIsStale()) {
    console.log("Snapshelf: building the app (first start or changed sources)…");
    const build = spawnSync(process.execPath, [nextBin, "build"], { env, stdio: "inherit" });
    if (build.status !== 0) {
      console.error("Snapshelf: the build failed; see above.");
      return shutdown(1);
    }
  }

  state.next = spawn(process.execPath, [nextBin, mode, "--port", port], { env, stdio: "inherit", detached: true });
  state.next.on("exit", (code) => void shutdown(code ?? 0));
  // Last resort if this process dies another way: never leave Next's group running.
  process.on("exit", () => {
    if (state.next?.pid && state.next.exitCode === null) {
      try {
        process.kill(-state.next.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  });
}

main().catch((error: unknown) => {
  console.error(`Snapshelf could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
