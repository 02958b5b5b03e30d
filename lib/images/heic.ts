import "server-only";
import convert from "heic-convert";
import { embedIccProfile } from "./png-icc";

/**
 * Decodes the primary image of an HEVC-coded HEIC into a PNG that sharp can
 * read. sharp's prebuilt libvips reads HEIC headers but ships no HEVC
 * decoder, so we use heic-convert (libheif compiled to wasm).
 *
 * Orientation: libheif applies the HEIF transforms (irot/imir) while
 * decoding, and those are what iPhones use for orientation; their EXIF
 * Orientation repeats the same rotation and must NOT be applied a second time.
 * The PNG carries no EXIF, so sharp's autoOrient leaves it alone.
 *
 * Cost: the decode runs synchronously on the JS thread (wasm) and heic-convert
 * then encodes a PNG in pure JS at deflate level 9, which takes about four
 * times as long as the decode itself. The caller should keep HEIC processing
 * off the request-serving thread.
 *
 * @param primaryIndex sharp's `metadata().pagePrimary`: the primary image's
 *   position among the top-level images, in the same order libheif lists them.
 * @param iccProfile the original's ICC profile (sharp's `metadata().icc`).
 */
export async function decodeHeicToPng(
  original: Buffer,
  primaryIndex: number,
  iccProfile: Buffer | undefined,
): Promise<Buffer> {
  const png = await decodePrimary(original, primaryIndex);
  const buffer = Buffer.from(png.buffer, png.byteOffset, png.byteLength);
  return iccProfile ? embedIccProfile(buffer, iccProfile) : buffer;
}

async function decodePrimary(original: Buffer, primaryIndex: number): Promise<Uint8Array> {
  // heic-convert's single-image call decodes the FIRST top-level image, which
  // is usually but not always the primary one. Only when it is not do we list
  // them all: heic-convert drops that list's dispose(), so its wasm memory is
  // never freed, and we keep that to the rare case.
  if (primaryIndex === 0) return convert({ buffer: original, format: "PNG" });
  const images = await convert.all({ buffer: original, format: "PNG" });
  const primary = images[primaryIndex];
  if (!primary) throw new Error(`HEIC has no top-level image #${primaryIndex}`);
  return primary.convert();
}
