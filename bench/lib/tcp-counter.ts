// A byte-counting TCP relay on 127.0.0.1. Put in front of a server, it counts
// every byte the server receives (request lines, headers and bodies) and sends,
// without parsing HTTP: the same cheap relay sits in front of our app and of the
// baseline, so neither pays for it more than the other.
import { createServer, connect, type Server, type Socket } from "node:net";

export interface ByteCounts {
  /** client → server */
  received: number;
  /** server → client */
  sent: number;
  connections: number;
}

export interface CountingRelay {
  port: number;
  counts: ByteCounts;
  reset(): void;
  close(): Promise<void>;
}

export async function startCountingRelay(targetPort: number, targetHost = "127.0.0.1"): Promise<CountingRelay> {
  const counts: ByteCounts = { received: 0, sent: 0, connections: 0 };
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    counts.connections++;
    const upstream = connect(targetPort, targetHost);
    sockets.add(client).add(upstream);
    client.on("data", (chunk: Buffer) => {
      counts.received += chunk.length;
    });
    upstream.on("data", (chunk: Buffer) => {
      counts.sent += chunk.length;
    });
    client.pipe(upstream);
    upstream.pipe(client);
    const done = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on("error", done).on("close", done);
    upstream.on("error", done).on("close", done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("relay: no TCP address");
  return {
    port: address.port,
    counts,
    reset() {
      counts.received = 0;
      counts.sent = 0;
      counts.connections = 0;
    },
    close() {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
