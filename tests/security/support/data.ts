/**
 * In-process helpers for the security and fault suites: users inserted directly,
 * uploads driven through the real data layer and the real embedded S3 (the PUT is
 * an HTTP request to the presigned URL, as a browser sends it), and the junk check
 * every case ends with: rows by status and every object under the user's prefix.
 */
import { randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import { expect } from "vitest";
import { db } from "@/lib/db";
import { userPrefix } from "@/lib/photos/keys";
import { processPhoto } from "@/lib/photos/processing";
import { completeUpload, createUploads, type UploadPlan } from "@/lib/photos/uploads";
import { getStorage } from "@/lib/storage";

export const fixture = (name: string) => readFileSync(path.join("tests", "fixtures", "photos", name));

export async function createUser(label: string) {
  const id = randomUUID();
  return db.user.create({ data: { id, name: `Test ${label}`, email: `${label}-${id.slice(0, 8)}@example.test` } });
}

/** Removes the users, their rows (cascade) and every object under their prefixes. */
export async function removeUsers(ids: string[]) {
  const storage = getStorage();
  for (const id of ids) {
    for await (const object of storage.list(userPrefix(id))) await storage.delete(object.key);
    await db.pendingDeletion.deleteMany({ where: { key: { startsWith: userPrefix(id) } } });
  }
  await db.user.deleteMany({ where: { id: { in: ids } } });
}

export async function objectKeys(ownerId: string): Promise<string[]> {
  const keys: string[] = [];
  for await (const object of getStorage().list(userPrefix(ownerId))) keys.push(object.key);
  return keys.sort();
}

export type StatusCounts = { PENDING: number; PROCESSING: number; READY: number; FAILED: number };

export async function statusCounts(ownerId: string): Promise<StatusCounts> {
  const counts: StatusCounts = { PENDING: 0, PROCESSING: 0, READY: 0, FAILED: 0 };
  const groups = await db.photo.groupBy({ by: ["status"], where: { ownerId }, _count: { _all: true } });
  for (const group of groups) counts[group.status] = group._count._all;
  return counts;
}

/**
 * Nothing left behind: exactly the expected rows (FAILED rows keep their reason for
 * the person, by design), and storage holds exactly the objects of READY rows
 * (original, thumbnail, large) — no stray original of a refused or failed upload,
 * no queued deletion.
 */
export async function expectNoJunk(ownerId: string, expected: Partial<StatusCounts> = {}) {
  expect(await statusCounts(ownerId)).toEqual({ PENDING: 0, PROCESSING: 0, READY: 0, FAILED: 0, ...expected });
  const ready = await db.photo.findMany({ where: { ownerId, status: "READY" } });
  const wanted = ready.flatMap((p) => [p.originalKey, p.thumbKey, p.largeKey]).sort();
  expect(await objectKeys(ownerId)).toEqual(wanted);
  expect(await db.pendingDeletion.count({ where: { key: { startsWith: userPrefix(ownerId) } } })).toBe(0);
}

export type FileMeta = { name: string; type: string; size: number };

/** The server action's core: one batch, one plan per file. */
export function presign(ownerId: string, files: unknown[]): Promise<UploadPlan[]> {
  return createUploads(ownerId, files);
}

/** Sends the bytes to a single-PUT plan's URL with exactly the signed headers (plus any overrides). */
export async function put(plan: UploadPlan, body: Buffer, headers: Record<string, string> = {}, url?: string): Promise<Response> {
  if (!plan.ok || plan.mode !== "single") throw new Error(`expected a single-PUT plan, got ${JSON.stringify(plan)}`);
  return fetch(url ?? plan.request.url, { method: "PUT", headers: { ...plan.request.headers, ...headers }, body: new Uint8Array(body) });
}

/**
 * The whole happy path a browser takes — presign, PUT, complete — then processing,
 * awaited here instead of after the response. Returns the photo row as it ends.
 */
export async function upload(ownerId: string, file: { name: string; type: string; body: Buffer }) {
  const [plan] = await presign(ownerId, [{ name: file.name, type: file.type, size: file.body.length }]);
  if (!plan?.ok) throw new Error(`presign refused ${file.name}: ${JSON.stringify(plan)}`);
  const response = await put(plan, file.body);
  expect(response.status, await response.text()).toBe(200);
  const outcome = await completeUpload(ownerId, plan.photoId);
  if (outcome.status === "PROCESSING") await processPhoto(plan.photoId);
  return db.photo.findUniqueOrThrow({ where: { id: plan.photoId } });
}
