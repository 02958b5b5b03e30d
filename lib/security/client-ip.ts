/**
 * The visitor's address, as every rate limit keys it (ours and better-auth's). proxy.ts works it
 * out once per request from X-Forwarded-For and passes it on in CLIENT_IP_HEADER; everything
 * downstream reads that header and nothing else.
 *
 * Only proxies can vouch for an address: each one appends the address it saw to the right of
 * X-Forwarded-For, and a client can put anything it likes to the left. So the trusted entry is
 * the TRUSTED_PROXY_HOPS-th from the right (docs/SECURITY.md).
 */

import ipaddr from "ipaddr.js";

/** Set by proxy.ts on every request, overwriting whatever a client sent under this name. */
export const CLIENT_IP_HEADER = "x-snapshelf-client-ip";

/** The one key shared by every visitor the app has no trustworthy address for. */
export const UNKNOWN_CLIENT = "unknown";

export const DEFAULT_TRUSTED_PROXY_HOPS = "1";
export const TRUSTED_PROXY_HOPS_PATTERN = /^\d+$/;
export const TRUSTED_PROXY_HOPS_RULE =
  "must be a whole number ≥ 0: how many proxies in front of the app append the address they saw to X-Forwarded-For (1: one, e.g. nginx; 2: a CDN, then nginx; 0: none, every visitor shares one rate-limit key)";

/**
 * TRUSTED_PROXY_HOPS as proxy.ts reads it, straight from the environment (lib/env.ts, which pulls
 * in the whole configuration, validates it at boot with the same pattern and default).
 */
export function trustedProxyHops(value: string | undefined): number {
  const hops = value || DEFAULT_TRUSTED_PROXY_HOPS;
  if (!TRUSTED_PROXY_HOPS_PATTERN.test(hops)) throw new Error(`TRUSTED_PROXY_HOPS ${TRUSTED_PROXY_HOPS_RULE}`);
  return Number(hops);
}

/**
 * The X-Forwarded-For entry `trustedHops` places from the right. With no proxy (0) there is
 * nothing to trust: `next start` fills the header from the socket only when the client sent
 * none. Fewer entries than hops means the request did not come through the proxies. Either way
 * the visitor gets the shared key, so the limits still hold, for all such visitors together.
 */
export function clientIpFrom(headers: Headers, trustedHops: number): string {
  if (trustedHops === 0) return UNKNOWN_CLIENT;
  const entries = headers.get("x-forwarded-for")?.split(",") ?? [];
  const entry = entries.at(-trustedHops)?.trim();
  return entry ? rateLimitKeyOf(entry) : UNKNOWN_CLIENT;
}

/** Bits of an IPv6 address that name one subscriber: ISPs hand each one at least a /64. */
export const IPV6_SUBSCRIBER_PREFIX = 64;

/**
 * The key one visitor's requests share. An IPv6 visitor is given a whole /64 (often far more)
 * and can pick a new address in it for every request, so IPv6 addresses count by their /64;
 * an IPv4 address written as IPv6 (::ffff:203.0.113.7) counts as that IPv4 address. An entry
 * that is not a bare address (e.g. "203.0.113.7:4711" from a proxy that adds the port) is kept
 * as it is, as before. The key of a /64 is its first address (2001:db8:aa:bb::), not CIDR
 * notation: better-auth reads the same header and takes only a valid address as a key.
 */
export function rateLimitKeyOf(address: string): string {
  // Four-part decimal only: ipaddr.js would also read "12345" or "0x7f.1" as IPv4, which no proxy writes.
  if (!ipaddr.IPv4.isValidFourPartDecimal(address) && !ipaddr.IPv6.isValid(address)) return address;
  const parsed = ipaddr.process(address);
  if (parsed.kind() === "ipv4") return parsed.toString();
  return ipaddr.IPv6.networkAddressFromCIDR(`${parsed.toString()}/${IPV6_SUBSCRIBER_PREFIX}`).toString();
}

/** The address proxy.ts worked out for this request. */
export function readClientIp(headers: Headers): string {
  return headers.get(CLIENT_IP_HEADER) || UNKNOWN_CLIENT;
}
