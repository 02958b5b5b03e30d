import pLimit from "p-limit";
import pRetry from "p-retry";
import type { SignedRequest } from "@/lib/storage/types";
import { putToStorage, StorageHttpError } from "./put";

export type SendPlan =
  | { mode: "single"; photoId: string; request: SignedRequest }
  | { mode: "multipart"; photoId: string; partSize: number; partCount: number; uploadedParts: number[] };

export type PutFn = typeof putToStorage;

export interface SendOptions {
  signal: AbortSignal;
  /** Total bytes of this file known to be in storage (uploaded parts included). */
  onProgress: (loadedBytes: number) => void;
  /** Signs a few parts at a time, just before they are sent. */
  signParts: (photoId: string, partNumbers: number[]) => Promise<{ partNumber: number; request: SignedRequest }[]>;
  /** Signs a single PUT again, after storage refused its URL as expired. */
  resign: (photoId: string) => Promise<SignedRequest>;
  /** How bytes reach storage: XHR in the browser (see put.ts); tests outside a browser pass their own. */
  put?: PutFn;
}

export const PARTS_IN_FLIGHT = 3;
// The server keeps a file to at most 64 parts, so a big file is signed in four calls or fewer.
// On a slow link the last URLs of a batch can expire before their turn: see sendSigned.
export const PARTS_PER_SIGNING = 16;

/** Network drops, 5xx, 408 and 429 are retried with backoff (0.5 s, 1 s, 2 s, 4 s); a 403 is not. */
function withRetry<T>(attempt: () => Promise<T>, signal: AbortSignal) {
  return pRetry(attempt, {
    retries: 4,
    minTimeout: 500,
    factor: 2,
    signal,
    shouldRetry: ({ error }) => (error as { retryable?: boolean }).retryable === true,
  });
}

/** Sends with a signed URL; 403 is what storage answers for an expired one: sign afresh, once. */
async function sendSigned(request: SignedRequest, resign: () => Promise<SignedRequest>, send: (request: SignedRequest) => Promise<void>, signal: AbortSignal) {
  try {
    await withRetry(() => send(request), signal);
  } catch (error) {
    if (!(error instanceof StorageHttpError && error.status === 403)) throw error;
    const fresh = await resign();
    await withRetry(() => send(fresh), signal);
  }
}

export async function sendFile(file: File, plan: SendPlan, options: SendOptions): Promise<void> {
  const put = options.put ?? putToStorage;
  if (plan.mode === "single") {
    const send = (request: SignedRequest) => put(request, file, options.onProgress, options.signal);
    await sendSigned(plan.request, () => options.resign(plan.photoId), send, options.signal);
    options.onProgress(file.size);
    return;
  }

  const partBytes = (partNumber: number) => file.slice((partNumber - 1) * plan.partSize, partNumber * plan.partSize);
  const inFlight = new Map<number, number>();
  let done = plan.uploadedParts.reduce((sum, n) => sum + partBytes(n).size, 0);
  const report = () => options.onProgress(done + [...inFlight.values()].reduce((a, b) => a + b, 0));
  report();

  const missing = Array.from({ length: plan.partCount }, (_, i) => i + 1).filter((n) => !plan.uploadedParts.includes(n));
  const limit = pLimit(PARTS_IN_FLIGHT);
  const sendPart = async (partNumber: number, request: SignedRequest) => {
    const body = partBytes(partNumber);
    const onPartProgress = (loaded: number) => {
      inFlight.set(partNumber, loaded);
      report();
    };
    const resign = async () => {
      const [fresh] = await options.signParts(plan.photoId, [partNumber]);
      if (!fresh) throw new Error("The server did not sign this part again.");
      return fresh.request;
    };
    await sendSigned(request, resign, (signed) => put(signed, body, onPartProgress, options.signal), options.signal);
    inFlight.delete(partNumber);
    done += body.size;
    report();
  };

  for (let start = 0; start < missing.length; start += PARTS_PER_SIGNING) {
    const signed = await options.signParts(plan.photoId, missing.slice(start, start + PARTS_PER_SIGNING));
    await Promise.all(signed.map(({ partNumber, request }) => limit(() => sendPart(partNumber, request))));
  }
}
