/**
 * A TCP proxy in front of PostgreSQL or Redis, to take a service away from the API and the
 * workers without touching the server other tests share: `cut()` drops every connection and
 * refuses new ones, as a crashed or unreachable server would; `restore()` lets them in again.
 */
import { createServer, connect, type Server, type Socket } from 'node:net';

export interface Outage {
  /** `url` with its host and port replaced by the proxy's. */
  readonly url: string;
  cut(): Promise<void>;
  restore(): Promise<void>;
  close(): Promise<void>;
}

export async function proxyFor(url: string, defaultPort: number): Promise<Outage> {
  const target = new URL(url);
  const targetPort = Number(target.port) || defaultPort;
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;

  const listen = async () => {
    if (server) return;
    server = createServer((client) => {
      const upstream = connect({ host: target.hostname, port: targetPort });
      for (const socket of [client, upstream]) {
        sockets.add(socket);
        socket.on('close', () => sockets.delete(socket));
        socket.on('error', () => undefined);
      }
      client.pipe(upstream).pipe(client);
      client.on('close', () => upstream.destroy());
      upstream.on('close', () => client.destroy());
    });
    await new Promise<void>((resolve) => server!.listen(port, '127.0.0.1', resolve));
    port = (server.address() as { port: number }).port;
  };
  const stop = async () => {
    const closing = new Promise<void>((resolve) =>
      server ? server.close(() => resolve()) : resolve(),
    );
    for (const socket of sockets) socket.destroy();
    await closing;
    server = undefined;
  };

  await listen();
  const proxied = new URL(url);
  proxied.hostname = '127.0.0.1';
  proxied.port = String(port);
  return {
    url: proxied.toString(),
    cut: stop,
    restore: listen,
    close: stop,
  };
}
