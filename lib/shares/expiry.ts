/**
 * The lifetimes a share link can be given. Browser-safe: the share panel lists
 * the same options the server accepts.
 */
const HOUR_MS = 60 * 60 * 1000;

export const SHARE_EXPIRY_OPTIONS = {
  "1h": { label: "1 hour", ms: HOUR_MS },
  "1d": { label: "1 day", ms: 24 * HOUR_MS },
  "7d": { label: "7 days", ms: 7 * 24 * HOUR_MS },
  "30d": { label: "30 days", ms: 30 * 24 * HOUR_MS },
  never: { label: "Never", ms: null },
} as const satisfies Record<string, { label: string; ms: number | null }>;

export type ShareExpiry = keyof typeof SHARE_EXPIRY_OPTIONS;

export const SHARE_EXPIRY_KEYS = Object.keys(SHARE_EXPIRY_OPTIONS) as [ShareExpiry, ...ShareExpiry[]];

export function expiryDate(expiry: ShareExpiry, now = new Date()): Date | null {
  const { ms } = SHARE_EXPIRY_OPTIONS[expiry];
  return ms === null ? null : new Date(now.getTime() + ms);
}

/** The public address of a link; appUrl is the configured APP_URL. */
export function shareUrl(appUrl: string, token: string): string {
  return `${appUrl.replace(/\/+$/, "")}/s/${token}`;
}
