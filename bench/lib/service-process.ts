// One embedded service in a process of its own, so that its work runs beside the
// load generator and the servers under test instead of sharing their event loop.
//
//   node --import tsx bench/lib/service-process.ts s3 <dir> <allowed-origin>
//   node --import tsx bench/lib/service-process.ts pglite
//   node --import tsx bench/lib/service-process.ts relay <target-port>...
//
// Prints one JSON line when ready, then serves until SIGTERM. A relay also
// answers IPC messages "counts" and "reset" with the byte counts of each relay.
import { startEmbeddedPostgres } from "../../scripts/embedded/postgres";
import { startEmbeddedS3 } from "../../scripts/embedded/s3";
import { startCountingRelay, type CountingRelay } from "./tcp-counter";

async function main() {
  const [kind, ...args] = process.argv.slice(2);
  const stops: (() => Promise<void>)[] = [];
  process.on("SIGTERM", async () => {
    for (const stop of stops) await stop().catch(() => {});
    process.exit(0);
  });

  if (kind === "s3") {
    const s3 = await startEmbeddedS3({ dir: args[0]!, port: 0, allowedOrigins: [args[1]!] });
    stops.push(s3.stop);
    console.log(JSON.stringify({ endpoint: s3.endpoint, port: s3.port, bucket: s3.bucket, accessKeyId: s3.accessKeyId, secretAccessKey: s3.secretAccessKey }));
  } else if (kind === "pglite") {
    const pg = await startEmbeddedPostgres({ dataDir: "memory://", port: 0 });
    stops.push(pg.stop);
    console.log(JSON.stringify({ url: pg.url, port: pg.port }));
  } else if (kind === "relay") {
    const relays: CountingRelay[] = [];
    for (const port of args) relays.push(await startCountingRelay(Number(port)));
    stops.push(async () => void (await Promise.all(relays.map((r) => r.close()))));
    process.on("message", (message) => {
      process.send?.({ counts: relays.map((r) => ({ ...r.counts })) });
      if (message === "reset") relays.forEach((r) => r.reset());
    });
    console.log(JSON.stringify({ ports: relays.map((r) => r.port) }));
  } else {
    throw new Error(`unknown service ${kind}`);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
