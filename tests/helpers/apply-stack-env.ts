import { inject } from "vitest";

// Runs in each test worker before the test file: the embedded services the global
// setup started must be visible to lib/env.ts, which reads process.env at import.
Object.assign(process.env, inject("stackEnv"));
process.env.APP_URL ??= "http://localhost:3100";
