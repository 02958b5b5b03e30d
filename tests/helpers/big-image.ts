/**
 * A valid image of a chosen size, for uploads that must go multipart. Random
 * pixels stored in a PNG without compression: the file is as large as its raw
 * pixels (plus a filter byte per row), decodes like any photo, and is built in
 * well under a second.
 */
import { randomBytes } from "node:crypto";
import sharp from "sharp";

const WIDTH = 4000;
const CHANNELS = 3;

/** A PNG of about `targetBytes` (a little more: row filter bytes and chunk headers). */
export async function noisyPng(targetBytes: number): Promise<{ bytes: Buffer; width: number; height: number }> {
  const height = Math.ceil(targetBytes / (WIDTH * CHANNELS));
  const pixels = randomBytes(WIDTH * height * CHANNELS);
  const bytes = await sharp(pixels, { raw: { width: WIDTH, height, channels: CHANNELS } })
    .png({ compressionLevel: 0, adaptiveFiltering: false })
    .toBuffer();
  return { bytes, width: WIDTH, height };
}
