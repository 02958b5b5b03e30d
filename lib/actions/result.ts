import "server-only";
import { z } from "zod";
import { AppError, isAppError, isDependencyUnavailable, type ErrorCode } from "@/lib/errors";
import { getSessionUser, type SessionUser } from "@/lib/auth/session";
import { invalidInputMessage } from "./payload";

/**
 * Server actions return errors as values: a thrown error reaches the browser only
 * as an opaque "Minified React error", and we want a sentence a person can act on.
 */
export type ActionResult<T> =
  | { ok: true; data: T }
  | { ok: false; error: { code: ErrorCode | "internal"; message: string; retryAfterMs?: number } };

export function toActionError(error: unknown): ActionResult<never> {
  if (isAppError(error)) {
    const retry = error.retryAfterMs === undefined ? {} : { retryAfterMs: error.retryAfterMs };
    return { ok: false, error: { code: error.code, message: error.message, ...retry } };
  }
  if (isDependencyUnavailable(error)) {
    console.error("[action] dependency unavailable:", error);
    return { ok: false, error: { code: "unavailable", message: "The service is temporarily unavailable. Please try again in a moment." } };
  }
  console.error("[action] unexpected error:", error);
  return { ok: false, error: { code: "internal", message: "Something went wrong on our side. Please try again." } };
}

/**
 * An authenticated server action: validates input with zod, resolves the session,
 * and maps failures to an ActionResult. Ids from the browser are only ever used
 * together with `user.id` in the data layer.
 */
export function authedAction<S extends z.ZodType, T>(schema: S, handler: (input: z.infer<S>, user: SessionUser) => Promise<T>) {
  return async (input: z.input<S>): Promise<ActionResult<T>> => {
    try {
      const user = await getSessionUser();
      if (!user) throw new AppError("unauthenticated", "Your session has ended. Please sign in again.");
      const parsed = schema.safeParse(input);
      if (!parsed.success) throw new AppError("invalid_input", invalidInputMessage(parsed.error));
      return { ok: true, data: await handler(parsed.data, user) };
    } catch (error) {
      return toActionError(error);
    }
  };
}
