import "server-only";
import { open } from "node:fs/promises";
import sharp, { type Metadata, type Sharp } from "sharp";
import { rgbaToThumbHash } from "thumbhash";
import { ImageProcessingError } from "./errors";
import { readPhotoExif } from "./exif";
import type { AllowedType } from "./formats";
import { decodeHeicToPng } from "./heic";
import { SNIFF_BYTES, sniffImageType } from "./sniff";
import { ProcessingTimeoutError, sharpSeconds, withinTimeLimit, type TimeLimit } from "./time-limit";

export { ImageProcessingError, type ImageProcessingErrorCode } from "./errors";

// Concurrency: this module runs one image at a time per call and sets no
// global sharp options. The caller bounds how many calls run at once
// (PROCESSING_CONCURRENCY). sharp's own default of libvips threads per image
// is 1 on glibc Linux without jemalloc (our Debian machines) to limit memory
// fragmentation, so N concurrent calls use about N cores. Peak memory per call
// is up to ~4 bytes × maxPixels for images decoded whole (WebP, AVIF, rotated
// images), usually far less: JPEGs shrink while decoding, PNGs stream. HEIC
// needs several times that (wasm heap + RGBA copy + PNG), and the wasm heap
// never shrinks again, so the largest HEIC sets the process's floor.

/** Variant boxes: each fits inside, keeps its aspect ratio and is never enlarged. */
export const VARIANT_SIZES = {
  // The justified grid shows rows ~200-300 CSS px tall; 480 px serves a
  // 240 px row on 2x screens. The width allows panoramas up to 3:1 at full
  // height; wider ones come out less tall, which the grid tolerates.
  thumbnail: { width: 1440, height: 480, quality: 75 },
  // The lightbox: fills a 1024 CSS px viewport on 2x screens; more only
  // costs storage and bandwidth (originals stay available for download).
  large: { width: 2048, height: 2048, quality: 82 },
} as const;

// libwebp effort 2 instead of sharp's default 4: measured on our fixtures it
// encodes 30-45% faster for files only 2-4% larger.
const WEBP_EFFORT = 2;

/** ThumbHash works on at most 100×100 px. */
const THUMBHASH_SIZE = 100;

// Abort on decode errors (truncation included) but not on warnings: phones
// and editors produce files with harmless warnings (extra bytes after the
// GIF trailer in our fixture, "extraneous bytes before marker" in JPEGs).
const FAIL_ON = "error" as const;

/** What sharp's metadata calls each allowed type: the sniff and the decoder must agree. */
const SHARP_FORMAT: Record<AllowedType, Metadata["format"]> = {
  "image/jpeg": "jpeg",
  "image/png": "png",
  "image/webp": "webp",
  "image/gif": "gif",
  "image/avif": "heif",
  "image/heic": "heif",
  "image/heif": "heif",
};

export interface ImageVariant {
  data: Buffer;
  width: number;
  height: number;
}

export interface ProcessedImage {
  /** As displayed, i.e. after EXIF orientation. */
  width: number;
  height: number;
  /** WebP, no metadata at all, sRGB. */
  thumbnail: ImageVariant;
  /** WebP, no metadata at all, sRGB. */
  large: ImageVariant;
  /** ThumbHash bytes, base64. */
  thumbhash: string;
  /** Camera clock time stored as if UTC; see PhotoExif. */
  takenAt?: Date;
  camera?: string;
}

/**
 * Turns an uploaded original into the stored variants and the facts the
 * gallery needs. The caller reads and writes storage: processing passes the
 * path of a temporary file, so the original is never held whole in memory
 * (sharp streams from the file; only the HEIC decoder reads it whole, in its
 * own worker). Bytes work too.
 *
 * Refuses images above `maxPixels` from the header alone, before any pixel is
 * decoded (a 17 KB PNG can declare 144 MP). Animated GIF/WebP: only the first
 * frame is used, on purpose: the variants are stills and the original keeps
 * the animation.
 *
 * With a `timeLimit`, every step is raced against it and each sharp pipeline
 * gets sharp's own timeout for what is left.
 *
 * @throws ImageProcessingError with code too_many_pixels, unsupported or corrupt.
 * @throws ProcessingTimeoutError when the time limit is reached.
 */
export async function processImage(
  original: string | Buffer,
  opts: { maxPixels: number; timeLimit?: TimeLimit },
): Promise<ProcessedImage> {
  const { timeLimit } = opts;
  const step = <T>(work: Promise<T>) => (timeLimit ? withinTimeLimit(timeLimit, work) : work);
  const limited = (pipeline: Sharp) => (timeLimit ? pipeline.timeout({ seconds: sharpSeconds(timeLimit) }) : pipeline);

  const header = await step(readHeader(original, opts.maxPixels));
  const source = needsHeicDecoder(header) ? await step(decodeHeic(original, header, timeLimit?.signal)) : original;
  // For a HEIC the decoded PNG is the truth (libheif has applied its transforms).
  const displayed = source === original ? header.autoOrient : (await step(sharp(source).metadata())).autoOrient;

  const base = await step(renderBase(source, header, opts.maxPixels, limited));
  const large = await step(encodeVariant(base, VARIANT_SIZES.large, limited));
  const thumbnail = await step(encodeVariant(base, VARIANT_SIZES.thumbnail, limited));
  const thumbhash = await step(computeThumbHash(base));
  const exif = await readPhotoExif(header.exif);

  return {
    width: displayed.width,
    height: displayed.height,
    thumbnail,
    large,
    thumbhash,
    ...exif,
  };
}

/** Sniffed type, header facts and the pixel limit, all without decoding. */
async function readHeader(original: string | Buffer, maxPixels: number): Promise<Metadata> {
  // Sniff first so that sharp never parses an SVG (or anything else it could
  // read but we do not accept) at all.
  const type = await sniffImageType(await readHead(original));
  if (!type) throw ImageProcessingError.unsupported();

  let metadata: Metadata;
  try {
    metadata = await sharp(original).metadata();
  } catch (error) {
    throw ImageProcessingError.corrupt(error);
  }
  if (metadata.format !== SHARP_FORMAT[type]) throw ImageProcessingError.unsupported();

  const { width, height } = metadata;
  if (!(width > 0 && height > 0)) throw ImageProcessingError.corrupt();
  if (width * height > maxPixels) throw ImageProcessingError.tooManyPixels(width, height, maxPixels);
  return metadata;
}

/** The first SNIFF_BYTES of the original: all the sniff needs, however large the file. */
async function readHead(original: string | Buffer): Promise<Buffer> {
  if (typeof original !== "string") return original.subarray(0, SNIFF_BYTES);
  const file = await open(original, "r");
  try {
    const head = Buffer.alloc(SNIFF_BYTES);
    const { bytesRead } = await file.read(head, 0, SNIFF_BYTES, 0);
    return head.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

function needsHeicDecoder(header: Metadata): boolean {
  return header.format === "heif" && header.compression === "hevc";
}

async function decodeHeic(original: string | Buffer, header: Metadata, signal: AbortSignal | undefined): Promise<Buffer> {
  try {
    return await decodeHeicToPng(original, header.pagePrimary ?? 0, header.icc, signal);
  } catch (error) {
    // A worker that died (e.g. out of memory) means the file cannot be read; a time-out is not that.
    if (error instanceof ProcessingTimeoutError) throw error;
    throw ImageProcessingError.corrupt(error);
  }
}

type Limited = (pipeline: Sharp) => Sharp;

interface BaseRender {
  data: Buffer;
  width: number;
  height: number;
  channels: 1 | 2 | 3 | 4;
}

/**
 * Decodes once, oriented, in sRGB, at the large variant's size, into raw
 * pixels that every output is made from. This is the step that reads every
 * byte of the file, so a truncated or broken file fails here.
 */
async function renderBase(source: string | Buffer, header: Metadata, maxPixels: number, limited: Limited): Promise<BaseRender> {
  const { width, height } = VARIANT_SIZES.large;
  let pipeline = sharp(source, { limitInputPixels: maxPixels, failOn: FAIL_ON, autoOrient: true })
    .resize(width, height, { fit: "inside", withoutEnlargement: true })
    // sharp converts with the embedded ICC profile when there is one.
    .toColourspace("srgb");
  // The HEIC decoder always hands back RGBA; an opaque photo stays opaque.
  if (!header.hasAlpha) pipeline = pipeline.removeAlpha();

  try {
    const { data, info } = await limited(pipeline).raw({ depth: "uchar" }).toBuffer({ resolveWithObject: true });
    return { data, width: info.width, height: info.height, channels: info.channels };
  } catch (error) {
    throw toProcessingError(error);
  }
}

async function encodeVariant(
  base: BaseRender,
  size: { width: number; height: number; quality: number },
  limited: Limited,
): Promise<ImageVariant> {
  // No withMetadata/keepExif: sharp writes no EXIF, XMP or ICC, so GPS and
  // everything else from the camera stays in the original only.
  const { data, info } = await limited(fromBase(base))
    .resize(size.width, size.height, { fit: "inside", withoutEnlargement: true })
    .webp({ quality: size.quality, effort: WEBP_EFFORT })
    .toBuffer({ resolveWithObject: true });
  return { data, width: info.width, height: info.height };
}

async function computeThumbHash(base: BaseRender): Promise<string> {
  const { data, info } = await fromBase(base)
    .resize(THUMBHASH_SIZE, THUMBHASH_SIZE, { fit: "inside", withoutEnlargement: true })
    .ensureAlpha()
    .raw()
    .toBuffer({ resolveWithObject: true });
  return Buffer.from(rgbaToThumbHash(info.width, info.height, data)).toString("base64");
}

function fromBase(base: BaseRender): Sharp {
  return sharp(base.data, {
    raw: { width: base.width, height: base.height, channels: base.channels },
  });
}

function toProcessingError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  // sharp's own timeout (set from the time limit): "timeout: 27% complete".
  if (/^timeout: \d+% complete/m.test(message)) return new ProcessingTimeoutError({ cause: error });
  if (/pixel limit/i.test(message)) {
    // Only reachable if the decoded size disagrees with the header we checked.
    return new ImageProcessingError("too_many_pixels", "This image has too many pixels.", { cause: error });
  }
  if (/unsupported image format|no decoding plugin/i.test(message)) {
    return ImageProcessingError.unsupported(error);
  }
  return ImageProcessingError.corrupt(error);
}
