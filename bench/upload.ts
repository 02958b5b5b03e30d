// Section 1: the upload path. The classic proxy (bench/baselines/express-multer-s3.ts)
// and our flow (server action presign → PUT straight to storage → complete) upload
// the same files to the same embedded S3, side by side in one run. A counting relay
// sits in front of each app server; bulk bytes also cross one relay on their way to
// storage in our flow, so both pay the same extra hop.
import { randomBytes, randomUUID } from "node:crypto";
import { closeSync, openSync, writeSync } from "node:fs";
import path from "node:path";
import pLimit from "p-limit";
import { PARTS_IN_FLIGHT, PARTS_PER_SIGNING } from "../lib/upload-client/send-file";
import { ActionClient, GALLERY_ACTIONS } from "./lib/actions";
import { streamRequest } from "./lib/http-client";
import { ResourceMeter, treeRssBytes } from "./lib/proc";
import type { Relays } from "./lib/services";
import { GiB, MiB, median } from "./lib/stats";

export type System = "proxy" | "direct";

export interface UploadCellResult {
  system: System;
  fileBytes: number;
  concurrency: number;
  files: number;
  ok: number;
  errors: string[];
  wallSeconds: number;
  cpuSeconds: number;
  peakRssBytes: number;
  idleRssBytes: number;
  /** Everything the app server received from clients (request lines, headers, bodies). */
  bytesReceived: number;
  /** Request bodies alone, as sent by the load generator to the app server. */
  bodyBytesReceived: number;
  /** Requests the app server answered for this cell. */
  requests: number;
  runs: number;
}

export interface UploadContext {
  appUrl: string;
  appRelayPort: number;
  appPid: number;
  baselineUrl: string;
  baselineRelayPort: number;
  baselinePid: number;
  relays: Relays;
  /** Index of the app's, the baseline's and the storage relay in `relays`. */
  relayIndex: { app: number; baseline: number; storage: number };
  cookie: string;
  scratchDir: string;
}

interface Plan {
  ok: boolean;
  index: number;
  photoId: string;
  mode: "single" | "multipart";
  request?: { method: string; url: string; headers: Record<string, string> };
  partSize?: number;
  partCount?: number;
  message?: string;
}
type ActionResult<T> = { ok: true; data: T } | { ok: false; error: { code: string; message: string } };

// The browser uploader's own settings (lib/upload-client/send-file.ts, components/photos/upload-provider.tsx).
const FILES_PER_CREATE_CALL = 100;

/** A file of random bytes that no sniffer mistakes for an image (see the report: it ends FAILED after verification). */
export function makeInputFile(dir: string, size: number): string {
  const file = path.join(dir, `input-${size}.bin`);
  const block = randomBytes(Math.min(size, 16 * MiB));
  block.write("SNAPSHELF-BENCH-NOT-AN-IMAGE", 0);
  const fd = openSync(file, "w");
  try {
    for (let written = 0; written < size; ) {
      const length = Math.min(block.length, size - written);
      writeSync(fd, block, 0, length);
      written += length;
    }
  } finally {
    closeSync(fd);
  }
  return file;
}

/** One upload through the classic proxy: multipart/form-data POST with field `file`. */
async function proxyUpload(ctx: UploadContext, file: string, size: number, name: string): Promise<number> {
  const boundary = `----snapshelfbench${randomBytes(8).toString("hex")}`;
  const head = Buffer.from(
    `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\nContent-Type: image/jpeg\r\n\r\n`,
  );
  const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
  const response = await streamRequest({
    url: `http://127.0.0.1:${ctx.baselineRelayPort}/upload`,
    method: "POST",
    headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
    body: [head, { file, start: 0, end: size - 1 }, tail],
  });
  if (response.status !== 200 || !JSON.parse(response.body).location) throw new Error(`proxy answered ${response.status}: ${response.body.slice(0, 200)}`);
  return head.length + size + tail.length;
}

/** The outcome our flow must reach for a non-image: verified size, then refused by content. */
const NOT_A_PHOTO = /not a photo we can read/;

async function directUploads(ctx: UploadContext, client: ActionClient, file: string, size: number, count: number, concurrency: number) {
  let bodyBytes = 0;
  let requests = 0;
  const errors: string[] = [];
  let ok = 0;
  const limit = pLimit(concurrency);
  const call = async <T>(name: string, arg: unknown): Promise<T> => {
    const { result, requestBodyBytes } = await client.call<ActionResult<T>>(GALLERY_ACTIONS, name, arg);
    bodyBytes += requestBodyBytes;
    requests++;
    if (!result.ok) throw new Error(`${name}: ${result.error.message}`);
    return result.data;
  };

  const sendOne = async (plan: Plan) => {
    if (plan.mode === "single") {
      const response = await streamRequest({ url: plan.request!.url, method: "PUT", headers: plan.request!.headers, body: [{ file, start: 0, end: size - 1 }] });
      if (response.status !== 200) throw new Error(`storage PUT answered ${response.status}`);
    } else {
      const partSize = plan.partSize!;
      const numbers = Array.from({ length: plan.partCount! }, (_, i) => i + 1);
      const parts = pLimit(PARTS_IN_FLIGHT);
      for (let start = 0; start < numbers.length; start += PARTS_PER_SIGNING) {
        const signed = await call<{ partNumber: number; request: { url: string; headers: Record<string, string> } }[]>("signPartsAction", {
          photoId: plan.photoId,
          partNumbers: numbers.slice(start, start + PARTS_PER_SIGNING),
        });
        await Promise.all(
          signed.map(({ partNumber, request }) =>
            parts(async () => {
              const from = (partNumber - 1) * partSize;
              const to = Math.min(size, from + partSize) - 1;
              const response = await streamRequest({ url: request.url, method: "PUT", headers: request.headers, body: [{ file, start: from, end: to }] });
              if (response.status !== 200) throw new Error(`storage part PUT answered ${response.status}`);
            }),
          ),
        );
      }
    }
    const outcome = await call<{ status: string; failureReason: string | null }>("completeUploadAction", { photoId: plan.photoId });
    if (outcome.status !== "FAILED" || !NOT_A_PHOTO.test(outcome.failureReason ?? "")) {
      throw new Error(`complete: ${outcome.status} ${outcome.failureReason ?? ""}`);
    }
  };

  const inFlight: Promise<void>[] = [];
  for (let first = 0; first < count; first += FILES_PER_CREATE_CALL) {
    const batch = Array.from({ length: Math.min(FILES_PER_CREATE_CALL, count - first) }, (_, i) => ({
      name: `IMG_${String(first + i).padStart(5, "0")}.jpg`,
      type: "image/jpeg",
      size,
    }));
    const plans = await call<Plan[]>("createUploadsAction", { files: batch });
    for (const plan of plans) {
      if (!plan.ok) {
        errors.push(plan.message ?? "refused");
        continue;
      }
      inFlight.push(
        limit(() =>
          sendOne(plan).then(
            () => void ok++,
            (error: unknown) => void errors.push(error instanceof Error ? error.message : String(error)),
          ),
        ),
      );
    }
  }
  await Promise.all(inFlight);
  return { ok, errors, bodyBytes, requests };
}

async function proxyUploads(ctx: UploadContext, file: string, size: number, count: number, concurrency: number) {
  let bodyBytes = 0;
  let ok = 0;
  const errors: string[] = [];
  const limit = pLimit(concurrency);
  await Promise.all(
    Array.from({ length: count }, (_, i) =>
      limit(() =>
        proxyUpload(ctx, file, size, `IMG_${String(i).padStart(5, "0")}.jpg`).then(
          (sent) => {
            bodyBytes += sent;
            ok++;
          },
          (error: unknown) => void errors.push(error instanceof Error ? error.message : String(error)),
        ),
      ),
    ),
  );
  return { ok, errors, bodyBytes, requests: count };
}

export async function runUploadCell(
  ctx: UploadContext,
  system: System,
  file: string,
  size: number,
  count: number,
  concurrency: number,
): Promise<UploadCellResult> {
  const pid = system === "proxy" ? ctx.baselinePid : ctx.appPid;
  const relay = system === "proxy" ? ctx.relayIndex.baseline : ctx.relayIndex.app;
  const client = new ActionClient({ port: ctx.appRelayPort, appUrl: ctx.appUrl, cookie: ctx.cookie });
  const idleRssBytes = treeRssBytes(pid);
  await ctx.relays.read(true);
  const meter = new ResourceMeter(pid);
  meter.start();
  const outcome =
    system === "proxy" ? await proxyUploads(ctx, file, size, count, concurrency) : await directUploads(ctx, client, file, size, count, concurrency);
  const usage = meter.stop();
  const counts = (await ctx.relays.read(true))[relay]!;
  return {
    system,
    fileBytes: size,
    concurrency,
    files: count,
    ok: outcome.ok,
    errors: outcome.errors,
    wallSeconds: usage.wallSeconds,
    cpuSeconds: usage.cpuSeconds,
    peakRssBytes: usage.peakRssBytes,
    idleRssBytes,
    bytesReceived: counts.received,
    bodyBytesReceived: outcome.bodyBytes,
    requests: outcome.requests,
    runs: 1,
  };
}

/** Medians over runs of the same cell (ok/errors summed). */
export function combineRuns(runs: UploadCellResult[]): UploadCellResult {
  const first = runs[0]!;
  const med = (pick: (r: UploadCellResult) => number) => median(runs.map(pick));
  return {
    ...first,
    files: runs.reduce((s, r) => s + r.files, 0),
    ok: runs.reduce((s, r) => s + r.ok, 0),
    errors: runs.flatMap((r) => r.errors),
    wallSeconds: med((r) => r.wallSeconds),
    cpuSeconds: med((r) => r.cpuSeconds),
    peakRssBytes: Math.max(...runs.map((r) => r.peakRssBytes)),
    idleRssBytes: med((r) => r.idleRssBytes),
    bytesReceived: med((r) => r.bytesReceived),
    bodyBytesReceived: med((r) => r.bodyBytesReceived),
    requests: med((r) => r.requests),
    runs: runs.length,
  };
}

/** Per-GB figures of a cell (medians are per run, so divide by one run's bytes). */
export function perGb(cell: UploadCellResult) {
  const perRunFiles = cell.files / cell.runs;
  const gb = (perRunFiles * cell.fileBytes) / GiB;
  return {
    cpuSecondsPerGb: cell.cpuSeconds / gb,
    wallSecondsPerGb: cell.wallSeconds / gb,
    bytesPerPhoto: cell.bytesReceived / perRunFiles,
    bodyBytesPerPhoto: cell.bodyBytesReceived / perRunFiles,
    bytesReceivedPerGb: cell.bytesReceived / gb,
    throughputMBps: (perRunFiles * cell.fileBytes) / MiB / cell.wallSeconds,
  };
}

/**
 * The classic proxy's keys are `${Date.now()}-${originalname}`: uploads of files
 * with the same name in the same millisecond overwrite each other. Counts how
 * many distinct objects `count` simultaneous same-named uploads leave.
 */
export async function sameNameCollisions(ctx: UploadContext, file: string, size: number, count: number): Promise<{ sent: number; distinctKeys: number }> {
  const boundary = "----snapshelfbenchcollide";
  const locations = await Promise.all(
    Array.from({ length: count }, async () => {
      const head = Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="IMG_0001.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`);
      const response = await streamRequest({
        url: `http://127.0.0.1:${ctx.baselineRelayPort}/upload`,
        method: "POST",
        headers: { "Content-Type": `multipart/form-data; boundary=${boundary}` },
        body: [head, { file, start: 0, end: size - 1 }, Buffer.from(`\r\n--${boundary}--\r\n`)],
      });
      return response.status === 200 ? (JSON.parse(response.body).location as string) : randomUUID();
    }),
  );
  return { sent: count, distinctKeys: new Set(locations).size };
}
