// Streams a file (or a byte range of it) as an HTTP request body, the way a
// browser sends a File: no buffering of the whole body in the load generator.
import { createReadStream } from "node:fs";
import http from "node:http";
import { Readable } from "node:stream";

const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });

export interface StreamRequest {
  url: string;
  method: "PUT" | "POST";
  headers: Record<string, string | number>;
  /** Parts sent in order: literal bytes, or a range of a file (end inclusive). */
  body: (Buffer | { file: string; start: number; end: number })[];
}

export interface StreamResponse {
  status: number;
  body: string;
}

const byteLength = (part: StreamRequest["body"][number]) => (Buffer.isBuffer(part) ? part.length : part.end - part.start + 1);

async function* bodyChunks(parts: StreamRequest["body"]): AsyncGenerator<Buffer> {
  for (const part of parts) {
    if (Buffer.isBuffer(part)) yield part;
    else yield* createReadStream(part.file, { start: part.start, end: part.end, highWaterMark: 1024 * 1024 });
  }
}

export async function streamRequest(options: StreamRequest): Promise<StreamResponse> {
  try {
    return await sendOnce(options);
  } catch (error) {
    // A kept-alive socket the server closed just as we reused it: what a browser retries too.
    if ((error as { staleSocket?: boolean }).staleSocket) return sendOnce(options);
    throw error;
  }
}

function sendOnce(options: StreamRequest): Promise<StreamResponse> {
  const url = new URL(options.url);
  const contentLength = options.body.reduce((sum, part) => sum + byteLength(part), 0);
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: options.method,
        agent,
        headers: { ...options.headers, "Content-Length": contentLength },
      },
      (response) => {
        const chunks: Buffer[] = [];
        response.on("data", (chunk: Buffer) => chunks.push(chunk));
        response.on("end", () => resolve({ status: response.statusCode ?? 0, body: Buffer.concat(chunks).toString("utf8") }));
        response.on("error", reject);
      },
    );
    request.on("error", (error: NodeJS.ErrnoException) => {
      reject(Object.assign(error, { staleSocket: request.reusedSocket && error.code === "ECONNRESET" }));
    });
    Readable.from(bodyChunks(options.body)).on("error", reject).pipe(request);
  });
}
