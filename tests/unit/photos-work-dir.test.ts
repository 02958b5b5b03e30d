import { mkdir, mkdtemp, readdir, rm, utimes, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createWorkDir, removeStaleWorkDirs, STALE_WORK_DIR_MS } from "@/lib/photos/work-dir";

let root: string | undefined;
afterEach(async () => {
  if (root) await rm(root, { recursive: true, force: true });
});

describe("processing work directories", () => {
  it("removes only the work directories older than any live run, with the originals in them", async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "work-dir-test-"));
    const now = Date.now();
    const left = await createWorkDir(root);
    await writeFile(path.join(left, "original"), "bytes of a photo");
    const stale = (now - STALE_WORK_DIR_MS - 60_000) / 1000;
    await utimes(left, stale, stale);
    const live = await createWorkDir(root);
    const unrelated = path.join(root, "someone-else");
    await mkdir(unrelated);
    await utimes(unrelated, stale, stale);

    expect(await removeStaleWorkDirs(root, now)).toBe(1);
    expect((await readdir(root)).sort()).toEqual([path.basename(live), "someone-else"].sort());
  });
});
