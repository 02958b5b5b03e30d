import { describe, expect, it } from "vitest";
import { CLIENT_IP_HEADER, clientIpFrom, readClientIp, trustedProxyHops } from "@/lib/security/client-ip";

const forwardedFor = (value: string) => new Headers({ "x-forwarded-for": value });

describe("client address for rate limits", () => {
  it("with one proxy, takes the entry it appended, whatever the client put to its left", () => {
    expect(clientIpFrom(forwardedFor("203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientIpFrom(forwardedFor("6.6.6.6, 203.0.113.7"), 1)).toBe("203.0.113.7");
    expect(clientIpFrom(forwardedFor("6.6.6.6, 7.7.7.7, 8.8.8.8, 203.0.113.7"), 1)).toBe("203.0.113.7");
  });

  it("with a CDN then nginx, takes the entry the CDN appended (second from the right)", () => {
    expect(clientIpFrom(forwardedFor("203.0.113.7, 198.51.100.20"), 2)).toBe("203.0.113.7");
    expect(clientIpFrom(forwardedFor("6.6.6.6, 203.0.113.7, 198.51.100.20"), 2)).toBe("203.0.113.7");
    expect(clientIpFrom(forwardedFor("unknown, 1.1.1.1, 203.0.113.7, 198.51.100.20"), 2)).toBe("203.0.113.7");
  });

  it("gives the shared key when the request did not pass through as many proxies as configured", () => {
    expect(clientIpFrom(forwardedFor("203.0.113.7"), 2)).toBe("unknown");
    expect(clientIpFrom(forwardedFor("6.6.6.6, 203.0.113.7"), 3)).toBe("unknown");
    expect(clientIpFrom(new Headers(), 1)).toBe("unknown");
    expect(clientIpFrom(forwardedFor(""), 1)).toBe("unknown");
    expect(clientIpFrom(forwardedFor("203.0.113.7, "), 1)).toBe("unknown");
  });

  it("with no proxy (0), trusts nothing the request says: every visitor shares one key", () => {
    expect(clientIpFrom(forwardedFor("203.0.113.7"), 0)).toBe("unknown");
    expect(clientIpFrom(new Headers({ "x-forwarded-for": "203.0.113.7", "x-real-ip": "198.51.100.2" }), 0)).toBe("unknown");
  });

  it("ignores x-real-ip, which a client can send as easily as anything else", () => {
    expect(clientIpFrom(new Headers({ "x-real-ip": "198.51.100.2" }), 1)).toBe("unknown");
    expect(clientIpFrom(new Headers({ "x-forwarded-for": "203.0.113.7", "x-real-ip": "198.51.100.2" }), 1)).toBe("203.0.113.7");
  });

  it("trims the spaces around entries, with or without them after the commas", () => {
    expect(clientIpFrom(forwardedFor("  6.6.6.6 ,203.0.113.7  "), 1)).toBe("203.0.113.7");
    expect(clientIpFrom(forwardedFor("6.6.6.6,203.0.113.7,198.51.100.20"), 2)).toBe("203.0.113.7");
  });

  it("keeps IPv6 addresses whole (their colons are not separators) and counts each by its /64", () => {
    expect(clientIpFrom(forwardedFor("2001:db8::1"), 1)).toBe("2001:db8::");
    expect(clientIpFrom(forwardedFor("::1, 2001:db8:85a3::8a2e:370:7334"), 1)).toBe("2001:db8:85a3::");
    expect(clientIpFrom(forwardedFor("6.6.6.6, ::ffff:203.0.113.7, 2001:db8::20"), 2)).toBe("203.0.113.7");
  });

  it("gives every address of one IPv6 /64 the same key, and neighbouring /64s different ones", () => {
    const sameSubscriber = ["2001:db8:aa:bb::1", "2001:0DB8:00aa:00bb:ffff:ffff:ffff:ffff", "2001:db8:aa:bb:1234:5678:9abc:def0", "2001:db8:aa:bb::"];
    const keys = new Set(sameSubscriber.map((address) => clientIpFrom(forwardedFor(address), 1)));
    expect([...keys]).toEqual(["2001:db8:aa:bb::"]);
    expect(clientIpFrom(forwardedFor("2001:db8:aa:bc::1"), 1)).toBe("2001:db8:aa:bc::");
  });

  it("counts an IPv4 address written as IPv6 as that IPv4 address", () => {
    expect(clientIpFrom(forwardedFor("::ffff:203.0.113.7"), 1)).toBe(clientIpFrom(forwardedFor("203.0.113.7"), 1));
  });

  it("keeps an entry that is not a bare address as it is", () => {
    expect(clientIpFrom(forwardedFor("203.0.113.7:4711"), 1)).toBe("203.0.113.7:4711");
  });
});

describe("TRUSTED_PROXY_HOPS as proxy.ts reads it", () => {
  it("defaults to 1 when unset or empty, as lib/env.ts does", () => {
    expect(trustedProxyHops(undefined)).toBe(1);
    expect(trustedProxyHops("")).toBe(1);
  });

  it("takes whole numbers from 0", () => {
    expect(trustedProxyHops("0")).toBe(0);
    expect(trustedProxyHops("2")).toBe(2);
  });

  it("refuses anything else, naming the variable", () => {
    for (const value of ["-1", "1.5", "one", " 1", "1e1", "0x2"]) {
      expect(() => trustedProxyHops(value), value).toThrow(/^TRUSTED_PROXY_HOPS must be a whole number ≥ 0/);
    }
  });
});

describe("the address passed on by proxy.ts", () => {
  it("is read from its header, and is the shared key when the header is missing", () => {
    expect(readClientIp(new Headers({ [CLIENT_IP_HEADER]: "203.0.113.7" }))).toBe("203.0.113.7");
    expect(readClientIp(new Headers())).toBe("unknown");
  });
});
