import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import examples from '@octokit/webhooks-examples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signPayload } from '../../shared/signed-payload.js';
import { startTestServer, type TestServer } from '../../testing/test-server.js';

// Thousands of correctly signed but mutated or random bodies against every
// webhook endpoint: truncated, fields removed or retyped, random bytes
// inserted, or no JSON at all. Every one must get an answer below 500, the
// server must still answer /healthz, and the heap (after garbage collection)
// must not keep growing with the number of requests.

const SECRETS = {
  github: 'fuzz-github-secret',
  gitlab: 'fuzz-gitlab-token',
  alertmanager: 'fuzz-alertmanager-token',
  ci: 'fuzz-ci-secret',
};
const REQUESTS = 3_000;
const CONCURRENCY = 8;
/** Heap growth allowed between the warm-up and the end: generous, but far below what a leak of bodies would keep. */
const HEAP_GROWTH_BOUND_BYTES = 64 * 1024 * 1024;

type Provider = keyof typeof SECRETS;
interface Seed {
  provider: Provider;
  event: string;
  body: unknown;
}

setFlagsFromString('--expose-gc');
const collectGarbage = runInNewContext('gc') as () => void;

/** A small seeded generator (mulberry32), so a failure can be replayed with the seed it prints. */
function generator(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function seeds(): Seed[] {
  const list: Seed[] = [];
  const all = examples as unknown as { name: string; examples: unknown[] }[];
  for (const name of ['push', 'pull_request', 'workflow_run', 'ping']) {
    for (const body of all.find((entry) => entry.name === name)?.examples ?? []) {
      list.push({ provider: 'github', event: name, body });
    }
  }
  const fixture = (path: string) =>
    JSON.parse(readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8')) as unknown;
  list.push(
    { provider: 'gitlab', event: 'Push Hook', body: fixture('gitlab/push.json') },
    { provider: 'gitlab', event: 'Tag Push Hook', body: fixture('gitlab/tag-push.json') },
    { provider: 'gitlab', event: 'Merge Request Hook', body: fixture('gitlab/merge-request.json') },
    { provider: 'gitlab', event: 'Pipeline Hook', body: fixture('gitlab/pipeline.json') },
    { provider: 'alertmanager', event: '', body: fixture('alertmanager/firing.json') },
    { provider: 'alertmanager', event: '', body: fixture('alertmanager/resolved.json') },
    {
      provider: 'ci',
      event: '',
      body: {
        service: 'checkout',
        image: 'ghcr.io/acme/checkout',
        digest: `sha256:${'ab'.repeat(32)}`,
        commit: 'cd'.repeat(20),
        evidence: { migrationCheck: 'passed' },
      },
    },
  );
  return list;
}

const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1e308,
  '',
  'x'.repeat(5000),
  true,
  [],
  {},
  [null],
  { __proto__: { polluted: true } },
  '\u0000\ud800',
  '2016-08-12 15:23:28 UTC',
  '0'.repeat(40),
];

/** A structural mutation of a parsed payload: a field removed, retyped or replaced, somewhere inside. */
function mutateValue(value: unknown, random: () => number, depth = 0): unknown {
  if (Array.isArray(value)) {
    if (value.length === 0 || random() < 0.15) return ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
    const copy: unknown[] = [...(value as unknown[])];
    const index = Math.floor(random() * copy.length);
    if (random() < 0.2) copy.splice(index, 1);
    else copy[index] = mutateValue(copy[index], random, depth + 1);
    return copy;
  }
  if (value !== null && typeof value === 'object') {
    const copy = { ...(value as Record<string, unknown>) };
    const keys = Object.keys(copy);
    if (keys.length === 0) return ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
    const key = keys[Math.floor(random() * keys.length)]!;
    const roll = random();
    if (roll < 0.3) delete copy[key];
    else if (roll < 0.5 || depth > 6) copy[key] = ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
    else copy[key] = mutateValue(copy[key], random, depth + 1);
    return copy;
  }
  return ODD_VALUES[Math.floor(random() * ODD_VALUES.length)];
}

function randomBytes(random: () => number, length: number): Buffer {
  const bytes = Buffer.alloc(length);
  for (let i = 0; i < length; i += 1) bytes[i] = Math.floor(random() * 256);
  return bytes;
}

/** A body for `seed`: mutated structurally, truncated, sprinkled with random bytes, or random altogether. */
function fuzzBody(seed: Seed, random: () => number): Buffer {
  const text = JSON.stringify(seed.body);
  const roll = random();
  if (roll < 0.35) {
    let value = seed.body;
    const rounds = 1 + Math.floor(random() * 4);
    for (let i = 0; i < rounds; i += 1) value = mutateValue(value, random);
    return Buffer.from(JSON.stringify(value) ?? 'null');
  }
  if (roll < 0.55) return Buffer.from(text.slice(0, Math.floor(random() * text.length)));
  if (roll < 0.75) {
    const bytes = Buffer.from(text);
    const at = Math.floor(random() * bytes.length);
    return Buffer.concat([
      bytes.subarray(0, at),
      randomBytes(random, 1 + Math.floor(random() * 16)),
      bytes.subarray(at),
    ]);
  }
  if (roll < 0.85) return randomBytes(random, Math.floor(random() * 2048));
  if (roll < 0.9) return Buffer.from('['.repeat(50_000) + ']'.repeat(50_000));
  if (roll < 0.95)
    return Buffer.from(JSON.stringify(ODD_VALUES[Math.floor(random() * ODD_VALUES.length)]) ?? '');
  return Buffer.alloc(0);
}

function signedHeaders(seed: Seed, body: Buffer, random: () => number): Record<string, string> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  switch (seed.provider) {
    case 'github':
      headers['x-github-event'] = random() < 0.9 ? seed.event : 'release';
      headers['x-github-delivery'] = randomUUID();
      headers['x-hub-signature-256'] =
        `sha256=${createHmac('sha256', SECRETS.github).update(body).digest('hex')}`;
      break;
    case 'gitlab':
      headers['x-gitlab-event'] = random() < 0.9 ? seed.event : 'Pipeline Hook';
      headers['x-gitlab-event-uuid'] = randomUUID();
      headers['x-gitlab-token'] = SECRETS.gitlab;
      break;
    case 'alertmanager':
      headers.authorization = `Bearer ${SECRETS.alertmanager}`;
      break;
    case 'ci':
      headers['x-gantry-signature'] = signPayload(SECRETS.ci, body);
      break;
  }
  return headers;
}

describe('webhook endpoints under fuzzed bodies', () => {
  let gantry: TestServer;

  beforeAll(async () => {
    gantry = await startTestServer({
      database: 'pglite',
      env: {
        GANTRY_GITHUB_WEBHOOK_SECRET: SECRETS.github,
        GANTRY_GITLAB_WEBHOOK_TOKEN: SECRETS.gitlab,
        GANTRY_ALERTMANAGER_TOKEN: SECRETS.alertmanager,
        GANTRY_CI_WEBHOOK_SECRET: SECRETS.ci,
      },
    });
  });

  afterAll(async () => {
    await gantry?.stop();
  });

  it(`answers ${REQUESTS} signed, mutated bodies without a 5xx, stays healthy, and does not keep them`, async () => {
    const seed = Number(process.env.GANTRY_FUZZ_SEED ?? Date.now() % 2 ** 31);
    const random = generator(seed);
    const all = seeds();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    let sent = 0;
    let heapAfterWarmUp = 0;

    const send = async (): Promise<void> => {
      const source = all[Math.floor(random() * all.length)]!;
      const body = fuzzBody(source, random);
      const headers = signedHeaders(source, body, random);
      const response = await fetch(`${gantry.server.url}/api/v1/webhooks/${source.provider}`, {
        method: 'POST',
        headers,
        body,
      });
      const text = await response.text();
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      if (response.status >= 500 && failures.length < 5) {
        failures.push(`${source.provider} ${source.event} → ${response.status} ${text.slice(0, 300)}`);
      }
    };

    const worker = async (): Promise<void> => {
      while (sent < REQUESTS) {
        sent += 1;
        await send();
        if (sent === 500 && heapAfterWarmUp === 0) {
          collectGarbage();
          heapAfterWarmUp = process.memoryUsage().heapUsed;
        }
      }
    };
    await Promise.all(Array.from({ length: CONCURRENCY }, () => worker()));

    expect(failures, `fuzz seed ${seed}; statuses ${JSON.stringify([...statuses])}`).toEqual([]);
    expect([...statuses.keys()].every((status) => status < 500)).toBe(true);
    // The mutations reach every kind of answer: accepted, ignored or duplicate, and refused as invalid.
    expect([...statuses.keys()].some((status) => status === 202)).toBe(true);
    expect(statuses.get(400) ?? 0).toBeGreaterThan(REQUESTS / 4);
    expect((await fetch(`${gantry.server.url}/healthz`)).status).toBe(200);

    collectGarbage();
    const growth = process.memoryUsage().heapUsed - heapAfterWarmUp;
    expect(growth, `heap grew by ${Math.round(growth / 1024 / 1024)} MiB after the warm-up`).toBeLessThan(
      HEAP_GROWTH_BOUND_BYTES,
    );
  });
});
