import { performance } from "node:perf_hooks";
import { describe, expect, it } from "vitest";
import { hashSharePassword, verifySharePassword } from "@/lib/shares/password";
import { createShareLinkSchema, unlockShareSchema } from "@/lib/shares/schemas";

/**
 * Median time of each case, with the cases interleaved run by run so that a burst
 * of load from other test files hits all of them alike.
 */
async function medianTimes(cases: (() => Promise<unknown>)[], runs = 7): Promise<number[]> {
  const times = cases.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [i, fn] of cases.entries()) {
      const start = performance.now();
      await fn();
      times[i]!.push(performance.now() - start);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(runs / 2)]!);
}

describe("share passwords", () => {
  it("are stored as a salted scrypt hash, never as the password", async () => {
    const hash = await hashSharePassword("hunter2 is fine");
    expect(hash).toMatch(/^scrypt\$15\$8\$1\$[A-Za-z0-9_-]{22}\$[A-Za-z0-9_-]{43}$/);
    expect(hash).not.toContain("hunter2");
    // A fresh salt each time: equal passwords do not give equal hashes.
    expect(await hashSharePassword("hunter2 is fine")).not.toBe(hash);
  });

  it("verify the right password and refuse wrong ones", async () => {
    const hash = await hashSharePassword("correct horse");
    expect(await verifySharePassword(hash, "correct horse")).toBe(true);
    expect(await verifySharePassword(hash, "correct hors")).toBe(false);
    expect(await verifySharePassword(hash, "Correct horse")).toBe(false);
    expect(await verifySharePassword(hash, "")).toBe(false);
  });

  it("match the same text in either Unicode form", async () => {
    const composed = "caf\u00e9";
    const decomposed = "cafe\u0301";
    expect(await verifySharePassword(await hashSharePassword(composed), decomposed)).toBe(true);
  });

  it("refuse everything when there is no hash, or an unreadable one", async () => {
    for (const stored of [null, undefined, "", "plaintext", "scrypt$99$8$1$aaaa$bbbb", "bcrypt$whatever"]) {
      expect(await verifySharePassword(stored, "anything"), String(stored)).toBe(false);
    }
  });

  it("take as long for a link without a password as for a wrong guess", async () => {
    const hash = await hashSharePassword("the real one");
    await verifySharePassword(hash, "warm-up");
    const [wrong, none, right] = await medianTimes([
      () => verifySharePassword(hash, "a wrong guess"),
      () => verifySharePassword(null, "a wrong guess"),
      () => verifySharePassword(hash, "the real one"),
    ]);
    // The same scrypt work in all three cases; skipping the hash would make one ~1000x faster.
    for (const ratio of [none! / wrong!, right! / wrong!]) {
      expect(ratio).toBeGreaterThan(1 / 3);
      expect(ratio).toBeLessThan(3);
    }
    // Many scrypt runs: generous on a loaded 2-core CI machine; the 1000x signal does not need speed.
  }, 60_000);
});

describe("share schemas", () => {
  const photoId = "0b6f5c5e-2f7a-4c1e-9d2b-6a1f0e9c3d4b";

  it("treat an empty password as none, and refuse a too-short one", () => {
    const empty = createShareLinkSchema.parse({ photoId, expiresIn: "7d", password: "", allowDownload: false });
    expect(empty.password).toBeUndefined();
    expect(createShareLinkSchema.safeParse({ photoId, expiresIn: "7d", password: "abc", allowDownload: false }).success).toBe(false);
    expect(createShareLinkSchema.parse({ photoId, expiresIn: "never", password: "abcd" }).allowDownload).toBe(false);
  });

  it("accept only the offered lifetimes", () => {
    for (const expiresIn of ["1h", "1d", "7d", "30d", "never"]) {
      expect(createShareLinkSchema.safeParse({ photoId, expiresIn, allowDownload: true }).success, expiresIn).toBe(true);
    }
    for (const expiresIn of ["2h", "forever", "", 3600]) {
      expect(createShareLinkSchema.safeParse({ photoId, expiresIn, allowDownload: true }).success, String(expiresIn)).toBe(false);
    }
  });

  it("refuse an unlock attempt for a malformed token", () => {
    expect(unlockShareSchema.safeParse({ token: "short", password: "x" }).success).toBe(false);
    expect(unlockShareSchema.safeParse({ token: "a".repeat(43), password: "" }).success).toBe(false);
    expect(unlockShareSchema.safeParse({ token: "a".repeat(43), password: "x" }).success).toBe(true);
  });
});
