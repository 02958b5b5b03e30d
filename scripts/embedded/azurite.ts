/**
 * Azurite's blob service for development and tests, as a child process.
 *
 * Not in-process: the package's entry point is its VS Code extension (it requires
 * `vscode`), and its blob server is internal, untyped and keeps process-wide singletons
 * (logger, telemetry). A child process is the supported way to run it, costs ~2 s at
 * start, and killing it is a clean stop.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";

export const AZURITE_PORT = 10000;
export const AZURITE_ACCOUNT = "devstoreaccount1";
/** Azurite's fixed, publicly documented development key: it protects nothing. */
export const AZURITE_KEY = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

const HOST = "127.0.0.1";
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;

export interface EmbeddedAzurite {
  /** Blob service URL including the account, e.g. http://127.0.0.1:10000/devstoreaccount1. */
  endpoint: string;
  account: typeof AZURITE_ACCOUNT;
  key: string;
  container: string;
  stop(): Promise<void>;
}

/**
 * `dir` persists data there; without it Azurite keeps everything in memory.
 * `port` defaults to 10000; when the default is taken a free port is used instead
 * (an explicitly requested port that is taken is an error). Pass 0 for any free port.
 */
export async function startAzurite(opts: {
  dir?: string;
  port?: number;
  container: string;
  allowedOrigins: string[];
}): Promise<EmbeddedAzurite> {
  if (opts.dir) await mkdir(opts.dir, { recursive: true });

  let started: { child: ChildProcess; port: number };
  try {
    started = await spawnAzurite(opts.dir, opts.port ?? AZURITE_PORT);
  } catch (err) {
    if (opts.port !== undefined || !String(err).includes("EADDRINUSE")) throw err;
    started = await spawnAzurite(opts.dir, 0);
  }
  const { child, port } = started;
  // Do not leave an orphan behind when the parent exits without calling stop() (a crashed test run).
  const killOnExit = () => child.kill("SIGKILL");
  process.once("exit", killOnExit);

  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      process.off("exit", killOnExit);
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, "exit");
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), STOP_GRACE_MS);
      await exited;
      clearTimeout(timer);
    })());

  const endpoint = `http://${HOST}:${port}/${AZURITE_ACCOUNT}`;
  try {
    const service = new BlobServiceClient(endpoint, new StorageSharedKeyCredential(AZURITE_ACCOUNT, AZURITE_KEY));
    await service.getContainerClient(opts.container).createIfNotExists();
    if (opts.allowedOrigins.length) {
      // Browsers talk to the blob service directly: uploads (PUT), reads (GET/HEAD), and DELETE for cleanup.
      await service.setProperties({
        cors: [
          {
            allowedOrigins: opts.allowedOrigins.join(","),
            allowedMethods: "GET,PUT,POST,HEAD,DELETE",
            allowedHeaders: "*",
            exposedHeaders: "*",
            maxAgeInSeconds: 3600,
          },
        ],
      });
    }
  } catch (err) {
    await stop();
    throw err;
  }

  return { endpoint, account: AZURITE_ACCOUNT, key: AZURITE_KEY, container: opts.container, stop };
}

/** Resolves once Azurite prints the address it listens on; rejects with its output if it exits first. */
async function spawnAzurite(dir: string | undefined, port: number): Promise<{ child: ChildProcess; port: number }> {
  const main = createRequire(import.meta.url).resolve("azurite/dist/src/blob/main.js");
  const args = [
    main,
    "--silent",
    // Without it Azurite tries to reach an Azure telemetry host and then hangs ~60 s on SIGTERM.
    "--disableTelemetry",
    // The current @azure/storage-blob sends an API version newer than Azurite knows (400 otherwise).
    "--skipApiVersionCheck",
    "--blobHost",
    HOST,
    "--blobPort",
    String(port),
    ...(dir ? ["--location", dir] : ["--inMemoryPersistence"]),
  ];
  const child = spawn(process.execPath, args, { stdio: ["ignore", "pipe", "pipe"], cwd: dir });

  return new Promise((resolve, reject) => {
    let output = "";
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`Azurite did not start within ${READY_TIMEOUT_MS} ms:\n${output}`));
    }, READY_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /successfully listens on https?:\/\/[^:\s]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        child.off("exit", onExit);
        child.stdout?.off("data", onData);
        child.stderr?.off("data", onData);
        // Keep draining its output, or a full pipe would eventually block it.
        child.stdout?.resume();
        child.stderr?.resume();
        resolve({ child, port: Number(match[1]) });
      }
    };
    const onExit = (code: number | null) => {
      clearTimeout(timer);
      reject(new Error(`Azurite exited (${code}) before it was ready:\n${output}`));
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}
