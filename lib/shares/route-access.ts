import "server-only";
import type { NextRequest } from "next/server";
import { isAppError } from "@/lib/errors";
import { consumeOrThrow } from "@/lib/rate-limit";
import { readClientIp } from "@/lib/security/client-ip";
import { getPublicShare, type PublicShare } from "./queries";
import { isShareUnlocked, SHARE_UNLOCK_COOKIE } from "./unlock";

/** Every response about a share stays out of search engines, and never leaks its URL (the token) onward. */
export const SHARE_RESPONSE_HEADERS = { "X-Robots-Tag": "noindex, nofollow", "Referrer-Policy": "no-referrer" } as const;

function plain(status: number, text: string) {
  return new Response(text, { status, headers: { ...SHARE_RESPONSE_HEADERS, "Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-store" } });
}

/**
 * The checks the share's route handlers (og:image, download) run before they
 * redirect to storage: the view rate limit, the link being live, and the password
 * cookie. Unknown, revoked, expired and locked all answer the same 404.
 */
export async function authorizeShareRequest(request: NextRequest, token: string): Promise<{ share: PublicShare } | { response: Response }>;
/** The same checks for another kind of share (an album link), loaded by `load`. */
export async function authorizeShareRequest<S extends Pick<PublicShare, "token" | "hasPassword">>(
  request: NextRequest,
  token: string,
  load: (token: string) => Promise<S | undefined>,
): Promise<{ share: S } | { response: Response }>;
export async function authorizeShareRequest(
  request: NextRequest,
  token: string,
  load: (token: string) => Promise<Pick<PublicShare, "token" | "hasPassword"> | undefined> = getPublicShare,
): Promise<{ share: Pick<PublicShare, "token" | "hasPassword"> } | { response: Response }> {
  try {
    await consumeOrThrow("shareView", readClientIp(request.headers));
  } catch (error) {
    if (isAppError(error) && error.code === "rate_limited") return { response: plain(429, error.message) };
    throw error;
  }
  const share = await load(token);
  if (!share || !isShareUnlocked(share, request.cookies.get(SHARE_UNLOCK_COOKIE)?.value)) {
    return { response: plain(404, "This link doesn't exist or has expired.") };
  }
  return { share };
}

export function redirectToStorage(url: string, cacheControl: string): Response {
  return new Response(null, { status: 302, headers: { ...SHARE_RESPONSE_HEADERS, Location: url, "Cache-Control": cacheControl } });
}
