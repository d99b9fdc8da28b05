// @ts-check
// A tiny HTTP service for trying Gantry's `local` target: it answers with its
// version and pid, and its environment makes it slow, flaky, unhealthy or
// crashing on purpose, so promotions, analysis and rollbacks can be watched
// doing their work. No dependencies: `node examples/hello-service/server.mjs`.
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { setTimeout } from 'node:timers';

const SERVICE = process.env.SERVICE_NAME || 'hello-service';
const VERSION = process.env.VERSION || 'dev';
const HOST = process.env.HOST || '127.0.0.1';

/**
 * BEHAVIOUR_FILE names a JSON file whose keys (errorRate, latencyMs,
 * latencyJitterMs, crashAfterMs, failHealth) win over the variables of the
 * same meaning. It lets one stage configuration run releases that behave
 * differently, e.g. BEHAVIOUR_FILE: builds/{{release.commit}}.json in Gantry's
 * gantry.yaml. A file that does not exist means no overrides.
 * @type {Record<string, unknown>}
 */
const BEHAVIOUR = (() => {
  const file = process.env.BEHAVIOUR_FILE;
  if (!file) return {};
  /** @type {string} */
  let text;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return {};
  }
  try {
    /** @type {unknown} */
    const parsed = JSON.parse(text);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return /** @type {Record<string, unknown>} */ (parsed);
    }
  } catch {
    // reported below
  }
  console.error(`${SERVICE}: BEHAVIOUR_FILE ${file} is not a JSON object`);
  process.exit(2);
})();

/** @type {Record<string, string>} */
const BEHAVIOUR_KEYS = {
  ERROR_RATE: 'errorRate',
  LATENCY_MS: 'latencyMs',
  LATENCY_JITTER_MS: 'latencyJitterMs',
  CRASH_AFTER_MS: 'crashAfterMs',
  FAIL_HEALTH: 'failHealth',
};

/**
 * A setting: BEHAVIOUR_FILE's key for it, else the environment variable.
 * @param {string} name
 * @returns {string | undefined}
 */
function setting(name) {
  const key = BEHAVIOUR_KEYS[name];
  const value = key === undefined ? undefined : BEHAVIOUR[key];
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'string')
    return String(value);
  return process.env[name];
}

/**
 * A number from the environment, or `fallback` when the variable is unset;
 * anything else that is not a number in [min, max] stops the service with a message.
 * @param {string} name
 * @param {number} fallback
 * @param {number} min
 * @param {number} max
 * @returns {number}
 */
function numberFromEnv(name, fallback, min, max) {
  const raw = setting(name);
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isFinite(value) || value < min || value > max) {
    console.error(`${SERVICE}: ${name} must be a number from ${min} to ${max}, got "${raw}"`);
    process.exit(2);
  }
  return value;
}

if (!process.env.PORT) {
  console.error(`${SERVICE}: PORT is required (the port to listen on)`);
  process.exit(2);
}
const PORT = numberFromEnv('PORT', 0, 1, 65535);
const ERROR_RATE = numberFromEnv('ERROR_RATE', 0, 0, 1);
const LATENCY_MS = numberFromEnv('LATENCY_MS', 0, 0, 600_000);
const LATENCY_JITTER_MS = numberFromEnv('LATENCY_JITTER_MS', 0, 0, 600_000);
const CRASH_AFTER_MS = numberFromEnv('CRASH_AFTER_MS', -1, 0, 2_147_483_647);
const FAIL_HEALTH = ['1', 'true', 'yes'].includes((setting('FAIL_HEALTH') || '').toLowerCase());

/**
 * @param {import('node:http').ServerResponse} res
 * @param {number} status
 * @param {unknown} body
 */
function json(res, status, body) {
  res.writeHead(status, { 'content-type': 'application/json' });
  res.end(JSON.stringify(body));
}

/** @returns {Promise<void>} */
function addedLatency() {
  const ms = LATENCY_MS + Math.random() * LATENCY_JITTER_MS;
  return ms > 0 ? new Promise((resolve) => setTimeout(resolve, ms)) : Promise.resolve();
}

const server = createServer((req, res) => {
  const path = (req.url || '/').split('?')[0];
  // Health answers at once: latency and errors are about the traffic, not liveness.
  if (path === '/healthz') {
    res.writeHead(FAIL_HEALTH ? 503 : 200, { 'content-type': 'text/plain' });
    res.end(FAIL_HEALTH ? 'unhealthy (FAIL_HEALTH is set)' : 'ok');
    return;
  }
  void addedLatency().then(() => {
    if (path === '/version') {
      json(res, 200, { version: VERSION });
    } else if (Math.random() < ERROR_RATE) {
      json(res, 500, { service: SERVICE, version: VERSION, error: 'failed on purpose (ERROR_RATE)' });
    } else {
      json(res, 200, { service: SERVICE, version: VERSION, pid: process.pid });
    }
  });
});

server.on('error', (error) => {
  console.error(`${SERVICE}: ${error.message}`);
  process.exit(1);
});

server.listen(PORT, HOST, () => {
  console.log(`${SERVICE} ${VERSION} listening on http://${HOST}:${PORT} (pid ${process.pid})`);
  if (CRASH_AFTER_MS >= 0) {
    setTimeout(() => {
      console.error(`${SERVICE}: crashing on purpose (CRASH_AFTER_MS=${CRASH_AFTER_MS})`);
      process.exit(1);
    }, CRASH_AFTER_MS);
  }
});

/** Stops taking connections, lets requests in flight finish, then exits 0. */
function drain() {
  console.log(`${SERVICE} ${VERSION} draining`);
  server.close(() => process.exit(0));
  // Keep-alive connections with no request in flight would hold close() open.
  server.closeIdleConnections();
}
process.once('SIGTERM', drain);
process.once('SIGINT', drain);
