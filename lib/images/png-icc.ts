import "server-only";
import { crc32, deflateSync } from "node:zlib";

const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
const IHDR_CHUNK_LENGTH = 4 + 4 + 13 + 4; // length, type, data, CRC

/**
 * Tags a PNG with an ICC profile by inserting an iCCP chunk after IHDR.
 *
 * Why: our HEIC decoder hands back untagged RGB, but an iPhone photo is
 * Display P3. sharp has no way to assign a profile to an input, and treating
 * P3 values as sRGB makes every HEIC look washed out; with the profile in the
 * PNG, sharp converts to sRGB like it does for any tagged JPEG.
 *
 * Expects a PNG without iCCP/sRGB chunks (what sharp writes from raw pixels).
 */
export function embedIccProfile(png: Buffer, profile: Buffer): Buffer {
  const ihdrEnd = PNG_SIGNATURE.length + IHDR_CHUNK_LENGTH;
  if (
    png.length < ihdrEnd ||
    !png.subarray(0, PNG_SIGNATURE.length).equals(PNG_SIGNATURE) ||
    png.toString("latin1", 12, 16) !== "IHDR"
  ) {
    throw new Error("embedIccProfile: not a PNG starting with IHDR");
  }

  // iCCP data: profile name, NUL, compression method 0 (zlib), compressed profile.
  const data = Buffer.concat([Buffer.from("icc\0", "latin1"), Buffer.from([0]), deflateSync(profile)]);
  const typeAndData = Buffer.concat([Buffer.from("iCCP", "latin1"), data]);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(data.length);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(typeAndData));

  return Buffer.concat([png.subarray(0, ihdrEnd), length, typeAndData, crc, png.subarray(ihdrEnd)]);
}
