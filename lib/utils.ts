import { clsx } from "clsx";

/** Joins class names, skipping falsy ones. Conflicting utilities are avoided by design (see components/ui/button.tsx), not merged. */
export const cn = clsx;

/**
 * Only same-site paths may be returned to after sign-in (no open redirect to another
 * origin). Resolved the way the browser will resolve it — URL parsing drops tabs and
 * newlines and reads "\\" as "/", so "/\t/evil.example" means "//evil.example" — and
 * returned normalised, so what was checked is exactly what is followed.
 */
export function safeReturnPath(value: string | null | undefined, fallback = "/"): string {
  if (!value || !value.startsWith("/")) return fallback;
  const base = "http://same-origin.invalid";
  try {
    const url = new URL(value, base);
    return url.origin === base ? `${url.pathname}${url.search}${url.hash}` : fallback;
  } catch {
    return fallback;
  }
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}
