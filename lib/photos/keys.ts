/**
 * Object keys are built from ids only: unique by construction, and a client's
 * file name (which may be "../../etc/passwd.jpg") never becomes part of a path.
 */
export type VariantName = "thumb" | "large";

/** Every key the app writes starts with this (the sweeper lists it whole). */
export const KEY_ROOT = "users/";
export const userPrefix = (ownerId: string) => `${KEY_ROOT}${ownerId}/`;
export const photoPrefix = (ownerId: string, photoId: string) => `${userPrefix(ownerId)}${photoId}/`;
/**
 * Where the browser's signed PUT (or multipart upload) lands. Once verified, it is copied
 * server-side to `originalKey`, a key no client ever held a URL for, so no URL handed out
 * can change the bytes that were checked.
 */
export const uploadKey = (ownerId: string, photoId: string) => `${photoPrefix(ownerId, photoId)}upload`;
export const originalKey = (ownerId: string, photoId: string) => `${photoPrefix(ownerId, photoId)}original`;
export const variantKey = (ownerId: string, photoId: string, variant: VariantName) => `${photoPrefix(ownerId, photoId)}${variant}.webp`;

/** Parses a key we built back into its ids; undefined for anything else (e.g. a stray object). */
export function parseKey(key: string): { ownerId: string; photoId: string; object: string } | undefined {
  const match = /^users\/([^/]+)\/([^/]+)\/(upload|original|thumb\.webp|large\.webp)$/.exec(key);
  if (!match) return undefined;
  return { ownerId: match[1]!, photoId: match[2]!, object: match[3]! };
}
