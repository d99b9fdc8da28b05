import { createConnection, createServer, type Server, type Socket } from 'node:net';

// A TCP proxy between a client under test and a real service, so a test can
// simulate an outage (cut) and a recovery (restore) without stopping a service
// other test files share.

export interface TcpProxy {
  /** Where the proxy listens; stays the same across cut() and restore(). */
  readonly host: string;
  readonly port: number;
  /** Connections currently relayed. */
  readonly connections: number;
  /** The given URL (by default the target's) with its host and port replaced by the proxy's. */
  url(targetUrl?: string): string;
  /** Drops every relayed connection and refuses new ones, as a dead broker would. */
  cut(): Promise<void>;
  /** Accepts connections again, on the same port. */
  restore(): Promise<void>;
  close(): Promise<void>;
}

export type ProxyTarget = string | { host: string; port: number };

const DEFAULT_PORTS: Record<string, number> = {
  'amqp:': 5672,
  'amqps:': 5671,
  'nats:': 4222,
  'tls:': 4222,
  'postgres:': 5432,
  'postgresql:': 5432,
};

function parseTarget(target: ProxyTarget): { host: string; port: number; url: string | undefined } {
  if (typeof target !== 'string') return { ...target, url: undefined };
  const parsed = new URL(target);
  const port = Number(parsed.port) || DEFAULT_PORTS[parsed.protocol];
  if (!port)
    throw new Error(`no port in ${parsed.protocol}//${parsed.host} and no default for ${parsed.protocol}`);
  // URL keeps the brackets of an IPv6 host; net.connect wants the bare address.
  return { host: parsed.hostname.replace(/^\[(.*)\]$/, '$1'), port, url: target };
}

export async function startTcpProxy(target: ProxyTarget): Promise<TcpProxy> {
  const destination = parseTarget(target);
  const host = '127.0.0.1';
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  let port = 0;
  let closed = false;

  function relay(client: Socket): void {
    const upstream = createConnection({ host: destination.host, port: destination.port });
    sockets.add(client);
    sockets.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', drop);
    upstream.on('error', drop);
    client.on('close', drop);
    upstream.on('close', drop);
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async function listen(): Promise<void> {
    const next = createServer(relay);
    await new Promise<void>((resolve, reject) => {
      next.once('error', reject);
      next.listen({ host, port, exclusive: true }, () => {
        next.off('error', reject);
        resolve();
      });
    });
    const address = next.address();
    if (address === null || typeof address === 'string') throw new Error('proxy has no TCP address');
    port = address.port;
    server = next;
  }

  async function stopListening(): Promise<void> {
    const current = server;
    server = undefined;
    // close() waits for open connections, so destroy them first.
    for (const socket of sockets) socket.destroy();
    sockets.clear();
    if (current) await new Promise<void>((resolve) => current.close(() => resolve()));
  }

  await listen();

  return {
    host,
    get port() {
      return port;
    },
    get connections() {
      // Each relayed connection holds two sockets.
      return sockets.size / 2;
    },
    url(targetUrl?: string): string {
      const source = targetUrl ?? destination.url;
      if (source === undefined) return `${host}:${port}`;
      const rewritten = new URL(source);
      rewritten.hostname = host;
      rewritten.port = String(port);
      return rewritten.toString();
    },
    cut: stopListening,
    async restore(): Promise<void> {
      if (closed) throw new Error('the proxy is closed');
      if (!server) await listen();
    },
    async close(): Promise<void> {
      closed = true;
      await stopListening();
    },
  };
}
