/** How a multipart upload is cut: used when it starts, when parts are signed and when it resumes. */

const MiB = 1024 * 1024;

/**
 * Parts grow with the file (from `minPartBytes` up, in whole MiB) so that no file needs more than this
 * many: the browser then signs a big file's parts in a few calls, and the app server's share of a 1 GB
 * upload stays a few requests whatever the size.
 */
export const MAX_PARTS = 64;

export function partSizeFor(size: number, minPartBytes: number): number {
  return Math.max(minPartBytes, Math.ceil(size / MAX_PARTS / MiB) * MiB);
}

export function partCountFor(size: number, minPartBytes: number): number {
  return Math.ceil(size / partSizeFor(size, minPartBytes));
}

/** The exact length of one part (the last is usually shorter): it is signed into the part's URL. */
export function partLength(size: number, minPartBytes: number, partNumber: number): number {
  const partSize = partSizeFor(size, minPartBytes);
  return Math.min(partSize, size - (partNumber - 1) * partSize);
}
