import { readFile } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import {
  ALLOWED_TYPES,
  describeAllowedTypes,
  extensionFor,
  isAllowedType,
} from "@/lib/images/formats";
import { matchesClaimedType, sniffImageType } from "@/lib/images/sniff";

const fixture = (name: string) => readFile(`tests/fixtures/photos/${name}`);

/** The start of an ISO-BMFF file: an ftyp box with the given brands. */
function ftyp(major: string, compatible: string[]): Buffer {
  const size = 16 + 4 * compatible.length;
  const box = Buffer.alloc(size);
  box.writeUInt32BE(size, 0);
  box.write("ftyp", 4, "latin1");
  box.write(major, 8, "latin1");
  compatible.forEach((brand, i) => box.write(brand, 16 + 4 * i, "latin1"));
  // Something after the box, like a real file's meta box.
  return Buffer.concat([box, Buffer.from([0, 0, 0, 8]), Buffer.from("meta", "latin1")]);
}

describe("formats", () => {
  it("allows exactly the seven photo types", () => {
    expect(ALLOWED_TYPES).toEqual([
      "image/jpeg",
      "image/png",
      "image/webp",
      "image/gif",
      "image/avif",
      "image/heic",
      "image/heif",
    ]);
  });

  it("never allows SVG, HTML or prototype keys", () => {
    for (const type of ["image/svg+xml", "text/html", "application/xml", "image/tiff", "constructor", "__proto__", ""]) {
      expect(isAllowedType(type), type).toBe(false);
    }
  });

  it("has an extension and a readable list for messages", () => {
    expect(extensionFor("image/jpeg")).toBe("jpg");
    expect(extensionFor("image/heif")).toBe("heif");
    expect(describeAllowedTypes()).toBe("JPEG, PNG, WebP, GIF, AVIF or HEIC");
  });
});

describe("sniffImageType on the fixtures", () => {
  const cases: Array<[string, string | undefined]> = [
    ["camera-gps-landscape.jpg", "image/jpeg"],
    ["camera-portrait-orientation-6.jpg", "image/jpeg"],
    ["photo-exif-gps.webp", "image/webp"],
    ["photo-gps.heic", "image/heic"],
    ["photo.avif", "image/avif"],
    ["transparent.png", "image/png"],
    ["animated.gif", "image/gif"],
    ["decompression-bomb-12000x12000.png", "image/png"],
    // Sniffing looks at the header only; the decoder rejects it later.
    ["truncated.jpg", "image/jpeg"],
    ["not-really.jpg", undefined],
    ["script.svg", undefined],
    ["empty.jpg", undefined],
  ];

  it.each(cases)("%s → %s", async (name, expected) => {
    expect(await sniffImageType(await fixture(name))).toBe(expected);
  });

  it("only needs the first bytes", async () => {
    const head = (await fixture("photo-gps.heic")).subarray(0, 4100);
    expect(await sniffImageType(head)).toBe("image/heic");
  });
});

describe("sniffImageType on HEIF brands", () => {
  const cases: Array<[string, string[], string | undefined]> = [
    ["heic", ["mif1", "heic"], "image/heic"],
    ["heix", ["mif1", "heix"], "image/heic"],
    ["hevc", ["msf1", "hevc"], "image/heic"],
    ["mif1", ["mif1", "heic"], "image/heic"],
    ["mif1", ["mif1", "miaf"], "image/heif"],
    ["msf1", ["msf1"], "image/heif"],
    ["avif", ["avif", "mif1", "miaf"], "image/avif"],
    ["avis", ["avis", "msf1"], "image/avif"],
    // The case file-type alone gets wrong: an AVIF with the generic major brand.
    ["mif1", ["mif1", "avif", "miaf"], "image/avif"],
    ["isom", ["isom", "mp41"], undefined],
    ["qt  ", ["qt  "], undefined],
  ];

  it.each(cases)("major %s, compatible %j → %s", async (major, compatible, expected) => {
    expect(await sniffImageType(ftyp(major, compatible))).toBe(expected);
  });
});

describe("matchesClaimedType", () => {
  it("accepts the same type, ignoring case and parameters", () => {
    expect(matchesClaimedType("image/jpeg", "image/jpeg")).toBe(true);
    expect(matchesClaimedType("image/jpeg", " IMAGE/JPEG ; charset=binary")).toBe(true);
    expect(matchesClaimedType("image/png", "image/png")).toBe(true);
  });

  it("treats HEIC and HEIF as one family", () => {
    expect(matchesClaimedType("image/heic", "image/heif")).toBe(true);
    expect(matchesClaimedType("image/heif", "image/heic")).toBe(true);
    expect(matchesClaimedType("image/heic", "image/heic-sequence")).toBe(true);
  });

  it("rejects other types, AVIF posing as HEIF, and missing values", () => {
    expect(matchesClaimedType("image/png", "image/jpeg")).toBe(false);
    expect(matchesClaimedType("image/avif", "image/heif")).toBe(false);
    expect(matchesClaimedType("image/heic", "image/avif")).toBe(false);
    expect(matchesClaimedType("image/jpeg", "text/html")).toBe(false);
    expect(matchesClaimedType(undefined, "image/jpeg")).toBe(false);
    expect(matchesClaimedType("image/jpeg", "")).toBe(false);
    expect(matchesClaimedType("image/jpeg", undefined)).toBe(false);
  });
});
