/** When an S3 presigned URL stops working: X-Amz-Date + X-Amz-Expires, in ms since the epoch. */
export function s3UrlExpiry(url: string): number {
  const params = new URL(url).searchParams;
  const stamp = params.get("X-Amz-Date");
  const seconds = Number(params.get("X-Amz-Expires"));
  if (!stamp || !Number.isFinite(seconds)) throw new Error(`not an S3 presigned URL: ${url}`);
  const signedAt = Date.parse(`${stamp.slice(0, 4)}-${stamp.slice(4, 6)}-${stamp.slice(6, 8)}T${stamp.slice(9, 11)}:${stamp.slice(11, 13)}:${stamp.slice(13, 15)}Z`);
  return signedAt + seconds * 1000;
}
