import { describe, expect, it } from "vitest";
import { MAX_PARTS, partCountFor, partLength, partSizeFor } from "@/lib/photos/parts";

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
const MIN = 8 * MiB;

describe("multipart part sizes", () => {
  it("keeps the configured part size while a file fits in 64 of them", () => {
    expect(partSizeFor(50 * MiB, MIN)).toBe(MIN);
    expect(partCountFor(50 * MiB, MIN)).toBe(7);
    expect(partCountFor(MAX_PARTS * MIN, MIN)).toBe(MAX_PARTS);
  });

  it("grows parts in whole MiB so that a bigger file still takes at most 64", () => {
    expect(partSizeFor(1 * GiB, MIN)).toBe(16 * MiB);
    expect(partCountFor(1 * GiB, MIN)).toBe(64);
    for (const size of [MAX_PARTS * MIN + 1, 1_000_000_007, 5 * GiB + 3, 100 * GiB]) {
      expect(partSizeFor(size, MIN) % MiB).toBe(0);
      expect(partCountFor(size, MIN)).toBeLessThanOrEqual(MAX_PARTS);
      expect(partSizeFor(size, MIN) * partCountFor(size, MIN)).toBeGreaterThanOrEqual(size);
    }
  });

  it("gives every part its exact length, the last one the remainder, adding up to the file", () => {
    for (const size of [40 * MiB + 123, 1 * GiB, 1_000_000_007]) {
      const count = partCountFor(size, MIN);
      const lengths = Array.from({ length: count }, (_, i) => partLength(size, MIN, i + 1));
      expect(lengths.reduce((a, b) => a + b, 0)).toBe(size);
      expect(lengths.slice(0, -1).every((n) => n === partSizeFor(size, MIN))).toBe(true);
      expect(lengths.at(-1)).toBeGreaterThan(0);
    }
  });
});
