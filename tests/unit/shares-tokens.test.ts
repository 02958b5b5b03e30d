import { describe, expect, it } from "vitest";
import { createShareToken, isShareTokenShaped, SHARE_TOKEN_BYTES, SHARE_TOKEN_LENGTH } from "@/lib/shares/tokens";
import { expiryDate, shareUrl } from "@/lib/shares/expiry";

describe("share tokens", () => {
  it("are 32 random bytes, base64url without padding (≥128 bits)", () => {
    const token = createShareToken();
    expect(token).toHaveLength(SHARE_TOKEN_LENGTH);
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(token, "base64url")).toHaveLength(SHARE_TOKEN_BYTES);
    expect(SHARE_TOKEN_BYTES * 8).toBeGreaterThanOrEqual(128);
  });

  it("never repeat and use the whole alphabet evenly", () => {
    const tokens = Array.from({ length: 5000 }, createShareToken);
    expect(new Set(tokens).size).toBe(tokens.length);

    // Every bit position of the decoded bytes should be set about half the time.
    const ones = new Array<number>(SHARE_TOKEN_BYTES * 8).fill(0);
    for (const token of tokens) {
      const bytes = Buffer.from(token, "base64url");
      for (let bit = 0; bit < ones.length; bit++) {
        if ((bytes[bit >> 3]! >> (bit & 7)) & 1) ones[bit]!++;
      }
    }
    // 5000 fair coin flips: mean 2500, sd ≈ 35; ±250 is over 7 sd, so this never flakes on a real RNG.
    for (const count of ones) expect(Math.abs(count - tokens.length / 2)).toBeLessThan(250);

    // Shannon entropy of the characters (the last one carries only 4 bits, so leave it out).
    const counts = new Map<string, number>();
    for (const token of tokens) for (const c of token.slice(0, -1)) counts.set(c, (counts.get(c) ?? 0) + 1);
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    const entropy = -[...counts.values()].reduce((sum, n) => sum + (n / total) * Math.log2(n / total), 0);
    expect(counts.size).toBe(64);
    expect(entropy).toBeGreaterThan(5.99);
  });

  it("are recognised by shape, and junk is not", () => {
    expect(isShareTokenShaped(createShareToken())).toBe(true);
    for (const junk of ["", "abc", "a".repeat(42), "a".repeat(44), `${"a".repeat(42)}=`, `${"a".repeat(42)}/`, `${"a".repeat(42)}+`, "../../etc/passwd".padEnd(43, "a")]) {
      expect(isShareTokenShaped(junk), junk).toBe(false);
    }
  });
});

describe("share expiry and URL", () => {
  const now = new Date("2026-01-01T00:00:00Z");
  it("maps each option to a date", () => {
    expect(expiryDate("1h", now)?.toISOString()).toBe("2026-01-01T01:00:00.000Z");
    expect(expiryDate("1d", now)?.toISOString()).toBe("2026-01-02T00:00:00.000Z");
    expect(expiryDate("7d", now)?.toISOString()).toBe("2026-01-08T00:00:00.000Z");
    expect(expiryDate("30d", now)?.toISOString()).toBe("2026-01-31T00:00:00.000Z");
    expect(expiryDate("never", now)).toBeNull();
  });

  it("builds an absolute URL from APP_URL, with or without a trailing slash", () => {
    expect(shareUrl("https://photos.example.com", "tok")).toBe("https://photos.example.com/s/tok");
    expect(shareUrl("https://photos.example.com/", "tok")).toBe("https://photos.example.com/s/tok");
  });
});
