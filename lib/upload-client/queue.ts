import type { ActionResult } from "@/lib/actions/result";
import type { SignedUpload, UploadOutcome, UploadPlan } from "@/lib/photos/uploads";
import type { SignedRequest } from "@/lib/storage/types";
import { sendFile, type PutFn, type SendPlan } from "./send-file";

/**
 * The browser's side of a drop, however large: reserve the files in batches the server
 * accepts, pacing itself when the server says `rate_limited` (it waits the time the
 * server names and asks again, never failing a file for it); send a few files at a time;
 * sign each single PUT just before it goes (a few ahead), again if storage refuses an
 * expired URL; complete each file. Every signing call also names the files still queued,
 * so the server renews their reservations while the page is open.
 *
 * Framework-free: the upload provider drives it in the browser with the server actions,
 * and tests drive the same code with the data layer.
 */
export type UploadStatus = "queued" | "uploading" | "verifying" | "processing" | "done" | "error";

export interface QueueUpdate {
  status?: UploadStatus;
  loaded?: number;
  message?: string;
  photoId?: string;
}

export interface FileRequest {
  name: string;
  size: number;
  type: string;
  resumePhotoId?: string;
}

/** What the queue asks of the server: the upload actions, each answering an ActionResult. */
export interface UploadApi {
  reserve(files: FileRequest[]): Promise<ActionResult<UploadPlan[]>>;
  sign(photoIds: string[], waitingIds: string[]): Promise<ActionResult<SignedUpload[]>>;
  signParts(photoId: string, partNumbers: number[], waitingIds: string[]): Promise<ActionResult<{ partNumber: number; request: SignedRequest }[]>>;
  complete(photoId: string): Promise<ActionResult<UploadOutcome>>;
  cancel(photoId: string): Promise<unknown>;
}

export interface QueueEntry {
  key: string;
  file: File;
  request: FileRequest;
}

export interface UploadQueueOptions {
  api: UploadApi;
  onUpdate: (key: string, update: QueueUpdate) => void;
  /** The server's MAX_FILES_PER_BATCH. */
  batchSize: number;
  /** A multipart upload started (remember it, to resume after a reload) or completed (forget it). */
  onMultipart?: (file: File, photoId: string | undefined) => void;
  put?: PutFn;
  sleep?: (ms: number) => Promise<void>;
}

export const FILES_IN_FLIGHT = 3;
/** Single PUTs signed per call: the file whose turn it is and the next ones, so most turns need no call. */
export const SIGN_AHEAD = 3;
/** As many queued ids as the server renews per call (MAX_WAITING_IDS); the rest were reserved recently. */
const WAITING_IDS = 1000;
const RETRY_MARGIN_MS = 100;
const UNREACHABLE = "Could not reach the server. Check your connection and retry.";

type Reserved = { entry: QueueEntry; plan: Extract<UploadPlan, { ok: true }> };

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Unwraps an action's answer; a thrown call (network, server gone) becomes the same kind of error. */
async function unwrap<T>(call: Promise<ActionResult<T>>): Promise<T> {
  const result = await call.catch(() => null);
  if (!result) throw new Error(UNREACHABLE);
  if (!result.ok) throw new Error(result.error.message);
  return result.data;
}

export function createUploadQueue(options: UploadQueueOptions) {
  const { api, onUpdate } = options;
  const sleep = options.sleep ?? defaultSleep;
  const toReserve: QueueEntry[] = [];
  const waiting: Reserved[] = [];
  const photoIds = new Map<string, string>();
  const controllers = new Map<string, AbortController>();
  const cancelled = new Set<string>();
  const signed = new Map<string, Promise<SignedRequest>>();
  let reserving = false;
  let active = 0;

  const fail = (key: string, message: string) => onUpdate(key, { status: "error", message });
  const waitingIds = () => waiting.slice(0, WAITING_IDS).map((r) => r.plan.photoId);

  async function reserveAll() {
    if (reserving) return;
    reserving = true;
    try {
      while (toReserve.length > 0) {
        const batch = toReserve.splice(0, options.batchSize).filter((e) => !cancelled.has(e.key));
        if (batch.length === 0) continue;
        const result = await api.reserve(batch.map((e) => e.request)).catch(() => null);
        if (result && !result.ok && result.error.code === "rate_limited") {
          // Not the person's doing: wait as long as the server says, then ask again for the same files.
          toReserve.unshift(...batch);
          await sleep((result.error.retryAfterMs ?? 1000) + RETRY_MARGIN_MS);
          continue;
        }
        if (!result?.ok) {
          for (const { key } of batch) fail(key, result?.error.message ?? UNREACHABLE);
          continue;
        }
        for (const plan of result.data) {
          const entry = batch[plan.index];
          if (!entry) continue;
          if (!plan.ok) fail(entry.key, plan.message);
          else if (cancelled.has(entry.key)) void api.cancel(plan.photoId);
          else {
            photoIds.set(entry.key, plan.photoId);
            onUpdate(entry.key, { photoId: plan.photoId });
            waiting.push({ entry, plan });
          }
        }
        pump();
      }
    } finally {
      reserving = false;
    }
  }

  function pump() {
    while (active < FILES_IN_FLIGHT && waiting.length > 0) {
      const next = waiting.shift()!;
      active++;
      void upload(next).finally(() => {
        active--;
        pump();
      });
    }
  }

  /** The URL for this reserved file, signed now together with the next few in the queue. */
  function signedRequest(photoId: string): Promise<SignedRequest> {
    const ready = signed.get(photoId);
    if (ready) {
      signed.delete(photoId);
      return ready;
    }
    const ahead = waiting.filter((r) => r.plan.mode === "reserved" && !signed.has(r.plan.photoId)).slice(0, SIGN_AHEAD - 1);
    const ids = [photoId, ...ahead.map((r) => r.plan.photoId)];
    const batch = unwrap(api.sign(ids, waitingIds()));
    for (const id of ids.slice(1)) {
      const one = batch.then((answers) => requestFrom(answers, id));
      one.catch(() => {}); // Read when that file's turn comes; until then an error must not go unhandled.
      signed.set(id, one);
    }
    return batch.then((answers) => requestFrom(answers, photoId));
  }

  function requestFrom(answers: SignedUpload[], photoId: string): SignedRequest {
    const answer = answers.find((a) => a.photoId === photoId);
    if (!answer) throw new Error("The server did not sign this upload.");
    if (!answer.ok) throw new Error(answer.message);
    return answer.request;
  }

  async function resign(photoId: string): Promise<SignedRequest> {
    return requestFrom(await unwrap(api.sign([photoId], waitingIds())), photoId);
  }

  async function upload({ entry, plan }: Reserved) {
    const { key, file } = entry;
    if (cancelled.has(key)) return;
    const controller = new AbortController();
    controllers.set(key, controller);
    onUpdate(key, { status: "uploading" });
    try {
      let sendPlan: SendPlan;
      if (plan.mode === "multipart") {
        options.onMultipart?.(file, plan.photoId);
        sendPlan = plan;
      } else {
        const request = plan.mode === "single" ? plan.request : await signedRequest(plan.photoId);
        sendPlan = { mode: "single", photoId: plan.photoId, request };
      }
      await sendFile(file, sendPlan, {
        signal: controller.signal,
        onProgress: (loaded) => onUpdate(key, { loaded }),
        signParts: (photoId, partNumbers) => unwrap(api.signParts(photoId, partNumbers, waitingIds())),
        resign,
        put: options.put,
      });
      onUpdate(key, { status: "verifying", loaded: file.size });
      const outcome = await unwrap(api.complete(plan.photoId));
      if (plan.mode === "multipart") options.onMultipart?.(file, undefined);
      photoIds.delete(key);
      if (outcome.status === "FAILED") return fail(key, outcome.failureReason ?? "Processing failed.");
      onUpdate(key, { status: outcome.status === "READY" ? "done" : "processing" });
    } catch (error) {
      if (controller.signal.aborted) return;
      fail(key, error instanceof Error ? error.message : "The upload failed.");
    } finally {
      controllers.delete(key);
    }
  }

  return {
    /** Queues files; each gets its updates under its key. */
    add(entries: QueueEntry[]) {
      for (const { key } of entries) cancelled.delete(key);
      toReserve.push(...entries);
      void reserveAll();
    },
    /** Stops a file wherever it is (waiting, sending) and drops what the server made for it. */
    cancel(key: string) {
      cancelled.add(key);
      controllers.get(key)?.abort();
      const queued = waiting.findIndex((r) => r.entry.key === key);
      if (queued >= 0) waiting.splice(queued, 1);
      const photoId = photoIds.get(key);
      photoIds.delete(key);
      if (photoId) void api.cancel(photoId);
    },
  };
}

export type UploadQueue = ReturnType<typeof createUploadQueue>;
