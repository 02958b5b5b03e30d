import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { rgbaToThumbHash } from "thumbhash";
import { describe, expect, it } from "vitest";
import { thumbHashToDataURL } from "@/lib/images/thumbhash";

describe("thumbHashToDataURL", () => {
  it("turns a stored base64 hash into a PNG data URL of the right shape", async () => {
    const { data, info } = await sharp({ create: { width: 100, height: 50, channels: 4, background: "#3a7bd5" } })
      .raw()
      .toBuffer({ resolveWithObject: true });
    const hash = Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString("base64");

    const url = thumbHashToDataURL(hash);
    expect(url).toMatch(/^data:image\/png;base64,/);
    const png = Buffer.from(url.split(",")[1] ?? "", "base64");
    const metadata = await sharp(png).metadata();
    expect(metadata.format).toBe("png");
    expect(metadata.width! / metadata.height!).toBeCloseTo(2, 0);
  });

  it("stays usable from client components: no server-only, no Buffer", async () => {
    const source = await readFile("lib/images/thumbhash.ts", "utf8");
    expect(source).not.toMatch(/import\s+["']server-only["']/);

    const hash = Buffer.from(rgbaToThumbHash(1, 1, [255, 0, 0, 255])).toString("base64");
    const globals = globalThis as { Buffer?: typeof Buffer };
    const saved = globals.Buffer;
    delete globals.Buffer;
    try {
      expect(thumbHashToDataURL(hash)).toMatch(/^data:image\/png;base64,/);
    } finally {
      globals.Buffer = saved;
    }
  });
});
