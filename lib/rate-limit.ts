import "server-only";
import { RateLimiterPrisma, RateLimiterRes } from "rate-limiter-flexible";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { AppError } from "@/lib/errors";

/**
 * Our own limits (better-auth limits sign-in and sign-up itself). Counters live in
 * PostgreSQL so they hold across every app instance.
 */
function limiter(keyPrefix: string, points: number, durationSeconds: number) {
  return new RateLimiterPrisma({ storeClient: db, tableName: "rateLimiterFlexible", keyPrefix, points, duration: durationSeconds });
}

/** An address may try the passwords of this many links' worth of guesses in 15 minutes, all links together. */
export const SHARE_UNLOCK_LINKS_PER_ADDRESS = 3;
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
};

export type LimitName = keyof typeof limiters;

/** Spends `points`; throws a rate_limited AppError that says when to try again. */
export async function consumeOrThrow(name: LimitName, key: string, points = 1): Promise<void> {
  try {
    await limiters[name].consume(key, points);
  } catch (rejection) {
    if (rejection instanceof RateLimiterRes) {
      const seconds = Math.max(1, Math.ceil(rejection.msBeforeNext / 1000));
      throw new AppError("rate_limited", `Too many requests. Please try again in ${seconds} s.`, { retryAfterMs: rejection.msBeforeNext });
    }
    throw rejection;
  }
}
