/**
 * The one error type the data layer throws on purpose. Its message is written for
 * the person using the app; anything else that escapes is logged and shown generically.
 */
export const ERROR_STATUS = {
  unauthenticated: 401,
  forbidden: 403,
  not_found: 404,
  conflict: 409,
  invalid_input: 422,
  payload_too_large: 413,
  quota_exceeded: 413,
  rate_limited: 429,
  upload_incomplete: 409,
  unavailable: 503,
} as const;

export type ErrorCode = keyof typeof ERROR_STATUS;

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    options?: { cause?: unknown; retryAfterMs?: number },
  ) {
    super(message, options);
    this.name = "AppError";
    this.retryAfterMs = options?.retryAfterMs;
  }
  /** For `rate_limited`: when the same call will be accepted again, so a client can wait instead of giving up. */
  readonly retryAfterMs?: number;
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;

/**
 * The database or storage could not be reached (down, restarting, connection cut,
 * or no connection free in time — P2024/P2028): worth a "try again in a moment",
 * and never a reason to give up on a photo. Looks through the cause chain, where
 * Prisma's driver adapter and the AWS SDK put the network error.
 */
export function isDependencyUnavailable(error: unknown): boolean {
  for (let current = error, depth = 0; current && depth < 5; current = (current as { cause?: unknown }).cause, depth++) {
    const text = `${(current as { code?: string }).code ?? ""} ${(current as Error).name ?? ""} ${(current as Error).message ?? ""}`;
    if (UNAVAILABLE.test(text)) return true;
  }
  return false;
}

const UNAVAILABLE =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EHOSTUNREACH|EPIPE|socket hang up|fetch failed|ServiceUnavailable|P1001|P1002|P1017|P2024|P2028|Can't reach database|DatabaseNotReachable|Connection terminated|terminating connection|Connection is closed|Client has encountered a connection error/i;
