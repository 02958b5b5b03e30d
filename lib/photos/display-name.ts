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
