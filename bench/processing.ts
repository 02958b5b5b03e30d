// Throughput of lib/images/processImage next to a bare sharp resize of the
// same bytes, on this machine.
//   npx tsx bench/processing.ts [runs] [--quick] [--all] [--json FILE]
// Prints markdown; --json also writes the figures for bench/run.ts. The 12 MP
// JPEG and PNG are made here; the 12 MP HEIC is bench/fixtures/synthetic-12mp.heic
// (the same picture, encoded with heif-enc: sharp cannot write HEVC). --all adds
// the small fixture photos; --quick measures the 12 MP JPEG and HEIC with fewer runs.

import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { monitorEventLoopDelay } from "node:perf_hooks";
import { createRequire } from "node:module";
import sharp, { type CreateRaw, type Sharp } from "sharp";

// lib/images starts with `import "server-only"`, which throws unless the
// react-server export condition is set (Next sets it for server code).
if (!process.execArgv.includes("--conditions=react-server")) {
  const child = spawnSync(
    process.execPath,
    ["--conditions=react-server", ...process.execArgv, ...process.argv.slice(1)],
    { stdio: "inherit" },
  );
  process.exit(child.status ?? 1);
}

const QUICK = process.argv.includes("--quick");
const ALL_FIXTURES = process.argv.includes("--all");
const jsonIndex = process.argv.indexOf("--json");
const JSON_OUT = jsonIndex > 0 ? process.argv[jsonIndex + 1] : undefined;
const RUNS = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? (QUICK ? 2 : 5));
/** Inputs slower than this get fewer runs, so the whole benchmark stays within its time budget. */
const SLOW_MS = 1000;
const MAX_PIXELS = 100_000_000;
const FIXTURES = [
  "camera-gps-landscape.jpg",
  "camera-portrait-orientation-6.jpg",
  "photo-exif-gps.webp",
  "photo-gps.heic",
  "photo.avif",
  "transparent.png",
  "animated.gif",
];

type Job = (input: Buffer) => Promise<unknown>;

interface Input {
  name: string;
  data: Buffer;
  /** The headline inputs the report compares (12 MP JPEG, PNG, HEIC). */
  headline?: "jpeg" | "png" | "heic";
}

export interface ProcessingRow {
  input: string;
  headline?: Input["headline"];
  megapixels: number;
  bytes: number;
  oursMs: number;
  rawMs: number;
  rawKind: "sharp" | "heic-decode + sharp";
  /** Median over turns of raw ms ÷ ours ms: ours' throughput as a share of raw (1 = as fast). */
  throughputRatio: number;
  oursSerialPerSecond: number;
  rawSerialPerSecond: number;
  parallel: number;
  oursParallelPerSecond: number;
  rawParallelPerSecond: number;
  /** Ours' parallel throughput ÷ raw's. */
  parallelRatio: number;
  longestBlockMs: number;
  rssBeforeMb?: number;
  rssPeakMb?: number;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/**
 * Median wall time of one call of each job, after a warm-up call each. The
 * jobs take turns so that load from other processes hits them alike; the
 * ratio is the median of the per-turn ratios for the same reason.
 */
async function timeTogether(jobs: Job[], input: Buffer, runs: number): Promise<{ medians: number[]; ratio: number }> {
  for (const job of jobs) await job(input);
  const times = jobs.map(() => [] as number[]);
  for (let run = 0; run < runs; run++) {
    for (const [index, job] of jobs.entries()) {
      const started = performance.now();
      await job(input);
      times[index]!.push(performance.now() - started);
    }
  }
  const [first, second] = times;
  const ratios = second ? first!.map((ms, run) => ms / second[run]!) : [];
  return { medians: times.map(median), ratio: ratios.length ? median(ratios) : Number.NaN };
}

/** Median images/s with `parallel` calls in flight, like the app's processing queue. */
async function throughput(job: Job, input: Buffer, parallel: number, batches: number): Promise<number> {
  const perBatch = parallel * (QUICK ? 2 : 3);
  const rates: number[] = [];
  for (let run = 0; run < batches; run++) {
    let next = 0;
    const started = performance.now();
    await Promise.all(
      Array.from({ length: parallel }, async () => {
        while (next++ < perBatch) await job(input);
      }),
    );
    rates.push((perBatch * 1000) / (performance.now() - started));
  }
  return median(rates);
}

/** Longest the event loop was blocked during one call, ms. */
async function longestBlock(job: Job, input: Buffer): Promise<number> {
  const histogram = monitorEventLoopDelay({ resolution: 5 });
  histogram.enable();
  await job(input);
  // Let the histogram see the last tick.
  await new Promise((resolve) => setTimeout(resolve, 20));
  histogram.disable();
  return histogram.max / 1e6;
}

async function synthetic12mp(): Promise<Input[]> {
  // A real photo upscaled to 4000×3000 with grain, so the encoders see
  // photo-like detail rather than a flat or pure-noise image.
  const photo = readFileSync("tests/fixtures/photos/camera-gps-landscape.jpg");
  const grain = await sharp({
    create: { width: 4000, height: 3000, channels: 3, background: "#808080", noise: { type: "gaussian", mean: 128, sigma: 12 } },
  })
    .png()
    .toBuffer();
  const pixels = await sharp(photo)
    .resize(4000, 3000, { fit: "fill" })
    .composite([{ input: grain, blend: "soft-light" }])
    .raw()
    .toBuffer({ resolveWithObject: true });
  const base = () => sharp(pixels.data, { raw: pixels.info as CreateRaw });
  const exif = { IFD0: { Make: "Snapshelf", Model: "Bench", DateTime: "2024:05:01 12:00:00" } };
  const inputs: Input[] = [
    { name: "12 MP JPEG (4000×3000, q90)", data: await base().jpeg({ quality: 90 }).withExif(exif).toBuffer(), headline: "jpeg" },
    { name: "12 MP PNG (4000×3000, RGB)", data: await base().png().toBuffer(), headline: "png" },
    { name: "12 MP HEIC (4000×3000, heif-enc q50)", data: readFileSync("bench/fixtures/synthetic-12mp.heic"), headline: "heic" },
    {
      name: "12 MP JPEG, EXIF orientation 6",
      data: await base().jpeg({ quality: 90 }).withExif({ IFD0: { ...exif.IFD0, Orientation: "6" } }).toBuffer(),
    },
  ];
  // The orientation-6 JPEG (same cost as the plain one plus a rotation) only with --all, to keep `npm run bench` short.
  if (QUICK) return inputs.filter((input) => input.headline === "jpeg");
  return ALL_FIXTURES ? inputs : inputs.filter((input) => input.headline);
}

/**
 * Peak RSS of a fresh process that processes `file` once, next to that
 * process's RSS just before (modules loaded, sharp and the HEIC wasm warmed
 * up on a tiny image). A fresh process, because RSS never goes down enough
 * to measure one image after another.
 */
function measureInFreshProcess(file: string): { baselineMb: number; peakMb: number } {
  const child = spawnSync(
    process.execPath,
    [...process.execArgv, ...process.argv.slice(1, 2), "--rss", file],
    { encoding: "utf8" },
  );
  const line = child.stdout.trim().split("\n").at(-1) ?? "";
  const [baselineMb, peakMb] = line.split(" ").map(Number);
  if (child.status !== 0 || !Number.isFinite(baselineMb) || !Number.isFinite(peakMb)) {
    throw new Error(`rss child failed: ${child.stderr}`);
  }
  return { baselineMb: baselineMb!, peakMb: peakMb! };
}

/**
 * Linux's VmHWM (peak RSS of this process image). Not resourceUsage().maxRSS:
 * that survives fork+exec, so a child reports its parent's peak.
 */
function peakRssMb(): number {
  const match = /^VmHWM:\s+(\d+) kB/m.exec(readFileSync("/proc/self/status", "utf8"));
  return Number(match?.[1]) / 1024;
}

async function rssChild(file: string): Promise<void> {
  const { processImage } = await import("../lib/images/process");
  const warmUp = await sharp({ create: { width: 8, height: 8, channels: 3, background: "#fff" } }).jpeg().toBuffer();
  await processImage(warmUp, { maxPixels: MAX_PIXELS });
  const input = readFileSync(file);
  // "5" resets VmHWM to the current RSS (Linux ≥ 4.0).
  writeFileSync("/proc/self/clear_refs", "5");
  const baseline = process.memoryUsage().rss / 1024 ** 2;
  await processImage(input, { maxPixels: MAX_PIXELS });
  console.log(`${baseline.toFixed(0)} ${peakRssMb().toFixed(0)}`);
}

function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(" / ");
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms.toFixed(1);
}

async function main(): Promise<void> {
  const { processImage } = await import("../lib/images/process");
  const ours: Job = (input) => processImage(input, { maxPixels: MAX_PIXELS });
  // The bare minimum: orient, one resize, one WebP with our large variant's settings.
  const resize = (image: Sharp) =>
    image.rotate().resize(2048, 2048, { fit: "inside", withoutEnlargement: true }).webp({ quality: 82, effort: 2 }).toBuffer();
  const rawSharp: Job = (input) => resize(sharp(input));
  // sharp cannot decode HEVC, so for HEIC the bare minimum is libheif (heic-decode, wasm) then the same resize.
  // heic-decode ships no types; this is its documented call.
  const heicDecode = createRequire(import.meta.url)("heic-decode") as (input: { buffer: Uint8Array }) => Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
  const rawHeic: Job = async (input) => {
    const { width, height, data } = await heicDecode({ buffer: new Uint8Array(input) });
    return resize(sharp(Buffer.from(data.buffer, data.byteOffset, data.byteLength), { raw: { width, height, channels: 4 } }));
  };

  const cores = os.availableParallelism();
  const parallel = cores;
  console.log("## Image processing benchmark\n");
  console.log(
    `Machine: ${cores} cores (${os.cpus()[0]?.model.trim() ?? "unknown CPU"}), ` +
      `${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB RAM, Node ${process.version}, ` +
      `sharp ${sharp.versions.sharp} / libvips ${sharp.versions.vips}, ` +
      `sharp.concurrency() = ${sharp.concurrency()}, UV_THREADPOOL_SIZE = ${process.env.UV_THREADPOOL_SIZE ?? "4 (default)"}, ` +
      `load average at start ${loadAverage()} (other work on the machine skews the timings).`,
  );
  console.log(
    `Medians of ${RUNS} runs (3 for inputs over ${SLOW_MS / 1000} s) after a warm-up. "ours" = processImage (sniff, header check, EXIF, ` +
      `one decode, 2048 px + 480 px WebP, thumbhash); "raw sharp" = sharp(buf).rotate().resize(2048, 2048, inside)` +
      `.webp({ quality: 82, effort: 2 }), i.e. our large variant alone. ×N = N images in flight.\n`,
  );

  const inputs: Input[] = [
    ...(await synthetic12mp()),
    ...(ALL_FIXTURES ? FIXTURES.map((name) => ({ name, data: readFileSync(`tests/fixtures/photos/${name}`) })) : []),
  ];

  console.log(
    `| input | MP | ours ms | raw ms | ours ÷ raw throughput | ours img/s ×1 | raw img/s ×1 | ours img/s ×${parallel} | raw img/s ×${parallel} | longest event-loop block (ours) |`,
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  const rows: ProcessingRow[] = [];
  for (const input of inputs) {
    const { width, height } = await sharp(input.data).metadata();
    const megapixels = (width * height) / 1e6;
    const sharpDecodes = await rawSharp(input.data).then(
      () => true,
      () => false,
    );
    const raw = sharpDecodes ? rawSharp : rawHeic;
    // Paired per turn: raw first, so the ratio reads "ours' share of raw's speed".
    const warmStarted = performance.now();
    await ours(input.data);
    const slow = performance.now() - warmStarted > SLOW_MS;
    const runs = slow ? Math.min(RUNS, 3) : RUNS;
    const batches = QUICK || slow ? 1 : 3;
    const { medians, ratio } = await timeTogether([raw, ours], input.data, runs);
    const [rawMs = Number.NaN, oursMs = Number.NaN] = medians;
    const oursRate = await throughput(ours, input.data, parallel, batches);
    const rawRate = await throughput(raw, input.data, parallel, batches);
    const block = await longestBlock(ours, input.data);
    const row: ProcessingRow = {
      input: input.name,
      headline: input.headline,
      megapixels,
      bytes: input.data.length,
      oursMs,
      rawMs,
      rawKind: sharpDecodes ? "sharp" : "heic-decode + sharp",
      throughputRatio: ratio,
      oursSerialPerSecond: 1000 / oursMs,
      rawSerialPerSecond: 1000 / rawMs,
      parallel,
      oursParallelPerSecond: oursRate,
      rawParallelPerSecond: rawRate,
      parallelRatio: oursRate / rawRate,
      longestBlockMs: block,
    };
    rows.push(row);
    console.log(
      `| ${input.name} | ${megapixels.toFixed(1)} | ${formatMs(oursMs)} | ${formatMs(rawMs)}${sharpDecodes ? "" : " (heic-decode + sharp)"} | ` +
        `${ratio.toFixed(2)}× | ${(1000 / oursMs).toFixed(1)} | ${(1000 / rawMs).toFixed(1)} | ${oursRate.toFixed(1)} | ${rawRate.toFixed(1)} | ${formatMs(block)} ms |`,
    );
  }

  console.log(`\nLoad average at the end: ${loadAverage()}.`);
  console.log("\n### Memory: one processImage call in a fresh process\n");
  console.log("| input | RSS before (MB) | peak RSS (MB) | growth (MB) |");
  console.log("|---|---:|---:|---:|");
  const scratch = mkdtempSync(path.join(os.tmpdir(), "snapshelf-bench-"));
  try {
    for (const [index, input] of inputs.entries()) {
      const file = path.join(scratch, String(index));
      writeFileSync(file, input.data);
      const { baselineMb, peakMb } = measureInFreshProcess(file);
      console.log(`| ${input.name} | ${baselineMb} | ${peakMb} | ${peakMb - baselineMb} |`);
      Object.assign(rows[index]!, { rssBeforeMb: baselineMb, rssPeakMb: peakMb });
    }
  } finally {
    rmSync(scratch, { recursive: true, force: true });
  }
  if (JSON_OUT) {
    const machine = {
      sharp: sharp.versions.sharp,
      vips: sharp.versions.vips,
      sharpConcurrency: sharp.concurrency(),
      threadpool: process.env.UV_THREADPOOL_SIZE ?? "4 (default)",
      runs: RUNS,
      slowRuns: Math.min(RUNS, 3),
    };
    writeFileSync(JSON_OUT, JSON.stringify({ machine, rows }, null, 2));
  }
}

// lib/images/heic.ts unrefs its decoder worker (a server must be able to exit while
// it idles), so a pending HEIC decode alone does not keep a script alive: this does.
const keepAlive = setInterval(() => {}, 60_000);
const rssIndex = process.argv.indexOf("--rss");
const run = rssIndex > 0 ? rssChild(process.argv[rssIndex + 1] ?? "") : main();
run.then(
  () => clearInterval(keepAlive),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
