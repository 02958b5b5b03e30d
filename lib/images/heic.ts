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
 * meanwhile. One worker per decode: it reads the file itself (the original never
 * passes through this thread), it can be terminated when the time limit is reached
 * without touching anyone else's decode, and its end gives back libheif's memory
 * (the wasm heap only ever grows). Starting one costs ~30 ms next to a decode of ~1 s.
 *
 * @param original the file's path, or its bytes.
 * @param primaryIndex sharp's `metadata().pagePrimary`: the primary image's
 *   position among the top-level images, in the same order libheif lists them.
 * @param iccProfile the original's ICC profile (sharp's `metadata().icc`).
 * @param signal terminates the worker when it aborts; the call then rejects with its reason.
 */
export async function decodeHeicToPng(
  original: string | Buffer,
  primaryIndex: number,
  iccProfile: Buffer | undefined,
  signal?: AbortSignal,
): Promise<Buffer> {
  const { width, height, data } = await decodeInWorker(original, primaryIndex, signal);
  const png = await sharp(data, { raw: { width, height, channels: 4 } })
    .png({ compressionLevel: 0 })
    .toBuffer();
  // The PNG is only an intermediate: the profile rides along so sharp converts P3 to sRGB correctly.
  return iccProfile ? embedIccProfile(png, iccProfile) : png;
}

// Plain CommonJS, evaluated in the worker: the module path is resolved at run time
// from the app's own node_modules, so no bundler has to know about the worker.
const WORKER_SOURCE = `
const { readFileSync } = require("node:fs");
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
(async () => {
  try {
    const { path, bytes, primaryIndex } = workerData;
    const buffer = path === undefined ? new Uint8Array(bytes) : new Uint8Array(readFileSync(path));
    const { width, height, data } = await decodePrimary(buffer, primaryIndex);
    parentPort.postMessage({ width, height, data }, [data.buffer]);
  } catch (error) {
    parentPort.postMessage({ error: String(error && error.message || error) });
  }
})();
`;

type Decoded = { width: number; height: number; data: Buffer };
type Reply = { width: number; height: number; data: Uint8ClampedArray; error?: undefined } | { error: string };

function decodeInWorker(original: string | Buffer, primaryIndex: number, signal: AbortSignal | undefined): Promise<Decoded> {
  signal?.throwIfAborted();
  const modulePath = createRequire(path.join(process.cwd(), "package.json")).resolve("heic-decode");
  // A path is read by the worker itself; bytes are copied once and handed over, not cloned again.
  const bytes = typeof original === "string" ? undefined : new Uint8Array(original).buffer;
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    workerData: { modulePath, primaryIndex, path: typeof original === "string" ? original : undefined, bytes },
    transferList: bytes ? [bytes] : [],
  });
  return new Promise<Decoded>((resolve, reject) => {
    let settled = false;
    const settle = (outcome: () => void) => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      void worker.terminate();
      outcome();
    };
    const onAbort = () => settle(() => reject(signal?.reason));
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.once("message", (reply: Reply) =>
      settle(() =>
        reply.error !== undefined
          ? reject(new Error(reply.error))
          : resolve({ width: reply.width, height: reply.height, data: Buffer.from(reply.data.buffer, reply.data.byteOffset, reply.data.byteLength) }),
      ),
    );
    worker.once("error", (error) => settle(() => reject(error)));
    worker.once("exit", () => settle(() => reject(new Error("The HEIC decoder stopped unexpectedly."))));
  });
}
