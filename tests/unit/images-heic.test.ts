import { readFile } from "node:fs/promises";
import sharp from "sharp";
import { describe, expect, it } from "vitest";
import { decodeHeicToPng } from "@/lib/images/heic";
import { ProcessingTimeoutError } from "@/lib/images/time-limit";

describe("decodeHeicToPng", () => {
  it("decodes the primary image to a PNG sharp can read", async () => {
    const heic = await readFile("tests/fixtures/photos/photo-gps.heic");
    const header = await sharp(heic).metadata();
    expect(header).toMatchObject({ format: "heif", compression: "hevc", pagePrimary: 0 });

    const png = await decodeHeicToPng(heic, header.pagePrimary ?? 0, undefined);
    const metadata = await sharp(png).metadata();
    expect(metadata).toMatchObject({ format: "png", width: 1632, height: 1224 });
    // Nothing of the original's metadata survives the trip.
    expect(metadata.exif).toBeUndefined();
    expect(metadata.icc).toBeUndefined();
  }, 20_000);

  it("carries the original's ICC profile over when there is one", async () => {
    const heic = await readFile("tests/fixtures/photos/photo-gps.heic");
    const p3 = await sharp({ create: { width: 4, height: 4, channels: 3, background: "#fff" } })
      .withIccProfile("p3")
      .png()
      .toBuffer();
    const profile = (await sharp(p3).metadata()).icc!;
    const png = await decodeHeicToPng(heic, 0, profile);
    expect((await sharp(png).metadata()).icc?.equals(profile)).toBe(true);
  }, 20_000);

  it("reads the file itself when given a path", async () => {
    const png = await decodeHeicToPng("tests/fixtures/photos/photo-gps.heic", 0, undefined);
    expect(await sharp(png).metadata()).toMatchObject({ format: "png", width: 1632, height: 1224 });
  }, 20_000);

  it("terminates the decoder when the signal aborts, and rejects with its reason at once", async () => {
    const controller = new AbortController();
    const decoding = decodeHeicToPng("tests/fixtures/photos/photo-gps.heic", 0, undefined, controller.signal);
    const started = performance.now();
    controller.abort(new ProcessingTimeoutError());
    await expect(decoding).rejects.toBeInstanceOf(ProcessingTimeoutError);
    // A whole decode of this file takes ~0.5-2 s here; the abort answers without waiting for it.
    expect(performance.now() - started).toBeLessThan(100);
    // An already-aborted signal starts no worker at all.
    await expect(decodeHeicToPng("tests/fixtures/photos/photo-gps.heic", 0, undefined, controller.signal)).rejects.toBeInstanceOf(
      ProcessingTimeoutError,
    );
  }, 20_000);

  it("fails when the primary index points past the top-level images", async () => {
    const heic = await readFile("tests/fixtures/photos/photo-gps.heic");
    await expect(decodeHeicToPng(heic, 1, undefined)).rejects.toThrow(/no top-level image #1/);
  }, 20_000);
});
