import "server-only";
import { fileTypeFromBuffer } from "file-type";
import { isAllowedType, type AllowedType } from "./formats";

/** file-type's recommended sample: enough for every format we accept. */
export const SNIFF_BYTES = 4100;

// file-type decides ISO-BMFF files (HEIC, HEIF, AVIF) by the major brand only,
// so an AVIF whose major brand is the generic "mif1" would come back as HEIF.
// We look at the compatible brands too. The codec brands win over the generic
// container brands (mif1 = still image, msf1 = image sequence).
const AVIF_BRANDS = new Set(["avif", "avis"]);
const HEIC_BRANDS = new Set(["heic", "heix", "hevc", "hevx", "heim", "heis"]);
const HEIF_BRANDS = new Set(["mif1", "msf1"]);
const ISO_BMFF_IMAGE_MIMES = new Set([
  "image/avif",
  "image/heic",
  "image/heic-sequence",
  "image/heif",
  "image/heif-sequence",
]);

/**
 * The type the bytes really are, if it is one we accept. Pass the first
 * SNIFF_BYTES of the object (more is fine, it is cut). Never trusts names or
 * claimed types; SVG, HTML, empty input and anything unknown give undefined.
 */
export async function sniffImageType(firstBytes: Buffer): Promise<AllowedType | undefined> {
  const head = firstBytes.subarray(0, SNIFF_BYTES);
  if (head.length === 0) return undefined;

  const detected = await fileTypeFromBuffer(head);
  if (!detected) return undefined;
  if (ISO_BMFF_IMAGE_MIMES.has(detected.mime)) return isoBmffImageType(head);
  return isAllowedType(detected.mime) ? detected.mime : undefined;
}

function isoBmffImageType(head: Buffer): AllowedType | undefined {
  const brands = ftypBrands(head);
  const [major] = brands;
  if (major !== undefined && AVIF_BRANDS.has(major)) return "image/avif";
  if (major !== undefined && HEIC_BRANDS.has(major)) return "image/heic";
  if (brands.some((brand) => AVIF_BRANDS.has(brand))) return "image/avif";
  if (brands.some((brand) => HEIC_BRANDS.has(brand))) return "image/heic";
  if (brands.some((brand) => HEIF_BRANDS.has(brand))) return "image/heif";
  return undefined;
}

/** Major brand first, then the compatible brands, from the leading ftyp box. */
function ftypBrands(head: Buffer): string[] {
  if (head.length < 16 || head.toString("latin1", 4, 8) !== "ftyp") return [];
  // A box size smaller than its header is malformed; one beyond our sample is
  // cut to what we have (the brands we need come first anyway).
  const boxSize = head.readUInt32BE(0);
  const end = Math.min(boxSize < 16 ? 16 : boxSize, head.length);
  const brands = [head.toString("latin1", 8, 12)];
  for (let offset = 16; offset + 4 <= end; offset += 4) {
    brands.push(head.toString("latin1", offset, offset + 4));
  }
  return brands.map((brand) => brand.replace(/\0/g, " ").trim());
}

// Browsers and phones label the same HEIF container either way (and some
// send the -sequence variants for single photos), so they are one family.
const FAMILY: Record<string, string> = {
  "image/heic": "heif",
  "image/heif": "heif",
  "image/heic-sequence": "heif",
  "image/heif-sequence": "heif",
};

/**
 * Whether the type the client claimed (e.g. the upload's Content-Type) agrees
 * with what the bytes are. Parameters and case in the claim are ignored.
 */
export function matchesClaimedType(
  sniffed: AllowedType | undefined,
  claimed: string | null | undefined,
): boolean {
  if (sniffed === undefined || !claimed) return false;
  const normalized = claimed.split(";")[0]?.trim().toLowerCase() ?? "";
  if (normalized === sniffed) return true;
  const family = FAMILY[sniffed];
  return family !== undefined && FAMILY[normalized] === family;
}
