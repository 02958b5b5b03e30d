// Calls the app's server actions over HTTP the way a browser does: a POST to a
// page with the action's id in `Next-Action` and the arguments encoded as React
// encodes a reply (a JSON array for plain values), answered in React's flight
// format (both sides of that wire format live in tests/security/support/flight.ts,
// shared with the security tests). Ids come from the build's server-reference manifest.
import { readFileSync } from "node:fs";
import http from "node:http";
import path from "node:path";
import { decodeActionResult, encodeActionArgs } from "../../tests/security/support/flight";
import { DIST_DIR, ROOT } from "./services";

type Manifest = { node: Record<string, { filename?: string; exportedName?: string }> };

/** Action id by "<file>#<export>", e.g. "app/(gallery)/actions.ts#createUploadsAction". */
export function readActionIds(distDir = path.join(ROOT, DIST_DIR)): Map<string, string> {
  const manifest = JSON.parse(readFileSync(path.join(distDir, "server", "server-reference-manifest.json"), "utf8")) as Manifest;
  const ids = new Map<string, string>();
  for (const [id, entry] of Object.entries(manifest.node)) {
    if (entry.filename && entry.exportedName) ids.set(`${entry.filename}#${entry.exportedName}`, id);
  }
  return ids;
}

export interface ActionClientOptions {
  /** Where requests are sent (e.g. a counting relay in front of the app). */
  port: number;
  /** What the browser would put in Host and Origin: the app's own URL. */
  appUrl: string;
  cookie: string;
  /** The page the action is posted to, as the browser does from that page. */
  page?: string;
  /** The build whose action ids to use (default: this checkout's NEXT_DIST_DIR). */
  distDir?: string;
}

const agent = new http.Agent({ keepAlive: true, maxSockets: 64 });

export class ActionClient {
  private readonly ids: Map<string, string>;
  constructor(private readonly options: ActionClientOptions) {
    this.ids = readActionIds(options.distDir);
  }

  idOf(file: string, exportName: string): string {
    const id = this.ids.get(`${file}#${exportName}`);
    if (!id) throw new Error(`no server action ${exportName} in ${file} (rebuild?)`);
    return id;
  }

  /** Calls the action and returns its decoded result, with the request's body size. */
  async call<T>(file: string, exportName: string, ...args: unknown[]): Promise<{ result: T; requestBodyBytes: number }> {
    try {
      return await this.send<T>(file, exportName, args);
    } catch (error) {
      // A kept-alive socket the server closed just as we reused it: what a browser retries too.
      if ((error as { staleSocket?: boolean }).staleSocket) return this.send<T>(file, exportName, args);
      throw error;
    }
  }

  private send<T>(file: string, exportName: string, args: unknown[]): Promise<{ result: T; requestBodyBytes: number }> {
    const body = Buffer.from(encodeActionArgs(args));
    const host = new URL(this.options.appUrl).host;
    return new Promise((resolve, reject) => {
      const request = http.request(
        {
          host: "127.0.0.1",
          port: this.options.port,
          method: "POST",
          path: this.options.page ?? "/",
          agent,
          headers: {
            Host: host,
            Origin: this.options.appUrl,
            Accept: "text/x-component",
            "Content-Type": "text/plain;charset=UTF-8",
            "Content-Length": body.length,
            "Next-Action": this.idOf(file, exportName),
            Cookie: this.options.cookie,
          },
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on("data", (chunk: Buffer) => chunks.push(chunk));
          response.on("end", () => {
            const payload = Buffer.concat(chunks);
            if (response.statusCode !== 200) {
              return reject(new Error(`${exportName}: HTTP ${response.statusCode} ${payload.subarray(0, 300).toString()}`));
            }
            try {
              resolve({ result: decodeActionResult(payload) as T, requestBodyBytes: body.length });
            } catch (error) {
              reject(error);
            }
          });
          response.on("error", reject);
        },
      );
      request.on("error", (error: NodeJS.ErrnoException) => {
        reject(Object.assign(error, { staleSocket: request.reusedSocket && error.code === "ECONNRESET" }));
      });
      request.end(body);
    });
  }
}

export const GALLERY_ACTIONS = "app/(gallery)/actions.ts";
