import "server-only";

/**
 * The visitor's address, for rate-limit keys only. Taken from the proxy headers
 * (`next start` and every common reverse proxy set x-forwarded-for); a direct
 * client could forge them, so deployments should put a proxy in front that
 * overwrites rather than appends. Never used for anything but counting.
 */
export function clientIpFrom(headers: Headers): string {
  const forwarded = headers.get("x-forwarded-for")?.split(",")[0]?.trim();
  return forwarded || headers.get("x-real-ip")?.trim() || "unknown";
}
