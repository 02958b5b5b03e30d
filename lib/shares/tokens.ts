import "server-only";
import { createHash, randomBytes } from "node:crypto";

/** 256 random bits: far past the 128 a guessable-URL scheme needs, and still a short link. */
export const SHARE_TOKEN_BYTES = 32;
/** base64url of 32 bytes, without padding. */
export const SHARE_TOKEN_LENGTH = 43;

const TOKEN_SHAPE = /^[A-Za-z0-9_-]{43}$/;

export function createShareToken(): string {
  return randomBytes(SHARE_TOKEN_BYTES).toString("base64url");
}

/** Cheap shape check, so junk from a URL never reaches the database. */
export function isShareTokenShaped(value: string): boolean {
  return TOKEN_SHAPE.test(value);
}

/**
 * What the database keeps of a token: its sha256, hex. A token has 256 random bits, so a plain
 * hash is enough (no salt, no slow hash: there is nothing to guess), and the lookup stays one
 * indexed equality. The migration that introduced it computes the same value in SQL:
 * encode(sha256(convert_to(token, 'UTF8')), 'hex').
 */
export function hashShareToken(token: string): string {
  return createHash("sha256").update(token, "utf8").digest("hex");
}
