import "server-only";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { APIError, createAuthMiddleware } from "better-auth/api";
import { nextCookies } from "better-auth/next-js";
import { db } from "@/lib/db";
import { env } from "@/lib/env";
import { consume } from "@/lib/rate-limit";
import { CLIENT_IP_HEADER } from "@/lib/security/client-ip";

export const PASSWORD_MIN_LENGTH = 8;

export const auth = betterAuth({
  appName: "Snapshelf",
  baseURL: env.APP_URL,
  secret: env.BETTER_AUTH_SECRET,
  database: prismaAdapter(db, { provider: "postgresql" }),
  emailAndPassword: {
    enabled: true,
    minPasswordLength: PASSWORD_MIN_LENGTH,
    maxPasswordLength: 256,
    autoSignIn: true,
  },
  session: {
    expiresIn: 60 * 60 * 24 * 30,
    updateAge: 60 * 60 * 24,
  },
  // Counters live in the database so the limits hold across several app instances.
  // better-auth limits only HTTP calls; the sign-in/up pages go through HTTP for that reason.
  rateLimit: {
    enabled: true,
    storage: "database",
    window: 60,
    max: 100,
    customRules: {
      "/sign-in/email": { window: 60, max: env.SIGN_IN_RATE_LIMIT_PER_MINUTE },
      "/sign-up/email": { window: 3600, max: env.SIGN_UP_RATE_LIMIT_PER_HOUR },
    },
  },
  // The address proxy.ts worked out from X-Forwarded-For and TRUSTED_PROXY_HOPS, the one our own
  // limits key on too. Left alone, better-auth trusts X-Forwarded-For only when it holds a single
  // address: behind a CDN and nginx, or for anyone who sends the header, every visitor would share
  // one bucket. ("unknown" is not an address either: those visitors share its one bucket.)
  advanced: {
    ipAddress: { ipAddressHeaders: [CLIENT_IP_HEADER] },
  },
  hooks: {
    // Sign-ins per account as well: better-auth's own limit (above, per address) has already run
    // when this does, so one address is refused by that first and never spends the account's budget alone.
    before: createAuthMiddleware(async (ctx) => {
      if (ctx.path !== "/sign-in/email") return;
      const email: unknown = (ctx.body as { email?: unknown } | undefined)?.email;
      if (typeof email !== "string") return;
      const result = await consume("signInPerAccount", email.trim().toLowerCase());
      if (!result.ok) {
        const seconds = Math.max(1, Math.ceil(result.retryAfterMs / 1000));
        throw new APIError("TOO_MANY_REQUESTS", { message: "Too many sign-in attempts for this account. Please try again later." }, { "X-Retry-After": String(seconds) });
      }
    }),
  },
  // Must stay last: lets server actions set the session cookie.
  plugins: [nextCookies()],
});
