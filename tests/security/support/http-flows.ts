/**
 * The browser's flows, over HTTP: upload (presign action → PUT to storage →
 * complete action → poll status), share, unlock. Shared by the HTTP security
 * tests, the crash fault test and bench/load.ts.
 */
import { randomBytes, randomUUID } from "node:crypto";
import type { HttpSession } from "./http-session";

export type ActionIds = Record<string, string>;

type Plan =
  | { ok: true; index: number; photoId: string; mode: "single"; request: { method: string; url: string; headers: Record<string, string> } }
  | { ok: true; index: number; photoId: string; mode: "multipart" }
  | { ok: false; index: number; name: string; message: string };

export type Outcome = { photoId: string; status: "PENDING" | "PROCESSING" | "READY" | "FAILED"; failureReason: string | null };

export function newAccount(label: string) {
  return { name: `Test ${label}`, email: `${label}-${randomUUID().slice(0, 8)}@example.test`, password: "correct horse battery" };
}

/** A made-up client address per visitor: the rate limits key on it (see HttpSession.forwardedFor). */
export function fakeIp(): string {
  const [a, b, c] = randomBytes(3);
  return `10.${a}.${b}.${(c! % 250) + 1}`;
}

export class HttpFlowError extends Error {}

export async function presignOverHttp(session: HttpSession, ids: ActionIds, files: { name: string; type: string; size: number }[]) {
  const response = await session.action<Plan[]>("/", ids.createUploadsAction!, [{ files }]);
  if (!response.result) throw new HttpFlowError(`createUploadsAction answered ${response.status}: ${response.body.slice(0, 300)}`);
  return response.result;
}

export async function completeOverHttp(session: HttpSession, ids: ActionIds, photoId: string) {
  const response = await session.action<Outcome>("/", ids.completeUploadAction!, [{ photoId }]);
  if (!response.result) throw new HttpFlowError(`completeUploadAction answered ${response.status}: ${response.body.slice(0, 300)}`);
  return response.result;
}

/** Presign, PUT, complete: what the uploader does for one small file. Returns the outcome of complete. */
export async function uploadOverHttp(session: HttpSession, ids: ActionIds, file: { name: string; type: string; body: Buffer }): Promise<Outcome> {
  const result = await presignOverHttp(session, ids, [{ name: file.name, type: file.type, size: file.body.length }]);
  if (!result.ok) throw new HttpFlowError(`presign refused: ${result.error.message}`);
  const plan = result.data[0];
  if (!plan?.ok || plan.mode !== "single") throw new HttpFlowError(`no single-PUT plan: ${JSON.stringify(plan)}`);
  const put = await fetch(plan.request.url, { method: "PUT", headers: plan.request.headers, body: new Uint8Array(file.body) });
  if (put.status !== 200) throw new HttpFlowError(`storage answered ${put.status} to the PUT`);
  const completed = await completeOverHttp(session, ids, plan.photoId);
  if (!completed.ok) throw new HttpFlowError(`complete refused: ${completed.error.message}`);
  return completed.data;
}

type StatusEntry = { id: string; status: Outcome["status"]; failureReason: string | null };

/** Polls /api/uploads/status like the uploader until every photo is READY or FAILED. */
export async function waitUntilSettled(session: HttpSession, photoIds: string[], timeoutMs = 60_000): Promise<StatusEntry[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const response = await session.request(`/api/uploads/status?ids=${photoIds.join(",")}`);
    if (response.status !== 200) throw new HttpFlowError(`/api/uploads/status answered ${response.status}`);
    const { statuses } = (await response.json()) as { statuses: StatusEntry[] };
    if (statuses.length === photoIds.length && statuses.every((s) => s.status === "READY" || s.status === "FAILED")) return statuses;
    if (Date.now() > deadline) throw new HttpFlowError(`still processing after ${timeoutMs} ms: ${JSON.stringify(statuses)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export type ShareView = { id: string; token: string; hasPassword: boolean };

export async function shareOverHttp(
  session: HttpSession,
  ids: ActionIds,
  photoId: string,
  options: { expiresIn?: string; password?: string; allowDownload?: boolean } = {},
): Promise<ShareView> {
  const response = await session.action<ShareView>(`/photos/${photoId}`, ids.createShareLinkAction!, [
    { photoId, expiresIn: options.expiresIn ?? "7d", password: options.password ?? "", allowDownload: options.allowDownload ?? false },
  ]);
  if (!response.result?.ok) throw new HttpFlowError(`createShareLinkAction: ${response.status} ${JSON.stringify(response.result) ?? response.body.slice(0, 300)}`);
  return response.result.data;
}
