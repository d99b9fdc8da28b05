import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Logger } from '../logging/logger.js';

// Serves the dashboard (packages/dashboard, built by Vite into static files)
// at /. Every path that is not a file and not the API's answers with
// index.html, so /promotions/<id> opened from a notification lands on the
// single-page app, which routes it. Hashed assets are cached for a year,
// index.html never; a file's .gz twin (written by the dashboard's build) is
// sent to browsers that accept gzip.

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.woff2': 'font/woff2',
};

/** Paths the server answers itself; an unknown one among them is a 404, never the app. */
const SERVER_PATHS = /^\/(api|healthz|readyz|metrics)(\/|$)/;

/** The page's security policy: everything from this origin, nothing framed, no inline script. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'self'",
].join('; ');

/**
 * Where the built dashboard is: the configured directory, or the dashboard
 * package's dist/ beside this package (packages/dashboard/dist, in the
 * repository and in the Docker image alike).
 */
export function dashboardDirectory(configured: string | undefined): string | undefined {
  if (configured === 'off') return undefined;
  if (configured) return resolve(configured);
  // From packages/gantry/{src,dist}/platform/http/ up to packages/.
  return fileURLToPath(new URL('../../../../dashboard/dist', import.meta.url));
}

/**
 * Registers GET / and GET /* on the Fastify instance. Without a built
 * dashboard, / says how to build one (the API works regardless).
 */
export function serveDashboard(
  fastify: FastifyInstance,
  directory: string | undefined,
  logger: Logger,
): void {
  const root = directory && existsSync(join(directory, 'index.html')) ? resolve(directory) : undefined;
  if (directory && !root) {
    logger.warn({ directory }, 'no built dashboard here: / explains how to build it (npm run build)');
  }
  const handler = async (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    if (SERVER_PATHS.test(path)) return reply.callNotFound();
    if (!root) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send(
          'The dashboard is not built. Run npm run build in the Gantry repository (or set GANTRY_DASHBOARD_DIR). The API answers under /api/.\n',
        );
    }
    const file = await fileFor(root, path);
    if (file) return sendFile(request, reply, file, path.startsWith('/assets/'));
    // A missing asset is a 404 (a stale tab after a deploy must not get HTML for its script).
    if (extname(path) !== '') return reply.callNotFound();
    return sendFile(request, reply, join(root, 'index.html'), false);
  };
  fastify.get('/', handler);
  fastify.get('/*', handler);
}

/** The file a URL path names inside root, or undefined (also for anything outside root). */
async function fileFor(root: string, urlPath: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const candidate = resolve(root, `.${decoded}`);
  if (candidate !== root && !candidate.startsWith(root + sep)) return undefined;
  try {
    return (await stat(candidate)).isFile() ? candidate : undefined;
  } catch {
    return undefined;
  }
}

async function sendFile(
  request: FastifyRequest,
  reply: FastifyReply,
  file: string,
  immutable: boolean,
): Promise<FastifyReply> {
  const type = CONTENT_TYPES[extname(file)] ?? 'application/octet-stream';
  void reply
    .type(type)
    .header('x-content-type-options', 'nosniff')
    .header('referrer-policy', 'no-referrer')
    .header('cache-control', immutable ? 'public, max-age=31536000, immutable' : 'no-cache')
    .header('vary', 'accept-encoding');
  if (type.startsWith('text/html')) {
    void reply.header('content-security-policy', CONTENT_SECURITY_POLICY).header('x-frame-options', 'DENY');
  }
  const acceptsGzip = /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''));
  if (acceptsGzip && existsSync(`${file}.gz`)) {
    return reply.header('content-encoding', 'gzip').send(await readFile(`${file}.gz`));
  }
  return reply.send(await readFile(file));
}
