import "server-only";
import decode from "heic-decode";
import sharp from "sharp";
import { embedIccProfile } from "./png-icc";

/**
 * Decodes the primary image of an HEVC-coded HEIC into a PNG that sharp can
 * read. sharp's prebuilt libvips reads HEIC headers but ships no HEVC
 * decoder, so we use heic-decode (libheif compiled to wasm).
 *
 * Orientation: libheif applies the HEIF transforms (irot/imir) while
 * decoding, and those are what iPhones use for orientation; their EXIF
 * Orientation repeats the same rotation and must NOT be applied a second time.
 * The PNG carries no EXIF, so sharp's autoOrient leaves it alone.
 *
 * Cost: the wasm decode runs on the JS thread (about 0.1 s for 2 MP). The pixels
 * are then wrapped as an uncompressed PNG by sharp (native, off the JS thread):
 * heic-convert's pure-JS PNG encoder at deflate level 9 cost four times the decode.
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
  const { width, height, data } = await decodePrimary(original, primaryIndex);
  const png = await sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  // The PNG is only an intermediate: the profile rides along so sharp converts P3 to sRGB correctly.
  return iccProfile ? embedIccProfile(png, iccProfile) : png;
}

async function decodePrimary(original: Buffer, primaryIndex: number) {
  // The single-image call decodes the FIRST top-level image, which is usually
  // but not always the primary one; only then do we list them all.
  if (primaryIndex === 0) return decode({ buffer: original });
  const images = await decode.all({ buffer: original });
  try {
    const primary = images[primaryIndex];
    if (!primary) throw new Error(`HEIC has no top-level image #${primaryIndex}`);
    return await primary.decode();
  } finally {
    images.dispose();
  }
}
