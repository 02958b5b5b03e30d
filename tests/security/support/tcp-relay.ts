/**
 * A TCP relay on 127.0.0.1 that can be cut and restored on the same port: a database
 * outage for the fault tests when the database is a real PostgreSQL server that other
 * tests share and that must not be stopped. Cutting it resets every open connection
 * (closed, as when the server process exits) and refuses new ones, which is what a client
 * sees when its server goes away.
 */
import { connect, createServer, type Server, type Socket } from "node:net";

export interface TcpRelay {
  port: number;
  /** Resets every open connection and stops listening. */
  cut(): Promise<void>;
  /** Listens again on the same port. */
  restore(): Promise<void>;
}

export async function startTcpRelay(target: { host: string; port: number }): Promise<TcpRelay> {
  const sockets = new Set<Socket>();
  const newServer = () =>
    createServer((client) => {
      const upstream = connect(target.port, target.host);
      sockets.add(client).add(upstream);
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
  const listen = (server: Server, port: number) =>
    new Promise<number>((resolve, reject) => {
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const address = server.address();
        if (!address || typeof address === "string") return reject(new Error("relay: no TCP address"));
        resolve(address.port);
      });
    });

  let server: Server | undefined = newServer();
  const port = await listen(server, 0);
  return {
    port,
    async cut() {
      if (!server) return;
      const closing = server;
      server = undefined;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
      await new Promise<void>((resolve) => closing.close(() => resolve()));
    },
    async restore() {
      if (server) return;
      server = newServer();
      await listen(server, port);
    },
  };
}
