/**
 * A share visitor's image URL must stop working soon after the link does: a presigned URL
 * cannot be revoked, so it may only live a short while. Checked against the embedded S3
 * (s3rver enforces X-Amz-Expires): whenever a share page is rendered, its image URL expires
 * within 10 minutes, and one issued 10 minutes ago is refused.
 */
import { randomUUID } from "node:crypto";
import { describe, expect, it } from "vitest";
import { shareImageUrl, SHARE_IMAGE_URL_MAX_LIFETIME_SECONDS, SHARE_IMAGE_URL_WINDOW_SECONDS } from "@/lib/shares/image-urls";
import { getStorage } from "@/lib/storage";
import { s3UrlExpiry } from "./support/presigned";

describe("share image URLs", () => {
  it("expire within 10 minutes of being handed out, whenever in the signing window that is, and stay usable for 5", async () => {
    expect(SHARE_IMAGE_URL_MAX_LIFETIME_SECONDS).toBeLessThanOrEqual(600);
    const start = Date.UTC(2026, 11, 3, 12, 0, 0);
    for (let offset = 0; offset < 2 * SHARE_IMAGE_URL_WINDOW_SECONDS; offset += 7) {
      const now = start + offset * 1000;
      const left = (s3UrlExpiry(await shareImageUrl("users/a/b/large.webp", now)) - now) / 1000;
      expect(left, `${offset} s into the window`).toBeLessThanOrEqual(600);
      expect(left, `${offset} s into the window`).toBeGreaterThan(SHARE_IMAGE_URL_WINDOW_SECONDS);
    }
  });

  it("are the same for every visitor within a window (cacheable), and a new one after it", async () => {
    const now = Date.UTC(2026, 11, 3, 12, 0, 10);
    expect(await shareImageUrl("users/a/b/large.webp", now)).toBe(await shareImageUrl("users/a/b/large.webp", now + 60_000));
    expect(await shareImageUrl("users/a/b/large.webp", now)).not.toBe(await shareImageUrl("users/a/b/large.webp", now + SHARE_IMAGE_URL_WINDOW_SECONDS * 1000));
  });

  it("stop working at storage once their 10 minutes are over", async () => {
    const storage = getStorage();
    const key = `users/${randomUUID()}/${randomUUID()}/large.webp`;
    const body = Buffer.from("RIFF....WEBPVP8 ");
    await storage.put(key, body, { contentType: "image/webp" });
    try {
      expect((await fetch(await shareImageUrl(key))).status).toBe(200);
      const handedOutEarlier = Date.now() - (SHARE_IMAGE_URL_MAX_LIFETIME_SECONDS + SHARE_IMAGE_URL_WINDOW_SECONDS) * 1000;
      expect((await fetch(await shareImageUrl(key, handedOutEarlier))).status).toBe(403);
    } finally {
      await storage.delete(key);
    }
  });
});
