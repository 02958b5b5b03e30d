import "server-only";
import { randomBytes } from "node:crypto";

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
