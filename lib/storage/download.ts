import { createWriteStream } from "node:fs";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

/** The object grew past the size it was checked at: refused before it can fill a disk. */
export class ObjectTooLargeError extends Error {
  override readonly name = "ObjectTooLargeError";
  constructor(
    readonly key: string,
    readonly maxBytes: number,
  ) {
    super(`${key} holds more than the ${maxBytes} bytes expected`);
  }
}

/**
 * Pipes a storage response body into a file with bounded memory (the stream's own buffers),
 * counting bytes on the way so an object larger than `maxBytes` stops the copy at once.
 */
export async function writeBodyToFile(
  key: string,
  body: NodeJS.ReadableStream | Readable,
  filePath: string,
  { maxBytes, signal }: { maxBytes: number; signal?: AbortSignal },
): Promise<void> {
  let received = 0;
  const limit = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      received += chunk.length;
      callback(received > maxBytes ? new ObjectTooLargeError(key, maxBytes) : null, chunk);
    },
  });
  await pipeline(body, limit, createWriteStream(filePath), { signal });
}
