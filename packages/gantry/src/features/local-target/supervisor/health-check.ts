import { request } from 'node:http';
import { connect } from 'node:net';

// Replicas listen on 127.0.0.1; every check is a fresh connection (no agent),
// so Gantry never holds an idle keep-alive socket that would delay a drain.

export const REPLICA_HOST = '127.0.0.1';

export type HealthResult = { ok: true } | { ok: false; reason: string; refused: boolean };

const BODY_EXCERPT_BYTES = 200;

/** GET http://127.0.0.1:<port><path>: any 2xx or 3xx answer passes. */
export function checkHttpHealth(port: number, path: string, timeoutMs: number): Promise<HealthResult> {
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: HealthResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve(result);
    };
    const req = request({ host: REPLICA_HOST, port, path, method: 'GET', agent: false }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 400) {
        finish({ ok: true });
        // The body does not matter, and a service that streams it forever must not hold the socket.
        res.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      let length = 0;
      res.on('data', (chunk: Buffer) => {
        if (length < BODY_EXCERPT_BYTES) chunks.push(chunk);
        length += chunk.length;
      });
      const report = () => {
        const body = Buffer.concat(chunks).subarray(0, BODY_EXCERPT_BYTES).toString('utf8').trim();
        const statusText = res.statusMessage ? ` ${res.statusMessage}` : '';
        finish({
          ok: false,
          refused: false,
          reason: `answered ${status}${statusText}${body ? `: ${JSON.stringify(body)}` : ''}`,
        });
      };
      res.on('end', report);
      res.on('error', report);
    });
    const timer = setTimeout(() => {
      finish({ ok: false, refused: false, reason: `no answer within ${formatMs(timeoutMs)}` });
      req.destroy();
    }, timeoutMs);
    req.on('error', (error) => finish(connectionFailure(error)));
    req.end();
  });
}

/** For replicas without a health check: the port accepts TCP connections. */
export function checkTcp(port: number, timeoutMs: number): Promise<HealthResult> {
  return new Promise((resolve) => {
    const socket = connect({ host: REPLICA_HOST, port });
    const finish = (result: HealthResult) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(result);
    };
    const timer = setTimeout(
      () => finish({ ok: false, refused: false, reason: `no connection within ${formatMs(timeoutMs)}` }),
      timeoutMs,
    );
    socket.once('connect', () => finish({ ok: true }));
    socket.once('error', (error) => finish(connectionFailure(error)));
  });
}

function connectionFailure(error: Error): HealthResult {
  const code = (error as NodeJS.ErrnoException).code;
  switch (code) {
    case 'ECONNREFUSED':
      return { ok: false, refused: true, reason: 'connection refused (nothing listens on the port)' };
    case 'ECONNRESET':
      return { ok: false, refused: false, reason: 'connection reset before an answer' };
    default:
      return { ok: false, refused: false, reason: error.message };
  }
}

export function formatMs(ms: number): string {
  if (ms < 1_000) return `${Math.round(ms)}ms`;
  if (ms < 10_000) return `${(ms / 1_000).toFixed(1).replace(/\.0$/, '')}s`;
  if (ms < 120_000) return `${Math.round(ms / 1_000)}s`;
  const minutes = Math.floor(ms / 60_000);
  const seconds = Math.round((ms % 60_000) / 1_000);
  return seconds ? `${minutes}m${seconds}s` : `${minutes}m`;
}
