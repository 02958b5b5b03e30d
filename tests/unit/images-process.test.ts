import { readFile } from "node:fs/promises";
import { gps as exifrGps, parse as exifrParse } from "exifr";
import { fileTypeFromBuffer } from "file-type";
import sharp, { type Sharp } from "sharp";
import { thumbHashToApproximateAspectRatio, thumbHashToAverageRGBA } from "thumbhash";
import { describe, expect, it } from "vitest";
import { ImageProcessingError } from "@/lib/images/errors";
import { processImage, type ProcessedImage, VARIANT_SIZES } from "@/lib/images/process";
import { ProcessingTimeoutError, startTimeLimit } from "@/lib/images/time-limit";
import { embedIccProfile } from "@/lib/images/png-icc";
import { thumbHashToDataURL } from "@/lib/images/thumbhash";

const MAX_PIXELS = 100_000_000;
const fixture = (name: string) => readFile(`tests/fixtures/photos/${name}`);
const process100mp = async (name: string) => processImage(await fixture(name), { maxPixels: MAX_PIXELS });

/** RIFF chunk ids of a WebP file, and the VP8X feature flags if present. */
function webpChunks(data: Buffer): { ids: string[]; vp8xFlags: number | undefined } {
  expect(data.toString("latin1", 0, 4)).toBe("RIFF");
  expect(data.toString("latin1", 8, 12)).toBe("WEBP");
  const ids: string[] = [];
  let vp8xFlags: number | undefined;
  for (let offset = 12; offset + 8 <= data.length; ) {
    const id = data.toString("latin1", offset, offset + 4);
    const size = data.readUInt32LE(offset + 4);
    ids.push(id);
    if (id === "VP8X") vp8xFlags = data[offset + 8];
    offset += 8 + size + (size % 2);
  }
  return { ids, vp8xFlags };
}

/** Everything we promise about a stored variant: WebP and nothing but pixels. */
async function expectCleanWebp(data: Buffer): Promise<void> {
  expect((await fileTypeFromBuffer(data))?.mime).toBe("image/webp");

  const { ids, vp8xFlags } = webpChunks(data);
  expect(ids.filter((id) => !["VP8 ", "VP8L", "VP8X", "ALPH"].includes(id))).toEqual([]);
  // VP8X flag bits: 0x20 ICC, 0x08 EXIF, 0x04 XMP.
  expect((vp8xFlags ?? 0) & 0x2c).toBe(0);

  const metadata = await sharp(data).metadata();
  expect(metadata.format).toBe("webp");
  expect(metadata.exif).toBeUndefined();
  expect(metadata.xmp).toBeUndefined();
  expect(metadata.icc).toBeUndefined();
  expect(metadata.iptc).toBeUndefined();

  // exifr cannot open WebP containers, so also ask it about the bytes as a
  // whole: it scans for a TIFF/EXIF block and must find none.
  expect(await exifrGps(data).catch(() => undefined)).toBeUndefined();
  expect(await exifrParse(data, true).catch(() => undefined)).toBeUndefined();
  expect(data.includes("Exif")).toBe(false);
}

/** A 16×16 grey thumbprint, to compare what two images show. */
async function thumbprint(input: Buffer | Sharp): Promise<Buffer> {
  const image = Buffer.isBuffer(input) ? sharp(input) : input;
  return image.resize(16, 16, { fit: "fill" }).greyscale().raw().toBuffer();
}

function meanDifference(a: Buffer, b: Buffer): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs((a[i] ?? 0) - (b[i] ?? 0));
  return sum / a.length;
}

function premultiply(rgba: Buffer): Buffer {
  const out = Buffer.alloc(rgba.length);
  for (let i = 0; i < rgba.length; i += 4) {
    const alpha = rgba[i + 3] ?? 0;
    for (let c = 0; c < 3; c++) out[i + c] = Math.round(((rgba[i + c] ?? 0) * alpha) / 255);
    out[i + 3] = alpha;
  }
  return out;
}

async function expectVariants(image: ProcessedImage, displayed: { width: number; height: number }) {
  expect({ width: image.width, height: image.height }).toEqual(displayed);
  for (const variant of [image.thumbnail, image.large]) {
    await expectCleanWebp(variant.data);
    const metadata = await sharp(variant.data).metadata();
    expect({ width: metadata.width, height: metadata.height }).toEqual({ width: variant.width, height: variant.height });
    // Same shape as the photo (within rounding), never larger than it.
    expect(Math.abs(variant.width / variant.height - displayed.width / displayed.height)).toBeLessThan(0.01);
    expect(variant.width).toBeLessThanOrEqual(displayed.width);
  }
  expect(image.thumbnail.height).toBeLessThanOrEqual(VARIANT_SIZES.thumbnail.height);
  expect(image.thumbnail.width).toBeLessThanOrEqual(VARIANT_SIZES.thumbnail.width);
  expect(Math.max(image.large.width, image.large.height)).toBeLessThanOrEqual(2048);

  const hash = Buffer.from(image.thumbhash, "base64");
  expect(hash.length).toBeGreaterThan(4);
  expect(thumbHashToApproximateAspectRatio(hash)).toBeCloseTo(displayed.width / displayed.height, 0);
  expect(thumbHashToDataURL(image.thumbhash)).toMatch(/^data:image\/png;base64,/);
}

async function expectRejected(promise: Promise<unknown>, code: string): Promise<ImageProcessingError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(ImageProcessingError);
  expect((error as ImageProcessingError).code).toBe(code);
  return error as ImageProcessingError;
}

describe("processImage: photos", () => {
  it("Pixel JPEG: landscape variants, date and camera, GPS gone", async () => {
    const image = await process100mp("camera-gps-landscape.jpg");
    await expectVariants(image, { width: 1012, height: 759 });
    expect(image.large).toMatchObject({ width: 1012, height: 759 });
    expect(image.thumbnail).toMatchObject({ width: 640, height: 480 });
    expect(image.takenAt?.toISOString()).toBe("2018-07-25T16:34:23.000Z");
    expect(image.camera).toBe("Google Pixel");
  });

  it("iPhone JPEG with orientation 6: portrait variants, turned the right way", async () => {
    const original = await fixture("camera-portrait-orientation-6.jpg");
    const image = await processImage(original, { maxPixels: MAX_PIXELS });
    await expectVariants(image, { width: 1836, height: 2448 });
    expect(image.large).toMatchObject({ width: 1536, height: 2048 });
    expect(image.thumbnail).toMatchObject({ width: 360, height: 480 });
    expect(image.camera).toBe("Apple iPhone 6");
    expect(image.takenAt?.toISOString()).toBe("2016-04-23T00:34:28.000Z");

    // Portrait is not enough: 90° the wrong way is portrait too.
    const ours = await thumbprint(image.large.data);
    const right = await thumbprint(sharp(original).rotate(90));
    const wrong = await thumbprint(sharp(original).rotate(270));
    expect(meanDifference(ours, right)).toBeLessThan(4);
    expect(meanDifference(ours, wrong)).toBeGreaterThan(3 * meanDifference(ours, right) + 4);
  });

  it("WebP with messy EXIF and GPS: decoded, EXIF read, GPS gone", async () => {
    const image = await process100mp("photo-exif-gps.webp");
    await expectVariants(image, { width: 1600, height: 687 });
    expect(image.large).toMatchObject({ width: 1600, height: 687 });
    expect(image.thumbnail.height).toBe(480);
    expect(image.takenAt?.toISOString()).toBe("2022-08-14T14:12:31.000Z");
    expect(image.camera).toBe("HMD Global Nokia 8.3 5G");
  });

  it("HEIC with GPS: decoded despite sharp lacking HEVC, GPS gone", async () => {
    const original = await fixture("photo-gps.heic");
    const image = await processImage(original, { maxPixels: MAX_PIXELS });
    await expectVariants(image, { width: 1632, height: 1224 });
    expect(image.large).toMatchObject({ width: 1632, height: 1224 });
    expect(image.thumbnail).toMatchObject({ width: 640, height: 480 });
    expect(image.takenAt?.toISOString()).toBe("2015-04-10T20:12:23.000Z");
    expect(image.camera).toBe("Apple iPhone 6");
    // A real picture, not a flat grey failure, and opaque.
    const stats = await sharp(image.large.data).stats();
    expect(stats.channels[1]?.stdev).toBeGreaterThan(20);
    expect((await sharp(image.large.data).metadata()).hasAlpha).toBe(false);
  }, 20_000);

  it("AVIF: decoded by sharp directly, no EXIF to read", async () => {
    const image = await process100mp("photo.avif");
    await expectVariants(image, { width: 1204, height: 800 });
    expect(image.takenAt).toBeUndefined();
    expect(image.camera).toBeUndefined();
  });

  it("transparent PNG keeps its alpha in WebP and in the thumbhash", async () => {
    const image = await process100mp("transparent.png");
    await expectVariants(image, { width: 2048, height: 1536 });
    for (const variant of [image.large, image.thumbnail]) {
      const metadata = await sharp(variant.data).metadata();
      expect(metadata.hasAlpha).toBe(true);
      const stats = await sharp(variant.data).stats();
      expect(stats.isOpaque).toBe(false);
      expect(stats.channels[3]?.min).toBe(0);
    }
    expect(thumbHashToAverageRGBA(Buffer.from(image.thumbhash, "base64")).a).toBeLessThan(0.9);
  });

  it("animated GIF: the first frame, not enlarged", async () => {
    const original = await fixture("animated.gif");
    const image = await processImage(original, { maxPixels: MAX_PIXELS });
    await expectVariants(image, { width: 80, height: 80 });
    expect(image.large).toMatchObject({ width: 80, height: 80 });
    expect(image.thumbnail).toMatchObject({ width: 80, height: 80 });

    // Premultiplied: lossy WebP may change the colour of fully transparent pixels.
    const pixels = async (input: Sharp) => premultiply(await input.ensureAlpha().raw().toBuffer());
    const ours = await pixels(sharp(image.large.data));
    const first = meanDifference(ours, await pixels(sharp(original, { page: 0 })));
    const later = meanDifference(ours, await pixels(sharp(original, { page: 7 })));
    expect(first).toBeLessThan(5);
    expect(later).toBeGreaterThan(3 * first);
  });
});

describe("processImage: refusals", () => {
  it("refuses the 144 MP bomb from its header: fast, without memory growth", async () => {
    const bomb = await fixture("decompression-bomb-12000x12000.png");
    globalThis.gc?.();
    const rssBefore = process.memoryUsage().rss;
    const started = performance.now();
    const error = await expectRejected(processImage(bomb, { maxPixels: MAX_PIXELS }), "too_many_pixels");
    const elapsed = performance.now() - started;
    const grownMb = (process.memoryUsage().rss - rssBefore) / 1024 / 1024;

    expect(error.message).toBe("This image is 12000×12000 (144 MP); the limit is 100 MP.");
    expect(elapsed).toBeLessThan(250);
    // Decoding it would take ~430 MB (RGB) to ~576 MB (RGBA).
    expect(grownMb).toBeLessThan(50);
  });

  it("applies the limit exactly at maxPixels", async () => {
    const original = await fixture("camera-gps-landscape.jpg");
    await expectRejected(processImage(original, { maxPixels: 1012 * 759 - 1 }), "too_many_pixels");
    await expect(processImage(original, { maxPixels: 1012 * 759 })).resolves.toMatchObject({ width: 1012 });
  });

  it("refuses a truncated JPEG as corrupt instead of storing a half-grey image", async () => {
    const error = await expectRejected(process100mp("truncated.jpg"), "corrupt");
    expect(error.message).toBe("The file is damaged or incomplete and cannot be read.");
  });

  it("refuses a truncated HEIC as corrupt", async () => {
    const heic = await fixture("photo-gps.heic");
    await expectRejected(processImage(heic.subarray(0, 100_000), { maxPixels: MAX_PIXELS }), "corrupt");
  });

  it("refuses a PNG cut in half as corrupt", async () => {
    const png = await fixture("transparent.png");
    await expectRejected(processImage(png.subarray(0, png.length / 2), { maxPixels: MAX_PIXELS }), "corrupt");
  });

  it.each(["not-really.jpg", "script.svg", "empty.jpg"])("refuses %s as unsupported", async (name) => {
    const error = await expectRejected(process100mp(name), "unsupported");
    expect(error.message).toContain("JPEG, PNG, WebP, GIF, AVIF or HEIC");
  });

  it("refuses formats sharp could read but we do not accept", async () => {
    const tiff = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } }).tiff().toBuffer();
    await expectRejected(processImage(tiff, { maxPixels: MAX_PIXELS }), "unsupported");
  });
});

describe("processImage: colour", () => {
  // A P3-tagged image must be converted, not have its numbers read as sRGB.
  it("converts a P3-tagged image to sRGB", async () => {
    const p3 = await sharp({ create: { width: 32, height: 32, channels: 3, background: "#00ff00" } })
      .withIccProfile("p3")
      .png()
      .toBuffer();
    const image = await processImage(p3, { maxPixels: MAX_PIXELS });
    const [r, g, b] = await sharp(image.large.data).raw().toBuffer();
    expect(g).toBeGreaterThan(245);
    expect(r).toBeLessThan(20);
    expect(b).toBeLessThan(20);
  });

  it("embedIccProfile makes sharp honour the profile of an untagged PNG (the HEIC path)", async () => {
    const p3 = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#00ff00" } })
      .withIccProfile("p3")
      .png()
      .toBuffer();
    const profile = (await sharp(p3).metadata()).icc;
    expect(profile).toBeDefined();
    // The same P3 numbers, untagged, as the HEIC decoder hands them over.
    const untagged = await sharp(p3, { ignoreIcc: true }).png().toBuffer();
    expect((await sharp(untagged).metadata()).icc).toBeUndefined();

    const tagged = embedIccProfile(untagged, profile!);
    expect((await sharp(tagged).metadata()).icc?.equals(profile!)).toBe(true);
    const [rTagged] = await sharp(tagged).raw().toBuffer();
    const [rUntagged] = await sharp(untagged).raw().toBuffer();
    expect(rTagged).toBeLessThan(20);
    expect(rUntagged).toBeGreaterThan(80);
  });

  it("handles greyscale 16-bit input", async () => {
    const grey = await sharp({ create: { width: 64, height: 48, channels: 3, background: "#808080" } })
      .toColourspace("grey16")
      .png()
      .toBuffer();
    expect(await sharp(grey).metadata()).toMatchObject({ channels: 1, depth: "ushort" });
    const image = await processImage(grey, { maxPixels: MAX_PIXELS });
    await expectVariants(image, { width: 64, height: 48 });
  });
});

describe("metadata check self-test", () => {
  // Proves expectCleanWebp can fail: the same photo with its EXIF kept.
  it("detects EXIF and GPS when they are kept", async () => {
    const leaky = await sharp(await fixture("camera-gps-landscape.jpg")).keepExif().webp().toBuffer();
    await expect(expectCleanWebp(leaky)).rejects.toThrow();
    const exif = (await sharp(leaky).metadata()).exif;
    expect(exif).toBeDefined();
  });
});

describe("processImage: from a file, within a time limit", () => {
  it("reads the original from a file path (what processing passes) with the same result as from bytes", async () => {
    const fromFile = await processImage("tests/fixtures/photos/camera-portrait-orientation-6.jpg", { maxPixels: MAX_PIXELS });
    const fromBytes = await process100mp("camera-portrait-orientation-6.jpg");
    expect({ ...fromFile, thumbnail: undefined, large: undefined }).toEqual({ ...fromBytes, thumbnail: undefined, large: undefined });
    expect(fromFile.large.data.equals(fromBytes.large.data)).toBe(true);
  });

  it("decodes a HEIC from a file path", async () => {
    const image = await processImage("tests/fixtures/photos/photo-gps.heic", { maxPixels: MAX_PIXELS });
    expect(image).toMatchObject({ width: 1632, height: 1224 });
  }, 20_000);

  it("gives up on an image that decodes for longer than the limit when the limit is reached, not when the decode ends", async () => {
    // 25 MP of AVIF that libheif needs seconds to decode, and sharp's own timeout cannot interrupt.
    const slow = "tests/faults/fixtures/slow-avif-5000x5000.avif";
    const started = performance.now();
    await expect(processImage(slow, { maxPixels: MAX_PIXELS, timeLimit: startTimeLimit(1) })).rejects.toBeInstanceOf(ProcessingTimeoutError);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(950);
    expect(elapsed).toBeLessThan(3_000);
  }, 30_000);

  it("finishes an ordinary photo well within a limit", async () => {
    const image = await processImage("tests/fixtures/photos/camera-gps-landscape.jpg", { maxPixels: MAX_PIXELS, timeLimit: startTimeLimit(30) });
    expect(image).toMatchObject({ width: 1012, height: 759 });
  });
});
