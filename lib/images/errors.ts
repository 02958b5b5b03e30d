import "server-only";
import { describeAllowedTypes } from "./formats";

export type ImageProcessingErrorCode = "too_many_pixels" | "unsupported" | "corrupt";

/**
 * Why an upload cannot become a photo. The message is written for the person
 * who uploaded it and can be shown as is; `code` is for the program (all three
 * are the uploader's fault, i.e. a 4xx, never a 500).
 */
export class ImageProcessingError extends Error {
  override readonly name = "ImageProcessingError";

  constructor(
    readonly code: ImageProcessingErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }

  static tooManyPixels(width: number, height: number, maxPixels: number): ImageProcessingError {
    return new ImageProcessingError(
      "too_many_pixels",
      `This image is ${width}×${height} (${megapixels(width * height)}); the limit is ${megapixels(maxPixels)}.`,
    );
  }

  static unsupported(cause?: unknown): ImageProcessingError {
    return new ImageProcessingError(
      "unsupported",
      `This file is not an image we can use. Please upload a ${describeAllowedTypes()} photo.`,
      { cause },
    );
  }

  static corrupt(cause?: unknown): ImageProcessingError {
    return new ImageProcessingError(
      "corrupt",
      "The file is damaged or incomplete and cannot be read.",
      { cause },
    );
  }
}

export function isImageProcessingError(error: unknown): error is ImageProcessingError {
  return error instanceof ImageProcessingError;
}

/** 144000000 → "144 MP", 12192768 → "12.2 MP", 100000000 → "100 MP". */
function megapixels(pixels: number): string {
  const mp = pixels / 1_000_000;
  const rounded = mp >= 10 ? Math.round(mp) : Math.round(mp * 10) / 10;
  return `${rounded} MP`;
}
