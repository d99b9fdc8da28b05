import { createServer } from 'node:net';

// Ports handed out recently: the kernel may offer a port again as soon as the
// probe socket closes, before the replica that got it has bound it.
const recentlyAllocated = new Map<number, number>();
const REMEMBER_MS = 60_000;

/**
 * A TCP port that was free a moment ago on 127.0.0.1: the kernel picks it
 * (bind to port 0), and it is released at once for the replica to bind.
 */
export async function allocatePort(): Promise<number> {
  const now = Date.now();
  for (const [port, at] of recentlyAllocated) {
    if (now - at > REMEMBER_MS) recentlyAllocated.delete(port);
  }
  for (let attempt = 0; ; attempt++) {
    const port = await probeFreePort();
    if (!recentlyAllocated.has(port) || attempt >= 20) {
      recentlyAllocated.set(port, now);
      return port;
    }
  }
}

function probeFreePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen({ port: 0, host: '127.0.0.1', exclusive: true }, () => {
      const address = server.address();
      server.close(() => {
        if (typeof address === 'object' && address) resolve(address.port);
        else reject(new Error('the kernel did not report the port it picked'));
      });
    });
  });
}
