import "server-only";
import { createRequire } from "node:module";
import path from "node:path";
import { Worker } from "node:worker_threads";
import sharp from "sharp";
import { embedIccProfile } from "./png-icc";

/**
 * Decodes the primary image of an HEVC-coded HEIC into a PNG that sharp can
 * read. sharp's prebuilt libvips reads HEIC headers but ships no HEVC
 * decoder, so we use heic-decode (libheif compiled to wasm).
 *
 * Orientation: libheif applies the HEIF transforms (irot/imir) while
 * decoding, and those are what iPhones use for orientation; their EXIF
 * Orientation repeats the same rotation and must NOT be applied a second time.
 * The PNG carries no EXIF, so sharp's autoOrient leaves it alone.
 *
 * The wasm decode is synchronous (about 0.1 s per 2 MP, close to a second for a
 * 12 MP iPhone photo), so it runs in a worker thread: requests keep being served
 * meanwhile. The worker is ended when idle, which also gives back libheif's
 * memory (its wasm heap only ever grows).
 *
 * @param primaryIndex sharp's `metadata().pagePrimary`: the primary image's
 *   position among the top-level images, in the same order libheif lists them.
 * @param iccProfile the original's ICC profile (sharp's `metadata().icc`).
 */
export async function decodeHeicToPng(original: Buffer, primaryIndex: number, iccProfile: Buffer | undefined): Promise<Buffer> {
  const { width, height, data } = await decodeInWorker(original, primaryIndex);
  const png = await sharp(data, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  // The PNG is only an intermediate: the profile rides along so sharp converts P3 to sRGB correctly.
  return iccProfile ? embedIccProfile(png, iccProfile) : png;
}

// Plain CommonJS, evaluated in the worker: the module path is resolved at run time
// from the app's own node_modules, so no bundler has to know about the worker.
const WORKER_SOURCE = `
const { parentPort, workerData } = require("node:worker_threads");
const decode = require(workerData.modulePath);
async function decodePrimary(buffer, primaryIndex) {
  if (primaryIndex === 0) return decode({ buffer });
  const images = await decode.all({ buffer });
  try {
    const primary = images[primaryIndex];
    if (!primary) throw new Error("HEIC has no top-level image #" + primaryIndex);
    return await primary.decode();
  } finally {
    images.dispose();
  }
}
parentPort.on("message", async ({ id, buffer, primaryIndex }) => {
  try {
    const { width, height, data } = await decodePrimary(new Uint8Array(buffer), primaryIndex);
    parentPort.postMessage({ id, width, height, data }, [data.buffer]);
  } catch (error) {
    parentPort.postMessage({ id, error: String(error && error.message || error) });
  }
});
`;

type Decoded = { width: number; height: number; data: Buffer };
type Reply = { id: number; width: number; height: number; data: Uint8ClampedArray; error?: undefined } | { id: number; error: string };

const IDLE_MS = 30_000;
let worker: Worker | undefined;
let idleTimer: NodeJS.Timeout | undefined;
let nextId = 0;
const waiting = new Map<number, { resolve: (d: Decoded) => void; reject: (e: Error) => void }>();

function getWorker(): Worker {
  if (worker) return worker;
  const modulePath = createRequire(path.join(process.cwd(), "package.json")).resolve("heic-decode");
  const created = new Worker(WORKER_SOURCE, { eval: true, workerData: { modulePath } });
  created.on("message", (reply: Reply) => {
    const pending = waiting.get(reply.id);
    waiting.delete(reply.id);
    if (!pending) return;
    if (reply.error !== undefined) pending.reject(new Error(reply.error));
    else pending.resolve({ width: reply.width, height: reply.height, data: Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength) });
    scheduleIdleStop();
  });
  created.on("error", (error) => {
    if (worker === created) failAll(error);
  });
  created.on("exit", () => {
    // A worker ended for being idle has nothing pending; only a crash of the current one fails requests.
    if (worker !== created) return;
    worker = undefined;
    failAll(new Error("The HEIC decoder stopped unexpectedly."));
  });
  created.unref();
  worker = created;
  return created;
}

function failAll(error: Error) {
  for (const pending of waiting.values()) pending.reject(error);
  waiting.clear();
}

function scheduleIdleStop() {
  clearTimeout(idleTimer);
  if (waiting.size > 0) return;
  idleTimer = setTimeout(() => {
    const idle = worker;
    worker = undefined;
    void idle?.terminate();
  }, IDLE_MS);
  idleTimer.unref();
}

function decodeInWorker(original: Buffer, primaryIndex: number): Promise<Decoded> {
  clearTimeout(idleTimer);
  const id = nextId++;
  const copy = new Uint8Array(original);
  return new Promise((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    getWorker().postMessage({ id, buffer: copy.buffer, primaryIndex }, [copy.buffer]);
  });
}
