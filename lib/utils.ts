import { clsx } from "clsx";

/** Joins class names, skipping falsy ones. Conflicting utilities are avoided by design (see components/ui/button.tsx), not merged. */
export const cn = clsx;

/**
 * Only same-site paths may be returned to after sign-in (no open redirect to another
 * origin). Resolved the way the browser will resolve it — URL parsing drops tabs and
 * newlines, reads "\\" as "/" and removes dot segments, so "/\t/evil.example" and
 * "/.//evil.example" both come out as "//evil.example" — and returned normalised, so what
 * was checked is exactly what is followed. A normalised path that starts with "//" is
 * refused: the browser would read it as another host.
 */
export function safeReturnPath(value: string | null | undefined, fallback = "/"): string {
  if (!value || !value.startsWith("/")) return fallback;
  const resolved = resolveOnSameOrigin(value);
  if (resolved === undefined || resolved.startsWith("//")) return fallback;
  // What the browser gets must read the same when it resolves it again.
  return resolveOnSameOrigin(resolved) === resolved ? resolved : fallback;
}

const SAME_ORIGIN = "http://same-origin.invalid";

function resolveOnSameOrigin(path: string): string | undefined {
  try {
    const url = new URL(path, SAME_ORIGIN);
    return url.origin === SAME_ORIGIN ? `${url.pathname}${url.search}${url.hash}` : undefined;
  } catch {
    return undefined;
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
