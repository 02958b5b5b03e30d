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
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "AppError";
  }
}

export const isAppError = (error: unknown): error is AppError => error instanceof AppError;
