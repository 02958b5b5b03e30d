export async function register() {
  // The sweeper needs Node APIs and the database: only in the Node.js server runtime.
  if (process.env.NEXT_RUNTIME !== "nodejs") return;
  const { env } = await import("@/lib/env");
  if (env.SWEEPER_INTERVAL_SECONDS > 0) {
    const { startPeriodicSweeper } = await import("@/lib/sweeper");
    startPeriodicSweeper(env.SWEEPER_INTERVAL_SECONDS);
  }
}
