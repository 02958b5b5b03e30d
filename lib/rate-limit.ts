import "server-only";
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * Our own limits (better-auth limits sign-in and sign-up per address itself). Counters live in
 * PostgreSQL so they hold across every app instance.
 */
function limiter(keyPrefix: string, points: number, durationSeconds: number) {
  return new RateLimiterPrisma({ storeClient: db, tableName: "rateLimiterFlexible", keyPrefix, points, duration: durationSeconds });
}

/** An address may try the passwords of this many links' worth of guesses in 15 minutes, all links together. */
export const SHARE_UNLOCK_LINKS_PER_ADDRESS = 3;
/** An account takes this many minutes' worth of one address's sign-ins in 15 minutes, from all addresses together. */
export const SIGN_IN_ACCOUNT_FACTOR = 3;
/** A link takes this many addresses' worth of guesses in 15 minutes before it refuses everyone. */
export const SHARE_PASSWORD_LINK_CAP_FACTOR = 10;

const limiters = {
  presign: limiter("presign", env.PRESIGN_RATE_LIMIT_PER_MINUTE, 60),
  // Share passwords (lib/shares/unlock-attempt.ts). Every attempt from one address, whatever the link,
  // is counted first: random tokens must not each bring a fresh budget.
  shareUnlockPerAddress: limiter("share-unlock-address", env.SHARE_PASSWORD_ATTEMPTS_PER_15_MIN * SHARE_UNLOCK_LINKS_PER_ADDRESS, 15 * 60),
  // Then, for a live link with a password, guesses per link and address (one visitor's share of a link)…
  sharePassword: limiter("share-password", env.SHARE_PASSWORD_ATTEMPTS_PER_15_MIN, 15 * 60),
  // …and per link from all addresses, a cap one visitor alone can never reach.
  sharePasswordPerLink: limiter("share-password-link", env.SHARE_PASSWORD_ATTEMPTS_PER_15_MIN * SHARE_PASSWORD_LINK_CAP_FACTOR, 15 * 60),
  shareView: limiter("share-view", env.SHARE_VIEWS_PER_MINUTE, 60),
  // Sign-ins per account from all addresses (lib/auth/auth.ts), after better-auth's per-address limit:
  // guesses spread over many addresses still add up. Someone can keep an account's sign-in refused
  // this way, for 15 minutes at a time; the price of capping guesses at all (docs/SECURITY.md).
  signInPerAccount: limiter("sign-in-account", env.SIGN_IN_RATE_LIMIT_PER_MINUTE * SIGN_IN_ACCOUNT_FACTOR, 15 * 60),
};

export type LimitName = keyof typeof limiters;

/** Spends `points`; when the budget is used up, says in how many ms it refills. */
export async function consume(name: LimitName, key: string, points = 1): Promise<{ ok: true } | { ok: false; retryAfterMs: number }> {
  try {
    await limiters[name].consume(key, points);
    return { ok: true };
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) return { ok: false, retryAfterMs: rejection.msBeforeNext };
    throw rejection;
  }
}

/** Spends `points`; throws a rate_limited AppError that says when to try again. */
export async function consumeOrThrow(name: LimitName, key: string, points = 1): Promise<void> {
  const result = await consume(name, key, points);
  if (!result.ok) {
    const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
    throw new AppError("rate_limited", `Too many requests. Please try again in ${seconds} s.`, { retryAfterMs: result.retryAfterMs });
  }
}
