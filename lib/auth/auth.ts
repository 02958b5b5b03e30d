import "server-only";
import { betterAuth } from "better-auth";
import { prismaAdapter } from "better-auth/adapters/prisma";
import { nextCookies } from "better-auth/next-js";
import { db } from "@/lib/db";
import { env } from "@/lib/env";

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
  // Must stay last: lets server actions set the session cookie.
  plugins: [nextCookies()],
});
