// Browser-safe on purpose (no "server-only"): the gallery's client
// components turn the stored hash into a placeholder while the thumbnail loads.
import { thumbHashToDataURL as thumbHashBytesToDataURL } from "thumbhash";

/** The stored base64 ThumbHash → a tiny PNG data URL to use as a blurred placeholder. */
export function thumbHashToDataURL(hash: string): string {
  // atob, not Buffer: this runs in the browser too.
  const bytes = Uint8Array.from(atob(hash), (char) => char.charCodeAt(0));
  return thumbHashBytesToDataURL(bytes);
}
