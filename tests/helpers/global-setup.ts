import path from "node:path";
import type { TestProject } from "vitest/node";
import { startStack, type Stack } from "../../scripts/embedded/stack";

/**
 * Integration tests talk to a real PostgreSQL and a real S3 API. `npm test` starts
 * them once for all suites and passes them in through the environment; a bare
 * `vitest run --project integration` gets its own embedded pair here.
 */
let stack: Stack | undefined;

export async function setup(project: TestProject) {
  const needsStack = !process.env.DATABASE_URL || !process.env.S3_ENDPOINT;
  if (needsStack) {
    stack = await startStack({
      dataDir: path.resolve(".data", `vitest-${process.pid}`),
      inMemoryDatabase: true,
      appUrl: process.env.APP_URL ?? "http://localhost:3100",
    });
    Object.assign(process.env, stack.env);
  }
  project.provide("stackEnv", { ...(stack?.env ?? {}) });
}

export async function teardown() {
  await stack?.stop();
}

declare module "vitest" {
  export interface ProvidedContext {
    stackEnv: Record<string, string>;
  }
}
