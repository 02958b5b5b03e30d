import { ALLOWED_IMAGE_TYPES, isAllowedType } from "@/lib/images/formats";

/**
 * The name shown for a photo, made from the client's file name. It is only ever
 * displayed (escaped by React) and used in a download's Content-Disposition,
 * never as a storage key or a path.
 */
export const DISPLAY_NAME_MAX = 200;

export function sanitizeDisplayName(raw: string): string {
  const lastSegment = raw.split(/[/\\]/).pop() ?? "";
  const cleaned = lastSegment
    .normalize("NFC")
    // Control characters (including NUL) and bidi overrides that could disguise an extension.
    .replace(/[\p{Cc}\p{Cf}]/gu, "")
    .replace(/\s+/g, " ")
    .trim()
    .replace(/^\.+/, "");
  if (!cleaned) return "photo";
  if (cleaned.length <= DISPLAY_NAME_MAX) return cleaned;
  // Keep the extension visible when shortening.
  const dot = cleaned.lastIndexOf(".");
  const extension = dot > 0 && cleaned.length - dot <= 10 ? cleaned.slice(dot) : "";
  return `${cleaned.slice(0, DISPLAY_NAME_MAX - extension.length - 1)}…${extension}`;
}

/**
 * The name a download is saved under: the shown name, ending in the extension of what
 * the file really is (its type was checked against its bytes at upload). A name like
 * "cute.gif.html" or "invoice.exe" could otherwise be saved, and later opened, as a
 * web page or a program.
 */
export function downloadNameFor(displayName: string, contentType: string): string {
  const extensions: readonly string[] = isAllowedType(contentType) ? ALLOWED_IMAGE_TYPES[contentType].extensions : [];
  const current = /\.([^.]+)$/.exec(displayName)?.[1]?.toLowerCase();
  if (extensions.length === 0 || (current && extensions.includes(current))) return displayName;
  return `${displayName}.${extensions[0]}`;
}
