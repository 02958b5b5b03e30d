import { createServer, type AddressInfo } from "node:net";

/**
 * A port on 127.0.0.1 that nothing listens on right now: `preferred` when it is free, else one
 * the OS picks. (Bound, then let go: another process could take it before it is used again.)
 */
export function freePort(preferred = 0): Promise<number> {
  const tryPort = (port: number) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once("error", reject);
      server.listen(port, "127.0.0.1", () => {
        const { port: bound } = server.address() as AddressInfo;
        server.close(() => resolve(bound));
      });
    });
  return preferred === 0 ? tryPort(0) : tryPort(preferred).catch(() => tryPort(0));
}
