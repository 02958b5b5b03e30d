import { mkdtemp, readdir, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

const PREFIX = "snapshelf-processing-";
/**
 * Twice the longest PROCESSING_TIMEOUT_SECONDS allowed: no run of a live process is this old, so
 * an older directory was left by a process killed mid-run (crash, deploy), holding someone's original.
 */
export const STALE_WORK_DIR_MS = 2 * 300 * 1000;

/** A private directory (0700) for one processing run's temporary original; the run removes it in every outcome. */
export function createWorkDir(root = os.tmpdir()): Promise<string> {
  return mkdtemp(path.join(root, PREFIX));
}

/** Removes the work directories that killed processes left behind; returns how many. */
export async function removeStaleWorkDirs(root = os.tmpdir(), now = Date.now()): Promise<number> {
  let removed = 0;
  for (const name of await readdir(root)) {
    if (!name.startsWith(PREFIX)) continue;
    const dir = path.join(root, name);
    const modified = await stat(dir).then((s) => s.mtimeMs, () => now);
    if (now - modified <= STALE_WORK_DIR_MS) continue;
    await rm(dir, { recursive: true, force: true });
    removed++;
  }
  return removed;
}
