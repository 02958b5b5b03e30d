// Section 2: presigned upload URLs per second through the real server action over
// HTTP (createUploadsAction: session, validation, rate limit, quota transaction,
// PENDING rows, signing), next to the AWS SDK's getSignedUrl alone in a loop.
import { PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { getSignedUrl } from "@aws-sdk/s3-request-presigner";
import { ActionClient, GALLERY_ACTIONS } from "./lib/actions";
import { treeCpuSeconds } from "./lib/proc";
import type { S3Service } from "./lib/services";
import { median } from "./lib/stats";

export interface PresignRow {
  label: string;
  batch: number;
  /** Calls in flight at once (one per simulated browser tab). */
  inFlight: number;
  urlsPerSecond: number;
  /** App-server CPU milliseconds per URL (undefined for the in-process loop). */
  cpuMsPerUrl?: number;
  /** ours ÷ raw getSignedUrl, per run, median. */
  ratioToRaw?: number;
  runs: number;
  errors: number;
}

type Result = { ok: true; data: { ok: boolean }[] } | { ok: false; error: { message: string } };

async function actionRun(client: ActionClient, batch: number, inFlight: number, seconds: number, appPid: number) {
  const files = Array.from({ length: batch }, (_, i) => ({ name: `IMG_${i}.jpg`, type: "image/jpeg", size: 3_000_000 }));
  let urls = 0;
  let errors = 0;
  const cpuBefore = treeCpuSeconds(appPid);
  const started = performance.now();
  const deadline = started + seconds * 1000;
  await Promise.all(
    Array.from({ length: inFlight }, async () => {
      while (performance.now() < deadline) {
        const { result } = await client.call<Result>(GALLERY_ACTIONS, "createUploadsAction", { files });
        if (result.ok) urls += result.data.filter((plan) => plan.ok).length;
        else errors++;
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  const cpu = treeCpuSeconds(appPid) - cpuBefore;
  return { urlsPerSecond: urls / elapsed, cpuMsPerUrl: urls ? (cpu * 1000) / urls : Number.NaN, errors };
}

/** The same signing call the S3 driver makes (lib/storage/s3.ts presignPut), alone, in this process. */
async function rawRun(s3: S3Service, seconds: number) {
  const client = new S3Client({
    region: "us-east-1",
    endpoint: s3.endpoint,
    forcePathStyle: true,
    credentials: { accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey },
    requestChecksumCalculation: "WHEN_REQUIRED",
    responseChecksumValidation: "WHEN_REQUIRED",
  });
  const signable = new Set(["content-type", "content-length"]);
  let urls = 0;
  const started = performance.now();
  const deadline = started + seconds * 1000;
  while (performance.now() < deadline) {
    const command = new PutObjectCommand({ Bucket: s3.bucket, Key: `users/bench/${urls}/original`, ContentType: "image/jpeg", ContentLength: 3_000_000 });
    await getSignedUrl(client, command, { expiresIn: 900, signableHeaders: signable });
    urls++;
  }
  return { urlsPerSecond: urls / ((performance.now() - started) / 1000) };
}

export async function runPresignBench(options: {
  client: ActionClient;
  appPid: number;
  s3: S3Service;
  runs: number;
  seconds: number;
  inFlight: number;
}): Promise<PresignRow[]> {
  const { client, appPid, s3, runs, seconds, inFlight } = options;
  // Warm up both paths (JIT, connection pools) before timing.
  await actionRun(client, 20, inFlight, 1, appPid);
  await rawRun(s3, 0.5);
  const measured = { raw: [] as number[], b1: [] as number[], b20: [] as number[] };
  const cpu = { b1: [] as number[], b20: [] as number[] };
  const ratios = { b1: [] as number[], b20: [] as number[] };
  const errors = { b1: 0, b20: 0 };
  // Turns interleave so that load from elsewhere on the machine hits every variant alike.
  for (let run = 0; run < runs; run++) {
    const raw = await rawRun(s3, seconds);
    measured.raw.push(raw.urlsPerSecond);
    for (const [key, batch] of [["b1", 1], ["b20", 20]] as const) {
      const result = await actionRun(client, batch, inFlight, seconds, appPid);
      measured[key].push(result.urlsPerSecond);
      cpu[key].push(result.cpuMsPerUrl);
      ratios[key].push(result.urlsPerSecond / raw.urlsPerSecond);
      errors[key] += result.errors;
    }
  }
  return [
    {
      label: "server action createUploadsAction over HTTP, 1 file per call",
      batch: 1,
      inFlight,
      urlsPerSecond: median(measured.b1),
      cpuMsPerUrl: median(cpu.b1),
      ratioToRaw: median(ratios.b1),
      runs,
      errors: errors.b1,
    },
    {
      label: "server action createUploadsAction over HTTP, 20 files per call",
      batch: 20,
      inFlight,
      urlsPerSecond: median(measured.b20),
      cpuMsPerUrl: median(cpu.b20),
      ratioToRaw: median(ratios.b20),
      runs,
      errors: errors.b20,
    },
    { label: "getSignedUrl alone in a loop (one core, no HTTP, no database)", batch: 1, inFlight: 1, urlsPerSecond: median(measured.raw), runs, errors: 0 },
  ];
}
