import { describe, expect, it } from "vitest";
import { cameraName, parseExifDate, readPhotoExif } from "@/lib/images/exif";

describe("cameraName", () => {
  it.each([
    ["Google", "Pixel", "Google Pixel"],
    ["Apple", "iPhone 6", "Apple iPhone 6"],
    ["Apple", "Apple iPhone 6", "Apple iPhone 6"],
    ["Canon", "Canon EOS R5", "Canon EOS R5"],
    ["NIKON CORPORATION", "NIKON D750", "NIKON D750"],
    ["HMD Global", "Nokia 8.3 5G", "HMD Global Nokia 8.3 5G"],
    ["samsung", "SM-G991B", "samsung SM-G991B"],
    ["Google\0\0\0", "  Pixel 7\0", "Google Pixel 7"],
  ])("%j + %j → %j", (make, model, expected) => {
    expect(cameraName(make, model)).toBe(expected);
  });

  it("uses whichever half exists and ignores junk", () => {
    expect(cameraName(undefined, "DMC-GX80")).toBe("DMC-GX80");
    expect(cameraName("FUJIFILM", "   ")).toBe("FUJIFILM");
    expect(cameraName(42, ["x"])).toBeUndefined();
    expect(cameraName("", "")).toBeUndefined();
  });

  it("caps absurd lengths", () => {
    expect(cameraName("A", "x".repeat(500))?.length).toBeLessThanOrEqual(80);
  });
});

describe("parseExifDate", () => {
  it("reads the camera clock as UTC, whatever the server's zone", () => {
    expect(parseExifDate("2018:07:25 16:34:23")?.toISOString()).toBe("2018-07-25T16:34:23.000Z");
    expect(parseExifDate("2018:07:25 16:34:23.123+02:00")?.toISOString()).toBe("2018-07-25T16:34:23.000Z");
  });

  it.each([
    "0000:00:00 00:00:00",
    "    :  :     :  :  ",
    "2021:02:31 10:00:00",
    "2021:13:01 10:00:00",
    "2021:01:01 24:00:00",
    "yesterday",
    "",
  ])("refuses %j", (value) => {
    expect(parseExifDate(value)).toBeUndefined();
  });

  it("refuses non-strings", () => {
    expect(parseExifDate(undefined)).toBeUndefined();
    expect(parseExifDate(1532536463)).toBeUndefined();
    expect(parseExifDate(new Date())).toBeUndefined();
  });
});

describe("readPhotoExif", () => {
  it("never throws on missing or broken EXIF", async () => {
    expect(await readPhotoExif(undefined)).toEqual({});
    expect(await readPhotoExif(Buffer.alloc(0))).toEqual({});
    expect(await readPhotoExif(Buffer.from("Exif\0\0garbage garbage garbage", "latin1"))).toEqual({});
    expect(await readPhotoExif(Buffer.from([0x4d, 0x4d, 0x00, 0x2a, 0xff, 0xff, 0xff, 0xff]))).toEqual({});
  });
});
