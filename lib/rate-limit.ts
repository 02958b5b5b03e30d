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

const limiters = {
  presign: limiter("presign", env.PRESIGN_RATE_LIMIT_PER_MINUTE, 60),
  sharePassword: limiter("share-password", env.SHARE_PASSWORD_ATTEMPTS_PER_15_MIN, 15 * 60),
  // Guesses spread over many addresses still add up per link.
  sharePasswordPerLink: limiter("share-password-link", env.SHARE_PASSWORD_ATTEMPTS_PER_15_MIN * 10, 15 * 60),
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
