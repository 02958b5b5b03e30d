// Turns one run's figures into docs/BENCHMARKS.md and docs/charts/*.svg. The
// "What it means" section is written by hand and kept across runs (between the
// hand-written markers); everything else is regenerated.
//
//   npx tsx bench/report.ts <results.json> [out-dir]   re-renders a saved run
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { BrowserResult } from "./browser";
import type { FeedRow } from "./feed";
import type { PresignRow } from "./presign";
import type { ProcessingRow } from "./processing";
import { lineChart, siTick, type Series } from "./lib/svg";
import { formatBytes, GiB, median, MiB, sig, type MachineInfo } from "./lib/stats";
import { perGb, type UploadCellResult } from "./upload";
import { MAX_PARTS } from "../lib/photos/parts";
import { PARTS_IN_FLIGHT, PARTS_PER_SIGNING } from "../lib/upload-client/send-file";

export interface BenchResults {
  quick: boolean;
  huge: boolean;
  machine: MachineInfo;
  startedAt: string;
  /** The code measured (commit, or a note when it was not a clean checkout). */
  source?: string;
  totalSeconds?: number;
  sectionSeconds?: Record<string, number>;
  appStartSeconds?: number;
  serverDatabase?: string;
  errors: string[];
  upload?: { cells: UploadCellResult[]; collisions: { sent: number; distinctKeys: number } };
  presign?: PresignRow[];
  processing?: { machine: Record<string, unknown>; rows: ProcessingRow[] };
  feed?: (FeedRow & { seedSeconds?: number })[];
  browser?: BrowserResult;
}

const HAND_START = "<!-- hand-written:start -->";
const HAND_END = "<!-- hand-written:end -->";

const GOALS = {
  bytesPerPhoto: 4 * 1024,
  cpuFactor: 50,
  presignPerSecond: 500,
  processingRatio: 0.8,
  feedRatio: 1.2,
  feedP95Ms: 30,
  jsGzipBytes: 150 * 1024,
  lcpMs: 1500,
};

const sizeLabel = (bytes: number) => (bytes >= GiB ? `${bytes / GiB} GB` : `${bytes / MiB} MB`);
const ms = (value: number) => `${sig(value)} ms`;
const verdict = (met: boolean, miss: string) => (met ? "✅ met" : `❌ missed: ${miss}`);

function table(header: string[], rows: (string | number)[][], align?: string[]): string {
  const line = (cells: (string | number)[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(align ?? header.map((_, i) => (i === 0 ? "---" : "---:"))), ...rows.map(line)].join("\n");
}

function uploadPairs(cells: UploadCellResult[]) {
  const pairs: { size: number; concurrency: number; proxy: UploadCellResult; direct: UploadCellResult }[] = [];
  for (const proxy of cells.filter((c) => c.system === "proxy")) {
    const direct = cells.find((c) => c.system === "direct" && c.fileBytes === proxy.fileBytes && c.concurrency === proxy.concurrency);
    if (direct) pairs.push({ size: proxy.fileBytes, concurrency: proxy.concurrency, proxy, direct });
  }
  return pairs;
}

function goalsTable(r: BenchResults): string {
  const rows: string[][] = [];
  if (r.upload) {
    const pairs = uploadPairs(r.upload.cells);
    const worstBytes = Math.max(...pairs.map((p) => perGb(p.direct).bytesPerPhoto));
    rows.push([
      "1. App server bytes per photo (direct flow), any size",
      "< 4 KB",
      `${formatBytes(worstBytes)} at most (headers included)`,
      verdict(worstBytes < GOALS.bytesPerPhoto, `${formatBytes(worstBytes - GOALS.bytesPerPhoto)} over`),
    ]);
    const factors = pairs.map((p) => ({ p, factor: p.proxy.cpuSeconds / p.direct.cpuSeconds }));
    const worst = factors.reduce((a, b) => (b.factor < a.factor ? b : a));
    const best = factors.reduce((a, b) => (b.factor > a.factor ? b : a));
    rows.push([
      "1. App-server CPU, proxy ÷ direct",
      "≥ 50×",
      `${sig(worst.factor)}× (${sizeLabel(worst.p.size)} ×${worst.p.concurrency}) to ${sig(best.factor)}× (${sizeLabel(best.p.size)} ×${best.p.concurrency})`,
      verdict(worst.factor >= GOALS.cpuFactor, (() => {
        const ok = factors.filter((f) => f.factor >= GOALS.cpuFactor).map((f) => f.p.size);
        return ok.length
          ? `${sig(worst.factor)}× at ${sizeLabel(worst.p.size)}; met from ${sizeLabel(Math.min(...ok))}`
          : `at every size (best ${sig(best.factor)}×, ${sig(GOALS.cpuFactor / best.factor)}× short)`;
      })()),
    ]);
  }
  if (r.presign) {
    const b20 = r.presign.find((row) => row.batch === 20 && row.ratioToRaw !== undefined);
    const b1 = r.presign.find((row) => row.batch === 1 && row.ratioToRaw !== undefined);
    if (b20 && b1) {
      rows.push([
        "2. Presigned URLs/s through the action (2 cores)",
        "≥ 500/s",
        `${sig(b20.urlsPerSecond)}/s in batches of 20, ${sig(b1.urlsPerSecond)}/s one per call`,
        verdict(b20.urlsPerSecond >= GOALS.presignPerSecond, `${sig(GOALS.presignPerSecond / b20.urlsPerSecond)}× short in batches of 20`) +
          (b1.urlsPerSecond < GOALS.presignPerSecond ? ` (one per call: ${sig(b1.urlsPerSecond)}/s)` : ""),
      ]);
    }
  }
  const jpeg = r.processing?.rows.find((row) => row.headline === "jpeg");
  if (jpeg) {
    rows.push([
      "3. Processing a 12 MP JPEG, ours ÷ raw sharp",
      "≥ 0.8×",
      `${sig(jpeg.throughputRatio)}× one at a time, ${sig(jpeg.parallelRatio)}× with ${jpeg.parallel} in flight`,
      verdict(jpeg.throughputRatio >= GOALS.processingRatio, `${sig(jpeg.throughputRatio)}×`),
    ]);
  }
  const pgFeed = r.feed?.filter((f) => f.database.startsWith("PostgreSQL")).at(-1) ?? r.feed?.at(-1);
  if (pgFeed) {
    const ratio = Math.max(pgFeed.http.p50Ratio, pgFeed.http.p95Ratio);
    rows.push([
      `4. Feed page ${pgFeed.deepPage.toLocaleString("en")} ÷ page 1 (${pgFeed.photos.toLocaleString("en")} photos, ${pgFeed.database})`,
      "≤ 1.2",
      `p50 ${sig(pgFeed.http.p50Ratio)}, p95 ${sig(pgFeed.http.p95Ratio)}`,
      verdict(ratio <= GOALS.feedRatio, `${sig(ratio)}`),
    ]);
    const p95 = Math.max(pgFeed.http.page1.p95, pgFeed.http.deep.p95);
    rows.push([
      "4. Feed p95 (whole request, as seen on localhost)",
      "< 30 ms",
      ms(p95),
      verdict(p95 < GOALS.feedP95Ms, `${ms(p95 - GOALS.feedP95Ms)} over`),
    ]);
  }
  if (r.browser) {
    const b = r.browser;
    rows.push(["5. Gallery CLS (1,000 photos)", "0", `${sig(b.cls, 2)} on load, ${sig(b.scrollCls, 2)} while scrolling`, verdict(b.cls === 0 && b.scrollCls === 0, `${sig(Math.max(b.cls, b.scrollCls), 2)}`)]);
    rows.push(["5. First-load JS (gzip)", "≤ 150 KB", formatBytes(b.jsGzipBytes), verdict(b.jsGzipBytes <= GOALS.jsGzipBytes, `${formatBytes(b.jsGzipBytes - GOALS.jsGzipBytes)} over`)]);
    rows.push(["5. LCP on localhost", "< 1.5 s", ms(b.lcpMs), verdict(b.lcpMs < GOALS.lcpMs, `${ms(b.lcpMs - GOALS.lcpMs)} over`)]);
  }
  return table(["goal", "target", "measured", "verdict"], rows, ["---", "---", "---", "---"]);
}

function uploadSection(r: BenchResults, charts: Map<string, string>): string {
  if (!r.upload) return "";
  const pairs = uploadPairs(r.upload.cells);
  const rows = r.upload.cells.map((cell) => {
    const g = perGb(cell);
    const pair = pairs.find((p) => p.size === cell.fileBytes && p.concurrency === cell.concurrency);
    const factor = pair ? pair.proxy.cpuSeconds / pair.direct.cpuSeconds : Number.NaN;
    return [
      sizeLabel(cell.fileBytes),
      cell.concurrency,
      cell.system === "proxy" ? "proxy (Express + multer-s3)" : "direct (ours)",
      `${cell.ok}/${cell.files}${cell.runs > 1 ? ` (${cell.runs} runs)` : ""}${cell.ok < cell.files ? " ⚠ per-GB figures count the failed bytes" : ""}`,
      sig(g.cpuSecondsPerGb),
      cell.system === "direct" ? `**${sig(factor)}× less**` : "",
      formatBytes(cell.peakRssBytes),
      formatBytes(g.bytesPerPhoto),
      formatBytes(g.bodyBytesPerPhoto),
      sig(g.wallSecondsPerGb),
      sig(g.throughputMBps),
    ];
  });
  const series = (system: "proxy" | "direct", concurrency: number, color: string, dashed: boolean, pick: (c: UploadCellResult) => number): Series => ({
    name: `${system === "proxy" ? "proxy" : "direct"} ×${concurrency}`,
    color,
    dashed,
    points: r.upload!.cells.filter((c) => c.system === system && c.concurrency === concurrency).map((c) => ({ x: c.fileBytes / MiB, y: pick(c) })),
  });
  const xTicks = [...new Set(r.upload.cells.map((c) => c.fileBytes))].map((b) => ({ value: b / MiB, label: sizeLabel(b) }));
  const cpu = (c: UploadCellResult) => perGb(c).cpuSecondsPerGb;
  const bytes = (c: UploadCellResult) => perGb(c).bytesPerPhoto;
  charts.set(
    "upload-cpu.svg",
    lineChart(
      [series("proxy", 1, "#b45309", false, cpu), series("proxy", 16, "#b45309", true, cpu), series("direct", 1, "#1d4ed8", false, cpu), series("direct", 16, "#1d4ed8", true, cpu)],
      { title: "App-server CPU per GB uploaded", xLabel: "file size", yLabel: "CPU seconds per GB (log)", logX: true, logY: true, xTicks },
    ),
  );
  charts.set(
    "upload-bytes.svg",
    lineChart(
      [series("proxy", 1, "#b45309", false, bytes), series("proxy", 16, "#b45309", true, bytes), series("direct", 1, "#1d4ed8", false, bytes), series("direct", 16, "#1d4ed8", true, bytes)],
      {
        title: "Bytes the app server receives per photo",
        xLabel: "file size",
        yLabel: "bytes per photo (log)",
        yFormat: (value) => `${siTick(value)}B`,
        logX: true,
        logY: true,
        xTicks,
        reference: { y: GOALS.bytesPerPhoto, label: "goal: 4 KB" },
      },
    ),
  );
  const errors = r.upload.cells.filter((c) => c.errors.length).map((c) => `- ${c.system} ${sizeLabel(c.fileBytes)} ×${c.concurrency}: ${c.errors.length} failed (${[...new Set(c.errors)].slice(0, 2).join("; ")})`);
  const idle = (system: "proxy" | "direct") => {
    const values = r.upload!.cells.filter((c) => c.system === system).map((c) => c.idleRssBytes);
    return formatBytes(Math.min(...values));
  };
  const c = r.upload.collisions;
  return `## 1. Upload path: direct to storage vs the classic proxy

Both systems upload the same files to the same embedded S3 (s3rver, in its own process), one system after the other in
alternating order, in the same run. **proxy** = \`bench/baselines/express-multer-s3.ts\`: Express 5 + multer 2 + multer-s3 3
exactly as their READMEs set them up (key \`\${Date.now()}-\${originalname}\`, answers with the object's location, no limits,
no tuning). **direct** = our app as \`npm start\` runs it (Next.js production server, ${r.serverDatabase ?? "PostgreSQL"}),
driven over HTTP the way the browser's uploader does it: \`createUploadsAction\` for up to 100 files per call, then a PUT
of each file straight to storage with the signed URL (multipart above 32 MiB: parts of 8 MiB, or larger so that a file
takes at most ${MAX_PARTS}, ${PARTS_IN_FLIGHT} in flight, signed ${PARTS_PER_SIGNING} at a time through \`signPartsAction\`), then \`completeUploadAction\`. Each server sits behind the same byte-counting TCP
relay; in the direct flow the PUTs to storage cross an identical relay, so both pay the same extra hop for bulk bytes.
CPU = user + system time of the server process and its children from \`/proc/<pid>/stat\`; peak RSS = the kernel's
high-water mark (VmHWM, reset before each cell); idle RSS before the runs: proxy ${idle("proxy")}, direct ${idle("direct")}.

**What is measured, honestly:** the files are random bytes (with no image signature), named \`IMG_*.jpg\` and sent as
\`image/jpeg\`. Our flow verifies size and content on complete, finds no image and ends the photo FAILED with "not a
photo we can read", deleting the object — so the direct column covers presign → PUT → verification (HEAD, a 4 KB range
read, the FAILED bookkeeping and the deletion), but not image processing, which a proxy-based app would have to do too
(section 3 measures it). The proxy stores the bytes and checks nothing.

![CPU per GB](charts/upload-cpu.svg)

${table(
  ["file", "in flight", "system", "files ok", "app CPU-s / GB", "CPU vs proxy", "peak RSS", "bytes in / photo", "bodies / photo", "wall s / GB", "MB/s"],
  rows,
)}

"bytes in / photo" counts everything the app server received (request lines, headers with the session cookie, bodies);
"bodies / photo" the request bodies alone. Medians over the runs shown; peak RSS is the highest of the runs.

![bytes per photo](charts/upload-bytes.svg)

${errors.length ? `Failures:\n${errors.join("\n")}\n` : "No upload failed in either system.\n"}
**What breaks first.**
- Proxy, correctness: ${c.sent} simultaneous uploads of files with the same name left **${c.distinctKeys} object${c.distinctKeys === 1 ? "" : "s"}** —
  ${c.distinctKeys < c.sent ? `\`\${Date.now()}-\${originalname}\` keys collided within a millisecond and ${c.sent - c.distinctKeys} file${c.sent - c.distinctKeys === 1 ? " was" : "s were"} silently overwritten.` : `no collision this time, but \`\${Date.now()}-\${originalname}\` keys collide whenever two such uploads are stored in the same millisecond, and the later silently overwrites the earlier.`}
  Our keys are \`users/<owner>/<uuid>/original\`.
- Proxy, resources: every byte crosses its one Node process (about ${sig(median(r.upload.cells.filter((x) => x.system === "proxy").map((x) => perGb(x).cpuSecondsPerGb)))} CPU-seconds per GB), so one core caps a server's total
  upload rate, and memory grows with the uploads in flight (lib-storage buffers up to 4 × 5 MB parts per upload).
- Proxy, platforms: a request body must fit the platform's limit — Vercel Functions 4.5 MB, AWS Lambda 6 MB through
  API Gateway (10 MB payload cap), Cloudflare's proxy 100 MB on Free/Pro plans, Next.js server actions 1 MB by default —
  (documented limits, not measured here), and long uploads hit request timeouts.
- Direct: the app server sees only the small action calls; the per-photo work is fixed (session, rows, signing,
  verification), so it dominates for small files. Limits that bite first are ours and configurable:
  \`PRESIGN_RATE_LIMIT_PER_MINUTE\` (600 files per account per minute by default; raised for this benchmark),
  \`USER_QUOTA_BYTES\` and \`UPLOAD_MAX_BYTES\` (50 MB by default; raised to 2 GB here), and storage's own throughput.
${r.huge ? "" : "- The 1 GB × 16 cell (16 GB through each system) is left out of the timed run: at this machine's storage emulator speed it\n  alone would take longer than the 15-minute budget. `npm run bench -- --huge` adds it.\n"}`;
}

function presignSection(r: BenchResults): string {
  if (!r.presign) return "";
  const rows = r.presign.map((row) => [
    row.label,
    row.inFlight,
    `**${sig(row.urlsPerSecond)}**`,
    row.cpuMsPerUrl !== undefined ? sig(row.cpuMsPerUrl) : "–",
    row.ratioToRaw !== undefined ? `${sig(row.ratioToRaw)}×` : "1×",
    row.errors,
  ]);
  return `## 2. Presign throughput

\`createUploadsAction\` called over HTTP like the browser calls it (session lookup, zod, rate limit, quota transaction
with a per-owner advisory lock, PENDING rows, one presigned PUT per file), ${r.presign[0]?.inFlight ?? 8} calls in flight, for a few
seconds per turn, turns interleaved with the raw loop; medians of ${r.presign[0]?.runs ?? 1} turns. "raw" is the AWS SDK's
\`getSignedUrl\` with the same signed headers, alone in a loop in the benchmark process (one core, nothing else).

${table(["what", "calls in flight", "URLs/s", "app CPU ms / URL", "÷ raw", "errors"], rows)}
`;
}

function processingSection(r: BenchResults): string {
  if (!r.processing) return "";
  const rows = r.processing.rows.map((row) => [
    row.input,
    sig(row.oursMs),
    `${sig(row.rawMs)}${row.rawKind === "sharp" ? "" : " (heic-decode + sharp)"}`,
    sig(row.oursSerialPerSecond),
    sig(row.rawSerialPerSecond),
    `**${sig(row.throughputRatio)}×**`,
    `${sig(row.oursParallelPerSecond)} / ${sig(row.rawParallelPerSecond)}`,
    `${sig(row.parallelRatio)}×`,
    ms(row.longestBlockMs),
    row.rssPeakMb !== undefined && row.rssBeforeMb !== undefined ? `${row.rssPeakMb - row.rssBeforeMb} MB` : "–",
  ]);
  const m = r.processing.machine;
  return `## 3. Processing per photo

"ours" = \`processImage\` from lib/images (sniff, header and pixel-limit check, EXIF orientation, one decode, 2048 px and
480 px WebP variants without metadata, thumbhash, EXIF date and camera). "raw" = \`sharp(buf).rotate().resize(2048, 2048,
{ fit: "inside" }).webp({ quality: 82, effort: 2 })\`, i.e. our large variant alone; for HEIC, which sharp's prebuilt
libvips cannot decode, raw = heic-decode (libheif in wasm) then that same resize. The 12 MP inputs are one picture
(a real photo upscaled to 4000×3000 with grain) as JPEG q90, PNG and HEIC (\`bench/fixtures/synthetic-12mp.heic\`).
sharp ${m.sharp} / libvips ${m.vips}, sharp.concurrency() = ${m.sharpConcurrency}. Paired medians (the two take turns) of ${m.runs} runs.

${table(["input", "ours ms", "raw ms", "ours img/s", "raw img/s", "ours ÷ raw", `img/s with ${r.processing.rows[0]?.parallel ?? 2} in flight (ours / raw)`, "÷ raw", "longest event-loop block", "peak RSS growth"], rows)}
`;
}

function feedSection(r: BenchResults, charts: Map<string, string>): string {
  if (!r.feed?.length) return "";
  const rows = r.feed.map((f) => [
    f.database,
    f.photos.toLocaleString("en"),
    f.deepPage.toLocaleString("en"),
    `${sig(f.http.page1.p50)} / ${sig(f.http.page1.p95)}`,
    `${sig(f.http.deep.p50)} / ${sig(f.http.deep.p95)}`,
    `**${sig(f.http.p50Ratio)} / ${sig(f.http.p95Ratio)}**`,
    `${sig(f.query.page1.p50)} / ${sig(f.query.page1.p95)}`,
    `${sig(f.query.deep.p50)} / ${sig(f.query.deep.p95)}`,
    f.plan.usesIndex && !f.plan.sorts && !f.plan.seqScan ? "index range scan, no sort" : `⚠ ${f.plan.seqScan ? "seq scan " : ""}${f.plan.sorts ? "sort" : ""}`,
    f.verified ? "yes" : "**no**",
    f.seedSeconds !== undefined ? `${sig(f.seedSeconds)} s` : "–",
  ]);
  const deepest = r.feed.filter((f) => f.database.startsWith("PostgreSQL")).at(-1) ?? r.feed.at(-1)!;
  const byDb = [...new Set(r.feed.map((f) => f.database))];
  const colors = ["#1d4ed8", "#059669", "#b45309"];
  const series: Series[] = byDb.flatMap((db, i) => [
    { name: `${db.split(" ")[0]} page 1 p95`, color: colors[i % 3]!, points: r.feed!.filter((f) => f.database === db).map((f) => ({ x: f.photos, y: f.http.page1.p95 })) },
    { name: `${db.split(" ")[0]} deep p95`, color: colors[i % 3]!, dashed: true, points: r.feed!.filter((f) => f.database === db).map((f) => ({ x: f.photos, y: f.http.deep.p95 })) },
  ]);
  if (r.feed.length > 1) {
    charts.set(
      "feed-latency.svg",
      lineChart(series, {
        title: "Feed request p95: page 1 vs deep page",
        xLabel: "photos in the account",
        yLabel: "ms",
        logX: true,
        xTicks: [...new Set(r.feed.map((f) => f.photos))].map((n) => ({ value: n, label: n.toLocaleString("en") })),
        reference: { y: GOALS.feedP95Ms, label: "goal: 30 ms" },
      }),
    );
  }
  return `## 4. Feed at 10k and 100k photos

Accounts filled by the project's seed script (\`npm run db:seed-demo\`, READY rows on a realistic timeline with bursts of equal
timestamps). "request" = \`GET /api/photos?cursor=…\` on the running app (session lookup, the keyset query, 60 signed
thumbnail URLs, JSON), timed by the client on localhost, so it is an upper bound of the server time; page 1 and the deep
page alternate, ${deepest.http.page1.samples} samples each after a warm-up. The deep page is page 1,000 (or the last page when there are fewer), fetched with
the cursor the gallery would hold there; "checked" = its first photo is the one at that offset in the full ordering.
"query" = the SQL the data layer sends (captured from Prisma by bench/lib/feed-sql.ts calling \`listPhotoPage\`), run through \`pg\`. p50 / p95 in ms.${(() => {
  const raw = r.presign?.find((row) => row.ratioToRaw === undefined);
  return raw
    ? `\nFor scale: with the AWS SDK's \`getSignedUrl\` (${sig(raw.urlsPerSecond)}/s in section 2) a page's 60 thumbnail URLs would take about ${sig((60 / raw.urlsPerSecond) * 1000)} ms of one core; lib/storage/s3-url-signer.ts signs them with the SDK's presigner on a prebuilt request for about a ninth of that.`
    : "";
})()}

${table(["database", "photos", "deep page", "request page 1", "request deep", "deep ÷ page 1 (p50 / p95)", "query page 1", "query deep", "plan", "checked", "seed time"], rows)}
${r.feed.length > 1 ? "\n![feed latency](charts/feed-latency.svg)\n" : ""}
Plan of the deep-page query, ${deepest.database}, ${deepest.photos.toLocaleString("en")} photos (\`EXPLAIN (ANALYZE, BUFFERS)\` of the SQL Prisma sent):

\`\`\`sql
${deepest.plan.sql ?? ""}
\`\`\`

\`\`\`
${deepest.plan.text}
\`\`\`
`;
}

function browserSection(r: BenchResults): string {
  if (!r.browser) return "";
  const b = r.browser;
  return `## 5. The gallery in a browser

Debian's Chromium driven by Playwright, 1280×800, an account with ${b.photos.toLocaleString("en")} photos (seed script; their thumbnails are real WebP
files served by the embedded S3 through signed URLs), each load in a fresh browser context (cold cache), signed in, then
\`/\`. LCP and CLS from the browser's own PerformanceObserver entries; JS = every script the first load fetched, gzip-compressed
here (level 6, like Next's compression). Median of ${b.loads} load${b.loads === 1 ? "" : "s"}; the scroll pass (12 wheel steps of 1,600 px through the infinite scroll)
runs once.

${table(
  ["first-load JS (gzip)", "raw", "scripts", "LCP", "LCP element", "CLS on load", "CLS while scrolling", "img elements on load / after scrolling"],
  [[`**${formatBytes(b.jsGzipBytes)}**`, formatBytes(b.jsRawBytes), b.jsFiles, `**${ms(b.lcpMs)}**`, b.lcpElement || "–", `**${sig(b.cls, 2)}**`, sig(b.scrollCls, 2), `${b.imagesInDom} / ${b.imagesInDomAfterScroll}`]],
)}

LCP of each load: ${b.lcpAllMs.map((v) => ms(v)).join(", ")}. Largest scripts (gzip): ${(b.largestScripts ?? []).map((x) => `\`${x.name}\` ${formatBytes(x.gzipBytes)}`).join(", ")}.
`;
}

function machineLine(r: BenchResults): string {
  const m = r.machine;
  return `${m.cores} cores (${m.cpuModel}), ${m.ramGiB} GiB RAM, Node ${m.node}, load average at the start ${m.loadAverage.join(" / ")}`;
}

const DEFAULT_HAND_WRITTEN = `## What it means

(Written by hand after a full run; kept when the rest of this file is regenerated.)
`;

export function renderMarkdown(r: BenchResults, handWritten: string, charts: Map<string, string>): string {
  const sections = [uploadSection(r, charts), presignSection(r), processingSection(r), feedSection(r, charts), browserSection(r)].filter(Boolean);
  const timing = r.sectionSeconds
    ? Object.entries(r.sectionSeconds)
        .map(([name, seconds]) => `${name} ${sig(seconds)} s`)
        .join(", ")
    : "";
  return `# Benchmarks

Generated by \`npm run bench${r.quick ? ":quick" : ""}\` (bench/run.ts) on ${r.startedAt.slice(0, 16).replace("T", " ")} UTC, in ${sig((r.totalSeconds ?? 0) / 60)} min
(${timing}${r.appStartSeconds !== undefined ? `; app start incl. any build ${sig(r.appStartSeconds)} s` : ""}).
Code measured: ${r.source ?? "not recorded"}. Machine: ${machineLine(r)}. Other work shares this machine, so absolute numbers move between runs; the comparisons are
made within one run, side by side or interleaved, and are what to read. Everything runs on 127.0.0.1.
${r.errors.length ? `\n**Errors in this run:**\n\n\`\`\`\n${r.errors.join("\n")}\n\`\`\`\n` : ""}
## Goals

${goalsTable(r)}

${HAND_START}
${handWritten.trim()}
${HAND_END}

${sections.join("\n")}`;
}

/** Writes BENCHMARKS.md and the charts into `outDir` (charts/ beside it); returns the files written. */
export function writeReport(r: BenchResults, outDir: string): string[] {
  mkdirSync(path.join(outDir, "charts"), { recursive: true });
  const file = path.join(outDir, "BENCHMARKS.md");
  const previous = existsSync(file) ? readFileSync(file, "utf8") : "";
  const start = previous.indexOf(HAND_START);
  const end = previous.indexOf(HAND_END);
  const handWritten = start >= 0 && end > start ? previous.slice(start + HAND_START.length, end) : DEFAULT_HAND_WRITTEN;
  const charts = new Map<string, string>();
  writeFileSync(file, renderMarkdown(r, handWritten, charts));
  const written = [file];
  for (const [name, svg] of charts) {
    const chartFile = path.join(outDir, "charts", name);
    writeFileSync(chartFile, svg);
    written.push(chartFile);
  }
  return written;
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const [input, out] = process.argv.slice(2);
  if (!input) {
    console.error("usage: tsx bench/report.ts <results.json> [out-dir]");
    process.exit(2);
  }
  const results = JSON.parse(readFileSync(input, "utf8")) as BenchResults;
  console.log(writeReport(results, out ?? path.join(process.cwd(), "docs")).join("\n"));
}
