import "server-only";
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from "node:crypto";
import { env } from "@/lib/env";

/**
 * The owner may copy a link again long after making it, but the database must not hold a live
 * token (a leaked dump or backup would hand out every link). So the token is kept sealed:
 * AES-256-GCM under a key derived from BETTER_AUTH_SECRET, which lives outside the database.
 * Whoever holds that secret can already forge sessions, so sealing with it exposes nothing new.
 * A copy that no longer opens (the secret was changed, or the link predates hashing) is simply
 * not shown; the link itself keeps working, since visitors are matched by the token's hash.
 */
const VERSION = "v1";
const IV_BYTES = 12;
const TAG_BYTES = 16;

let cachedKey: { secret: string; key: Buffer } | undefined;

function sealingKey(): Buffer {
  if (cachedKey?.secret !== env.BETTER_AUTH_SECRET) {
    const key = Buffer.from(hkdfSync("sha256", env.BETTER_AUTH_SECRET, "snapshelf", "share-link token copy", 32));
    cachedKey = { secret: env.BETTER_AUTH_SECRET, key };
  }
  return cachedKey.key;
}

export function sealShareToken(token: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", sealingKey(), iv);
  const sealed = Buffer.concat([cipher.update(token, "utf8"), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString("base64url")}`;
}

/** The token, or null when there is no copy or it does not open with the current secret. */
export function openShareToken(sealed: string | null): string | null {
  if (!sealed?.startsWith(`${VERSION}.`)) return null;
  const bytes = Buffer.from(sealed.slice(VERSION.length + 1), "base64url");
  if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
  try {
    const decipher = createDecipheriv("aes-256-gcm", sealingKey(), bytes.subarray(0, IV_BYTES));
    decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    return Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}
