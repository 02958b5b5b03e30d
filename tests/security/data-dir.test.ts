/**
 * `.data/` holds the embedded database, the embedded bucket and the generated auth secret:
 * whoever can read it can read every photo and forge every session. startStack creates it
 * readable by its owner only, and tightens one an older version created wider.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterEach, expect, it } from "vitest";
import { startStack } from "../../scripts/embedded/stack";

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

function scratch() {
  const root = mkdtempSync(path.join(tmpdir(), "snapshelf-data-"));
  roots.push(root);
  return path.join(root, ".data");
}

/** The suite's own database and bucket are configured; only the secret is left to the stack, so it writes into .data/. */
const start = (dataDir: string) =>
  startStack({ dataDir, appUrl: "http://127.0.0.1:3000", source: { ...process.env, BETTER_AUTH_SECRET: undefined, NODE_ENV: "test" } });

const modeOf = (file: string) => statSync(file).mode & 0o777;

it("creates .data/ owner-only (0700) and the auth secret 0600", async () => {
  const dataDir = scratch();
  const stack = await start(dataDir);
  await stack.stop();
  expect(modeOf(dataDir).toString(8)).toBe("700");
  expect(modeOf(path.join(dataDir, "auth-secret")).toString(8)).toBe("600");
});

it("tightens a .data/ that already exists with wider permissions", async () => {
  const dataDir = scratch();
  mkdirSync(dataDir);
  chmodSync(dataDir, 0o755);
  const stack = await start(dataDir);
  await stack.stop();
  expect(modeOf(dataDir).toString(8)).toBe("700");
});
