// Browser-only on purpose (no "server-only"): the album's "Download all" runs here. It streams a
// ZIP (client-zip, STORE: photos do not compress) whose entries the browser fetches straight from
// storage with URLs the server signs in batches; memory stays bounded at any album size.
import { makeZip } from "client-zip";
import type { DownloadEntry } from "./download";

export type SignBatch = (cursor: string | undefined) => Promise<{ ok: true; data: { entries: DownloadEntry[]; nextCursor: string | null } } | { ok: false; error: { message: string; retryAfterMs?: number } }>;

export type ZipProgress = { files: number; bytes: number; skipped: string[] };

type ZipInput = { name: string; lastModified: Date; input: Response; size?: number };

/** Tries a file this many times before listing it as skipped. */
const FETCH_ATTEMPTS = 3;
/** Without the File System Access API, the ZIP is saved in parts of at most about this size. */
export const ZIP_PART_BYTES = 512 * 1024 * 1024;

/** Entry names as they go into the ZIP: IMG_0001.jpg, then IMG_0001 (2).jpg, compared without case (as most file systems do). */
export function uniqueNamer(): (name: string) => string {
  const taken = new Set<string>();
  return (name) => {
    const dot = name.lastIndexOf(".");
    const [stem, extension] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ""];
    let candidate = name;
    for (let n = 2; taken.has(candidate.toLowerCase()); n++) candidate = `${stem} (${n})${extension}`;
    taken.add(candidate.toLowerCase());
    return candidate;
  };
}

const pause = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener("abort", () => (clearTimeout(timer), reject(signal.reason)), { once: true });
  });

async function fetchWithRetry(url: string, signal: AbortSignal): Promise<Response | null> {
  for (let attempt = 1; attempt <= FETCH_ATTEMPTS; attempt++) {
    try {
      const response = await fetch(url, { signal, cache: "no-store", credentials: "omit", referrerPolicy: "no-referrer" });
      if (response.ok && response.body) return response;
    } catch (error) {
      if (signal.aborted) throw error;
    }
    // Backoff between tries of a failing file (storage hiccup, connection reset).
    if (attempt < FETCH_ATTEMPTS) await pause(500 * 2 ** (attempt - 1), signal);
  }
  return null;
}

/** Counts bytes as client-zip reads them, for the progress line. */
function counted(response: Response, onBytes: (n: number) => void): Response {
  const counter = new TransformStream<Uint8Array, Uint8Array>({
    transform(chunk, controller) {
      onBytes(chunk.byteLength);
      controller.enqueue(chunk);
    },
  });
  return new Response(response.body!.pipeThrough(counter));
}

/**
 * The album's files, one at a time, as ZIP inputs: batches are signed as the ZIP asks for
 * more (never the whole album at once), each file is fetched from storage with retries, and
 * a file that still fails is reported in `skipped` and left out instead of breaking the ZIP.
 */
export async function* albumEntries(
  sign: SignBatch,
  options: { signal: AbortSignal; progress: ZipProgress; onProgress: () => void },
): AsyncGenerator<ZipInput> {
  const { signal, progress } = options;
  const unique = uniqueNamer();
  let cursor: string | undefined;
  let number = 0;
  do {
    const batch = await sign(cursor);
    if (!batch.ok) {
      if (batch.error.retryAfterMs !== undefined) {
        await pause(batch.error.retryAfterMs, signal);
        continue;
      }
      throw new Error(batch.error.message);
    }
    for (const entry of batch.data.entries) {
      number++;
      // A link that hides names gets numbered names: nothing of the original file name or date.
      const name = unique(entry.name ?? `Photo ${String(number).padStart(4, "0")}.${entry.extension}`);
      const response = await fetchWithRetry(entry.url, signal);
      if (!response) {
        progress.skipped.push(name);
        options.onProgress();
        continue;
      }
      yield {
        name,
        lastModified: entry.takenAt ? new Date(entry.takenAt) : new Date(),
        input: counted(response, (n) => {
          progress.bytes += n;
          options.onProgress();
        }),
        ...(entry.size !== null && { size: entry.size }),
      };
      progress.files++;
      options.onProgress();
    }
    cursor = batch.data.nextCursor ?? undefined;
  } while (cursor);
}

type SaveFilePicker = (options: { suggestedName: string; types: { description: string; accept: Record<string, string[]> }[] }) => Promise<{
  createWritable(): Promise<WritableStream<Uint8Array>>;
}>;

/** The File System Access API's save dialog, where the browser has it (Chromium): the ZIP streams to disk. */
export function saveFilePicker(): SaveFilePicker | undefined {
  const picker = (window as unknown as { showSaveFilePicker?: SaveFilePicker }).showSaveFilePicker;
  return picker?.bind(window);
}

/** Streams the whole ZIP into a file the person chose. */
export async function zipToFile(file: Awaited<ReturnType<SaveFilePicker>>, entries: AsyncGenerator<ZipInput>, signal: AbortSignal) {
  await makeZip(entries).pipeTo(await file.createWritable(), { signal });
}

/**
 * Without a way to stream to disk, the ZIP is built in numbered parts of at most about
 * ZIP_PART_BYTES (a single larger file gets a part of its own), each saved as it is done,
 * so memory holds one part at most. One part only: saved under the plain name.
 */
export async function zipToParts(
  entries: AsyncGenerator<ZipInput>,
  options: { baseName: string; signal: AbortSignal; streamedBytes: () => number; partBytes?: number },
) {
  const partBytes = options.partBytes ?? ZIP_PART_BYTES;
  let ahead = await entries.next();
  for (let part = 1; !ahead.done; part++) {
    const start = options.streamedBytes();
    let count = 0;
    // client-zip reads one entry to its end before asking for the next, so the bytes streamed
    // so far are this part's size (a variant's size is only known once read).
    async function* thisPart(): AsyncGenerator<ZipInput> {
      while (!ahead.done && (count === 0 || options.streamedBytes() - start + (ahead.value.size ?? 0) <= partBytes)) {
        count++;
        yield ahead.value;
        ahead = await entries.next();
      }
    }
    const blob = await new Response(makeZip(thisPart())).blob();
    options.signal.throwIfAborted();
    const name = part === 1 && ahead.done ? `${options.baseName}.zip` : `${options.baseName} (part ${part}).zip`;
    const url = URL.createObjectURL(blob);
    const link = Object.assign(document.createElement("a"), { href: url, download: name });
    link.click();
    // The download has its own reference to the blob once started; let it go here.
    setTimeout(() => URL.revokeObjectURL(url), 60_000);
  }
}
