import "server-only";
import { parse } from "exifr";

export interface PhotoExif {
  /**
   * When the photo was taken, as the camera's clock showed it, stored as if it
   * were UTC (format it with `timeZone: "UTC"`). Most cameras record no time
   * zone, and a gallery shows "the time on the photo", not the server's idea
   * of it, so we never convert with the server's local zone.
   */
  takenAt?: Date;
  /** "Make Model" without the repeated maker: "Apple iPhone 6", "Canon EOS R5". */
  camera?: string;
}

// Untrusted strings end up in the UI; nobody needs a longer camera name.
const MAX_CAMERA_LENGTH = 80;
// sharp hands JPEG EXIF over with the APP1 "Exif\0\0" header still attached,
// which exifr does not recognise as a bare TIFF block.
const APP1_EXIF_HEADER = Buffer.from("Exif\0\0", "latin1");

/**
 * Reads capture time and camera from a raw EXIF block (sharp's
 * `metadata().exif`, which sharp extracts from JPEG, PNG, WebP, HEIC and AVIF
 * alike; exifr itself cannot open WebP and failed on our HEIC fixture).
 * Never throws: phones write messy EXIF, and a photo without a date is still
 * a photo.
 */
export async function readPhotoExif(exif: Buffer | undefined): Promise<PhotoExif> {
  if (!exif || exif.length === 0) return {};
  const tiff = exif.subarray(0, APP1_EXIF_HEADER.length).equals(APP1_EXIF_HEADER)
    ? exif.subarray(APP1_EXIF_HEADER.length)
    : exif;

  let tags: Record<string, unknown> | undefined;
  try {
    tags = await parse(tiff, {
      pick: ["Make", "Model", "DateTimeOriginal", "CreateDate"],
      // Raw strings: exifr's own Date revival uses the server's time zone.
      reviveValues: false,
      translateValues: false,
    });
  } catch {
    return {};
  }
  if (!tags) return {};

  const takenAt = parseExifDate(tags.DateTimeOriginal) ?? parseExifDate(tags.CreateDate);
  const camera = cameraName(tags.Make, tags.Model);
  return {
    ...(takenAt ? { takenAt } : {}),
    ...(camera ? { camera } : {}),
  };
}

const EXIF_DATE = /^(\d{4}):(\d{2}):(\d{2})[ T](\d{2}):(\d{2}):(\d{2})/;

/** "2018:07:25 16:34:23" → 2018-07-25T16:34:23Z; blanks, zeros and junk → undefined. */
export function parseExifDate(value: unknown): Date | undefined {
  if (typeof value !== "string") return undefined;
  const match = EXIF_DATE.exec(value.trim());
  if (!match) return undefined;
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [
    number, number, number, number, number, number,
  ];
  if (year < 1800 || month < 1 || month > 12 || day < 1 || hour > 23 || minute > 59 || second > 59) {
    return undefined;
  }
  const date = new Date(Date.UTC(year, month - 1, day, hour, minute, second));
  // Date.UTC rolls 2021-02-31 over into March; a rolled date is a bad date.
  return date.getUTCDate() === day ? date : undefined;
}

/** Joins maker and model, dropping the maker when the model already starts with it. */
export function cameraName(make: unknown, model: unknown): string | undefined {
  const cleanMake = cleanString(make);
  const cleanModel = cleanString(model);
  if (!cleanMake || !cleanModel) return truncate(cleanModel ?? cleanMake);

  // Compare the first word: "NIKON CORPORATION" + "NIKON D750" → "NIKON D750".
  const makeWord = cleanMake.split(" ")[0]?.toLowerCase() ?? "";
  const modelWord = cleanModel.split(" ")[0]?.toLowerCase() ?? "";
  return truncate(makeWord === modelWord ? cleanModel : `${cleanMake} ${cleanModel}`);
}

function cleanString(value: unknown): string | undefined {
  if (typeof value !== "string") return undefined;
  // EXIF strings are NUL-padded fixed fields; control characters have no place in a label.
  const cleaned = value.replace(/[\u0000-\u001f\u007f]/g, " ").replace(/\s+/g, " ").trim();
  return cleaned === "" ? undefined : cleaned;
}

function truncate(value: string | undefined): string | undefined {
  return value === undefined ? undefined : value.slice(0, MAX_CAMERA_LENGTH).trim();
}
