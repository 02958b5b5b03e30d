import "server-only";

/**
 * The visitor's address, used only as a rate-limit key. Takes the last
 * x-forwarded-for entry: the one the proxy nearest to the app appended, which a
 * client cannot choose (entries to its left can be forged by sending the header).
 * Without a proxy `next start` fills the header from the socket only when it is
 * absent, so a direct client can still set it: run behind a proxy that sets it.
 */
export function clientIpFrom(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",").at(-1)?.trim();
  return forwarded || headers.get("x-real-ip")?.trim() || "unknown";
}
