import "server-only";

/**
 * The wall-clock budget of processing one photo. `signal` aborts when it runs out: waits
 * raced against it end at once, the HEIC worker is terminated, and every sharp pipeline is
 * given what is left (`sharpSeconds`) so libvips stops its own work too.
 */
export interface TimeLimit {
  readonly signal: AbortSignal;
  readonly seconds: number;
  /** When the budget runs out, in ms since the epoch. */
  readonly endsAt: number;
}

/** Processing one photo took longer than its time limit. Not the uploader's fault by itself: it may be retried. */
export class ProcessingTimeoutError extends Error {
  override readonly name = "ProcessingTimeoutError";
  constructor(options?: { cause?: unknown }) {
    super("processing took longer than its time limit", options);
  }
}

export function startTimeLimit(seconds: number): TimeLimit {
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new ProcessingTimeoutError()), seconds * 1000);
  // The limit alone must not keep a process (or a test run) alive.
  timer.unref();
  return { signal: controller.signal, seconds, endsAt: Date.now() + seconds * 1000 };
}

/** Seconds left for sharp's `.timeout()`: whole seconds, at least 1 (0 would mean "no limit"). */
export function sharpSeconds(limit: TimeLimit): number {
  return Math.max(1, Math.ceil((limit.endsAt - Date.now()) / 1000));
}

/**
 * Settles with `work`, or rejects with ProcessingTimeoutError once the limit is reached. Work that
 * cannot be interrupted (a native decode) finishes in the background and its result is dropped.
 */
export function withinTimeLimit<T>(limit: TimeLimit, work: Promise<T>): Promise<T> {
  if (limit.signal.aborted) {
    work.catch(() => {});
    return Promise.reject(limit.signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => {
      work.catch(() => {});
      reject(limit.signal.reason);
    };
    limit.signal.addEventListener("abort", onAbort, { once: true });
    work.then(
      (value) => (limit.signal.removeEventListener("abort", onAbort), resolve(value)),
      (error: unknown) => (limit.signal.removeEventListener("abort", onAbort), reject(error)),
    );
  });
}
