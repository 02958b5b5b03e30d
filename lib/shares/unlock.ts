import "server-only";
import { createHmac, timingSafeEqual } from "node:crypto";
import { env } from "@/lib/env";
import type { PublicShare } from "./queries";

/**
 * After the right password, the visitor's browser holds an HMAC of the token
 * (keyed with the server secret), scoped to `/s/<token>`: the page, its image and
 * its download route see it, nothing else does, and it cannot be forged without
 * the secret. The link's own state (revoked, expired) is still checked every time.
 */
export const SHARE_UNLOCK_COOKIE = "snapshelf_share_unlock";

const MAX_AGE_SECONDS = 30 * 24 * 3600;

export function shareUnlockProof(token: string): string {
  // The label keeps this MAC from ever matching one the secret signs for another purpose.
  return createHmac("sha256", env.BETTER_AUTH_SECRET).update(`share-unlock\0${token}`).digest("base64url");
}

export function isShareUnlockProofValid(token: string, value: string | undefined): boolean {
  if (!value) return false;
  const expected = Buffer.from(shareUnlockProof(token));
  const given = Buffer.from(value);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** Cookie attributes: httpOnly, lax, scoped to the link's own path, gone when the link expires. */
export function shareUnlockCookieOptions(token: string, expiresAt: Date | null, now = Date.now()) {
  const untilExpiry = expiresAt ? Math.floor((expiresAt.getTime() - now) / 1000) : MAX_AGE_SECONDS;
  return {
    httpOnly: true,
    sameSite: "lax" as const,
    secure: env.APP_URL.startsWith("https://"),
    path: `/s/${token}`,
    maxAge: Math.max(1, Math.min(MAX_AGE_SECONDS, untilExpiry)),
  };
}

/** Whether this visitor may see the photo: open links always, password links with the unlock cookie. */
export function isShareUnlocked(share: Pick<PublicShare, "token" | "hasPassword">, cookieValue: string | undefined): boolean {
  return !share.hasPassword || isShareUnlockProofValid(share.token, cookieValue);
}
