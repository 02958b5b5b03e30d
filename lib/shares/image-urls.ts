import "server-only";
import { getStorage } from "@/lib/storage";

/**
 * Image URLs handed to share visitors. A link can be revoked or expire while someone has its
 * page open, and a presigned URL cannot be taken back: it must simply not live long. Signed
 * with a timestamp rounded down to 5 minutes and valid 10 minutes from it, the URL of a photo
 * is the same for everyone for 5 minutes (cacheable) and stops working at most 10 minutes after
 * the link does. (The owner's own pages keep their longer hour windows: lib/photos/queries.ts.)
 */
export const SHARE_IMAGE_URL_WINDOW_SECONDS = 5 * 60;
export const SHARE_IMAGE_URL_MAX_LIFETIME_SECONDS = 2 * SHARE_IMAGE_URL_WINDOW_SECONDS;

export function shareImageUrl(key: string, now = Date.now()): Promise<string> {
  const windowMs = SHARE_IMAGE_URL_WINDOW_SECONDS * 1000;
  return getStorage().presignGet(key, {
    expiresInSeconds: SHARE_IMAGE_URL_MAX_LIFETIME_SECONDS,
    signedAt: new Date(Math.floor(now / windowMs) * windowMs),
  });
}
