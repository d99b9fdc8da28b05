import { createHash } from 'node:crypto';
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import net, { type AddressInfo, type Socket } from 'node:net';
import { Registry } from 'prom-client';
import { afterEach, describe, expect, it } from 'vitest';
import type { Backend, RoutingTable } from './routing.js';
import { TrafficMetrics } from './traffic-metrics.js';
import { ProxyListenError, TrafficProxy } from './traffic-proxy.js';

// Real sockets throughout: backends are node:http (or raw node:net) servers
// on port 0, clients are node:http requests through the proxy.

const BLUE = '2026.11.2';
const GREEN = '2026.11.3';

const cleanups: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

interface TestBackend {
  server: http.Server;
  port: number;
  backend(role?: Backend['role']): Backend;
  close(): Promise<void>;
}

async function startBackend(
  version: string,
  handler: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => res.end(version),
): Promise<TestBackend> {
  const server = http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  let closed = false;
  const close = async () => {
    if (closed) return;
    closed = true;
    const done = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await done;
  };
  cleanups.push(close);
  return {
    server,
    port,
    backend: (role = 'stable') => ({ version, role, endpoints: [{ host: '127.0.0.1', port }] }),
    close,
  };
}

async function startProxy(table?: RoutingTable, options: { name?: string } = {}) {
  const registry = new Registry();
  const metrics = new TrafficMetrics(registry);
  const proxy = new TrafficProxy({ service: 'checkout', stage: 'prod', metrics, ...options });
  if (table) proxy.route(table);
  await proxy.listen(0, '127.0.0.1');
  cleanups.push(() => proxy.close({ timeoutMs: 1_000 }));
  return { proxy, metrics, registry };
}

/** A port nothing listens on (bound, then released). */
async function deadPort(): Promise<number> {
  const server = net.createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

interface Answer {
  status: number;
  headers: IncomingHttpHeaders;
  body: string;
}

function send(
  port: number,
  options: {
    path?: string;
    method?: string;
    headers?: http.OutgoingHttpHeaders;
    agent?: http.Agent;
    body?: string;
  } = {},
): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        path: options.path ?? '/',
        method: options.method ?? 'GET',
        headers: options.headers,
        agent: options.agent ?? false,
      },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (body += chunk));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

function keepAliveAgent(maxSockets: number): http.Agent {
  const agent = new http.Agent({ keepAlive: true, maxSockets });
  cleanups.push(() => agent.destroy());
  return agent;
}

/** Runs `total` requests from `clients` concurrent loops; `onAnswer` sees each in order of completion. */
async function load(
  port: number,
  clients: number,
  total: number,
  request: (index: number) => Parameters<typeof send>[1],
  onAnswer: (answer: Answer, index: number) => void,
): Promise<void> {
  let next = 0;
  const agent = keepAliveAgent(clients);
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (next < total) {
        const index = next++;
        onAnswer(await send(port, { agent, ...request(index) }), index);
      }
    }),
  );
}

function deferred<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((done) => (resolve = done));
  return { promise, resolve };
}

describe('TrafficProxy routing', () => {
  it('sends about canaryWeight percent of 5,000 requests to the canary and counts them by role and version', async () => {
    const blue = await startBackend(BLUE);
    const green = await startBackend(GREEN);
    const { proxy, metrics, registry } = await startProxy({
      stable: blue.backend('stable'),
      canary: green.backend('canary'),
      canaryWeight: 10,
    });
    const seen = new Map<string, number>();
    await load(
      proxy.port,
      20,
      5_000,
      () => ({}),
      (answer) => {
        expect(answer.status).toBe(200);
        expect(answer.headers['x-gantry-version']).toBe(answer.body);
        seen.set(answer.body, (seen.get(answer.body) ?? 0) + 1);
      },
    );
    const share = (seen.get(GREEN) ?? 0) / 5_000;
    expect(share).toBeGreaterThanOrEqual(0.08);
    expect(share).toBeLessThanOrEqual(0.12);

    const canary = metrics.window(
      { service: 'checkout', stage: 'prod', version: GREEN, role: 'canary' },
      60_000,
    );
    const stable = metrics.window(
      { service: 'checkout', stage: 'prod', version: BLUE, role: 'stable' },
      60_000,
    );
    expect(canary.requests).toBe(seen.get(GREEN));
    expect(stable.requests).toBe(seen.get(BLUE));
    expect(canary.errors + stable.errors).toBe(0);
    expect(await registry.metrics()).toContain(
      `gantry_proxy_requests_total{service="checkout",stage="prod",version="${GREEN}",role="canary",code_class="2xx"} ${seen.get(GREEN)}`,
    );
  });

  it('keeps each user on one side by the stickiness header', async () => {
    const blue = await startBackend(BLUE);
    const green = await startBackend(GREEN);
    const { proxy } = await startProxy({
      stable: blue.backend(),
      canary: green.backend('canary'),
      canaryWeight: 30,
      stickiness: { header: 'X-User' },
    });
    const agent = keepAliveAgent(10);
    const sides = new Map<string, Set<string>>();
    for (let round = 0; round < 3; round++) {
      await Promise.all(
        Array.from({ length: 100 }, async (_, index) => {
          const user = `user-${index}`;
          const answer = await send(proxy.port, { agent, headers: { 'X-User': user } });
          if (!sides.has(user)) sides.set(user, new Set());
          sides.get(user)!.add(answer.body);
          expect(answer.headers['set-cookie']).toBeUndefined();
        }),
      );
    }
    for (const versions of sides.values()) expect(versions.size).toBe(1);
    const onCanary = [...sides.values()].filter((versions) => versions.has(GREEN)).length;
    expect(onCanary).toBeGreaterThan(10);
    expect(onCanary).toBeLessThan(55);
  });

  it('pins a client with the sticky cookie it sets on a random choice', async () => {
    const blue = await startBackend(BLUE);
    const green = await startBackend(GREEN);
    const { proxy } = await startProxy({
      stable: blue.backend(),
      canary: green.backend('canary'),
      canaryWeight: 50,
      stickiness: { cookie: 'gantry-canary' },
    });
    const agent = keepAliveAgent(4);
    const first = await send(proxy.port, { agent });
    const setCookie = first.headers['set-cookie']?.[0];
    const side = first.body === GREEN ? 'canary' : 'stable';
    expect(setCookie).toBe(`gantry-canary=${side}; Path=/; HttpOnly; SameSite=Lax`);
    for (let index = 0; index < 30; index++) {
      const again = await send(proxy.port, {
        agent,
        headers: { Cookie: `theme=dark; gantry-canary=${side}` },
      });
      expect(again.body).toBe(first.body);
      expect(again.headers['set-cookie']).toBeUndefined();
    }
    for (const [cookie, version] of [
      ['canary', GREEN],
      ['stable', BLUE],
    ] as const) {
      const answer = await send(proxy.port, { agent, headers: { Cookie: `gantry-canary=${cookie}` } });
      expect(answer.body).toBe(version);
    }
  });

  it('lets X-Gantry-Canary force a side that exists', async () => {
    const blue = await startBackend(BLUE);
    const green = await startBackend(GREEN);
    const { proxy } = await startProxy({
      stable: blue.backend(),
      canary: green.backend('canary'),
      canaryWeight: 0,
    });
    for (let index = 0; index < 10; index++) {
      expect((await send(proxy.port, { headers: { 'X-Gantry-Canary': 'always' } })).body).toBe(GREEN);
    }
    proxy.route({ stable: blue.backend(), canary: green.backend('canary'), canaryWeight: 100 });
    expect((await send(proxy.port)).body).toBe(GREEN);
    expect((await send(proxy.port, { headers: { 'X-Gantry-Canary': 'never' } })).body).toBe(BLUE);
    proxy.route({ stable: blue.backend(), canaryWeight: 0 });
    expect((await send(proxy.port, { headers: { 'X-Gantry-Canary': 'always' } })).body).toBe(BLUE);
  });
});

describe('TrafficProxy blue-green switch', () => {
  it('drops no request when stable flips from blue to green under load, and blue can be stopped once drained', async () => {
    let switched = false;
    let inFlightOnBlueAtSwitch = -1;
    let blueRequests = 0;
    const blue = await startBackend(BLUE, (_req, res) => {
      // The switch happens while this very request is on blue, among others.
      if (++blueRequests === 1_000) {
        proxy.route({ stable: green.backend(), canaryWeight: 0 });
        switched = true;
        inFlightOnBlueAtSwitch = proxy.inFlight(BLUE);
      }
      setTimeout(() => res.end(BLUE), 2);
    });
    const green = await startBackend(GREEN, (_req, res) => {
      setTimeout(() => res.end(GREEN), 2);
    });
    const { proxy } = await startProxy({ stable: blue.backend(), canaryWeight: 0 });

    const sentAfterSwitch: boolean[] = [];
    const answers: Answer[] = [];
    await load(
      proxy.port,
      20,
      3_000,
      (index) => {
        sentAfterSwitch[index] = switched;
        return {};
      },
      (answer, index) => (answers[index] = answer),
    );
    expect(answers.filter((answer) => answer.status === 200)).toHaveLength(3_000);
    // Requests already on blue when the table changed finished there.
    expect(inFlightOnBlueAtSwitch).toBeGreaterThan(0);
    expect(answers.filter((answer) => answer.body === BLUE).length).toBeGreaterThanOrEqual(1_000);
    const after = answers.filter((_, index) => sentAfterSwitch[index]);
    expect(after.length).toBeGreaterThan(1_900);
    expect(after.every((answer) => answer.body === GREEN)).toBe(true);

    await proxy.drained(BLUE);
    expect(proxy.inFlight(BLUE)).toBe(0);
    await blue.close();
    const again: Answer[] = [];
    await load(
      proxy.port,
      20,
      500,
      () => ({}),
      (answer) => again.push(answer),
    );
    expect(again).toHaveLength(500);
    expect(again.every((answer) => answer.status === 200 && answer.body === GREEN)).toBe(true);
  });

  it('lets a request in flight finish on the old version, while new ones go to the new one', async () => {
    const held = deferred();
    const arrived = deferred();
    const blue = await startBackend(BLUE, (_req, res) => {
      arrived.resolve();
      void held.promise.then(() => res.end(BLUE));
    });
    const green = await startBackend(GREEN);
    const { proxy } = await startProxy({ stable: blue.backend(), canaryWeight: 0 });
    const slow = send(proxy.port);
    await arrived.promise;
    proxy.route({ stable: green.backend(), canaryWeight: 0 });
    expect((await send(proxy.port)).body).toBe(GREEN);
    let drained = false;
    const drainedPromise = proxy.drained(BLUE).then(() => (drained = true));
    expect(proxy.inFlight(BLUE)).toBe(1);
    expect(drained).toBe(false);
    held.resolve();
    expect(await slow).toMatchObject({ status: 200, body: BLUE });
    await drainedPromise;
    expect(drained).toBe(true);
    await expect(proxy.drained(GREEN)).resolves.toBeUndefined();
  });

  it('stops waiting for a drain when the signal aborts', async () => {
    const held = deferred();
    const arrived = deferred();
    const blue = await startBackend(BLUE, (_req, res) => {
      arrived.resolve();
      void held.promise.then(() => res.end(BLUE));
    });
    const { proxy } = await startProxy({ stable: blue.backend(), canaryWeight: 0 });
    const slow = send(proxy.port);
    await arrived.promise;
    const controller = new AbortController();
    const waiting = proxy.drained(BLUE, controller.signal);
    controller.abort(new Error('gave up'));
    await expect(waiting).rejects.toThrow('gave up');
    held.resolve();
    await slow;
  });
});

describe('TrafficProxy streaming', () => {
  it('passes response chunks on as they come (no buffering)', async () => {
    const firstSeen = deferred();
    const backend = await startBackend(GREEN, (_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/plain' });
      res.write('first;');
      // The backend finishes only after the client has read the first chunk through the proxy.
      void firstSeen.promise.then(() => res.end('second'));
    });
    const { proxy } = await startProxy({ stable: backend.backend(), canaryWeight: 0 });
    const body = await new Promise<string>((resolve, reject) => {
      http
        .get({ host: '127.0.0.1', port: proxy.port, agent: false }, (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (chunk: string) => {
            text += chunk;
            if (text === 'first;') firstSeen.resolve();
          });
          res.on('end', () => resolve(text));
        })
        .on('error', reject);
    });
    expect(body).toBe('first;second');
  });

  it('streams a large upload to the backend as it is sent', async () => {
    const firstReceived = deferred();
    const backend = await startBackend(GREEN, (req, res) => {
      const hash = createHash('sha256');
      let bytes = 0;
      req.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        hash.update(chunk);
        firstReceived.resolve();
      });
      req.on('end', () => res.end(JSON.stringify({ bytes, sha256: hash.digest('hex') })));
    });
    const { proxy } = await startProxy({ stable: backend.backend(), canaryWeight: 0 });
    const chunk = Buffer.alloc(64 * 1024, 7);
    const chunks = 320; // 20 MiB
    const expected = createHash('sha256');
    const answer = await new Promise<Answer>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: proxy.port, method: 'PUT', path: '/upload', agent: false },
        (res) => {
          let body = '';
          res.on('data', (data: Buffer) => (body += data.toString()));
          res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body }));
        },
      );
      req.on('error', reject);
      const writeRest = async () => {
        for (let index = 1; index < chunks; index++) {
          expected.update(chunk);
          if (!req.write(chunk)) await new Promise((drain) => req.once('drain', drain));
        }
        req.end();
      };
      expected.update(chunk);
      req.write(chunk);
      // The rest is written only once the backend has received the start: a buffering proxy would stall here.
      void firstReceived.promise.then(writeRest);
    });
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toEqual({ bytes: chunk.length * chunks, sha256: expected.digest('hex') });
  });

  it('destroys the upstream request when the client goes away', async () => {
    const arrived = deferred();
    const upstreamClosed = deferred<boolean>();
    const backend = await startBackend(GREEN, (_req, res) => {
      res.on('close', () => upstreamClosed.resolve(res.writableFinished));
      arrived.resolve();
    });
    const { proxy, metrics } = await startProxy({ stable: backend.backend(), canaryWeight: 0 });
    const req = http.get({ host: '127.0.0.1', port: proxy.port, agent: false });
    req.on('error', () => undefined);
    await arrived.promise;
    req.destroy();
    expect(await upstreamClosed.promise).toBe(false);
    await expect.poll(() => proxy.inFlight()).toBe(0);
    const window = metrics.window(
      { service: 'checkout', stage: 'prod', version: GREEN, role: 'stable' },
      60_000,
    );
    expect(window).toMatchObject({ requests: 1, errors: 0 });
  });

  it('cuts the client connection when the backend fails in the middle of a body', async () => {
    const backend = await startBackend(GREEN, (_req, res) => {
      res.writeHead(200, { 'Content-Length': '1000' });
      res.write('partial');
      setImmediate(() => res.socket?.destroy());
    });
    const { proxy, metrics } = await startProxy({ stable: backend.backend(), canaryWeight: 0 });
    const outcome = await new Promise<string>((resolve) => {
      http
        .get({ host: '127.0.0.1', port: proxy.port, agent: false }, (res) => {
          res.on('data', () => undefined);
          res.on('end', () => resolve('ended cleanly'));
          res.on('error', (error) => resolve(`error: ${error.message}`));
          res.on('aborted', () => resolve('aborted'));
        })
        .on('error', (error) => resolve(`request error: ${error.message}`));
    });
    expect(outcome).not.toBe('ended cleanly');
    await expect
      .poll(
        () =>
          metrics.window({ service: 'checkout', stage: 'prod', version: GREEN, role: 'stable' }, 60_000)
            .errors,
      )
      .toBe(1);
  });
});

describe('TrafficProxy headers', () => {
  it('removes hop-by-hop request headers and sets X-Forwarded-*', async () => {
    const backend = await startBackend(GREEN, (req, res) => res.end(JSON.stringify(req.headers)));
    const { proxy } = await startProxy({ stable: backend.backend(), canaryWeight: 0 });
    const answer = await send(proxy.port, {
      headers: {
        Host: 'shop.example.com',
        Connection: 'keep-alive, X-Hop',
        'X-Hop': 'gone',
        'Keep-Alive': 'timeout=5',
        'Proxy-Authorization': 'Basic Zm9vOmJhcg==',
        'Proxy-Connection': 'keep-alive',
        TE: 'trailers',
        'X-Forwarded-For': '203.0.113.7',
        'X-Forwarded-Proto': 'https',
        'X-Kept': 'yes',
      },
    });
    const received = JSON.parse(answer.body) as Record<string, string>;
    for (const name of ['x-hop', 'keep-alive', 'proxy-authorization', 'proxy-connection', 'te']) {
      expect(received).not.toHaveProperty(name);
    }
    expect(received).toMatchObject({
      host: 'shop.example.com',
      'x-kept': 'yes',
      'x-forwarded-for': '203.0.113.7, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'shop.example.com',
      'x-forwarded-port': String(proxy.port),
    });
    expect(answer.headers['x-gantry-version']).toBe(GREEN);
  });

  it('removes hop-by-hop response headers', async () => {
    // A raw backend, to send headers node:http would not let through as written.
    const server = net.createServer((socket) => {
      socket.once('data', () => {
        socket.end(
          [
            'HTTP/1.1 200 OK',
            'Connection: close, X-Backend-Hop',
            'X-Backend-Hop: gone',
            'Keep-Alive: timeout=99',
            'Proxy-Authenticate: Basic',
            'Trailer: Expires',
            'Upgrade: h2c',
            'X-Gantry-Version: spoofed',
            'X-Kept: yes',
            'Content-Length: 2',
            '',
            'ok',
          ].join('\r\n'),
        );
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const { proxy } = await startProxy({
      stable: { version: GREEN, role: 'stable', endpoints: [{ host: '127.0.0.1', port }] },
      canaryWeight: 0,
    });
    const answer = await send(proxy.port);
    expect(answer.body).toBe('ok');
    for (const name of ['x-backend-hop', 'proxy-authenticate', 'trailer', 'upgrade']) {
      expect(answer.headers).not.toHaveProperty(name);
    }
    expect(answer.headers['keep-alive']).not.toBe('timeout=99');
    expect(answer.headers['x-kept']).toBe('yes');
    expect(answer.headers['x-gantry-version']).toBe(GREEN);
  });
});

describe('TrafficProxy WebSocket', () => {
  async function startEchoBackend(version: string) {
    const upgraded = deferred<IncomingHttpHeaders>();
    const backend = await startBackend(version, (_req, res) => res.end('plain'));
    backend.server.on('upgrade', (req: IncomingMessage, socket: Socket) => {
      upgraded.resolve(req.headers);
      const key = String(req.headers['sec-websocket-key']);
      const accept = createHash('sha1').update(`${key}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(
        `HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`,
      );
      // Echo bytes back: the proxy tunnels bytes, frames are the endpoints' business.
      socket.pipe(socket);
    });
    return { ...backend, upgraded: upgraded.promise };
  }

  function connect(port: number) {
    return new Promise<{ response: IncomingMessage; socket: Socket; head: Buffer }>((resolve, reject) => {
      const req = http.request({
        host: '127.0.0.1',
        port,
        path: '/socket',
        agent: false,
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==',
          'Sec-WebSocket-Version': '13',
        },
      });
      req.on('upgrade', (response: IncomingMessage, socket: Socket, head: Buffer) =>
        resolve({ response, socket, head }),
      );
      req.on('response', (response) => reject(new Error(`no upgrade: ${response.statusCode}`)));
      req.on('error', reject);
      req.end();
    });
  }

  it('tunnels an upgraded connection both ways, and cuts it on close()', async () => {
    const backend = await startEchoBackend(GREEN);
    const { proxy } = await startProxy({ stable: backend.backend(), canaryWeight: 0 });
    const { response, socket } = await connect(proxy.port);
    expect(response.statusCode).toBe(101);
    expect(response.headers['sec-websocket-accept']).toBe('s3pPLMBiTxaQ9kYGzzhZRbK+xOo=');
    expect(response.headers['x-gantry-version']).toBe(GREEN);
    const upstreamHeaders = await backend.upgraded;
    expect(upstreamHeaders['x-forwarded-for']).toBe('127.0.0.1');
    expect(upstreamHeaders.upgrade).toBe('websocket');

    const echoed = new Promise<string>((resolve) => {
      let text = '';
      socket.on('data', (data: Buffer) => {
        text += data.toString();
        if (text === 'ping pong') resolve(text);
      });
    });
    socket.write('ping ');
    socket.write('pong');
    expect(await echoed).toBe('ping pong');
    expect(proxy.inFlight(GREEN)).toBe(0);

    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await proxy.close({ timeoutMs: 1_000 });
    await closed;
  });

  it("relays a backend's refusal to upgrade", async () => {
    const backend = await startBackend(GREEN);
    backend.server.on('upgrade', (_req: IncomingMessage, socket: Socket) => {
      socket.end('HTTP/1.1 426 Upgrade Required\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope');
    });
    const { proxy } = await startProxy({ stable: backend.backend(), canaryWeight: 0 });
    await expect(connect(proxy.port)).rejects.toThrow('no upgrade: 426');
  });
});

describe('TrafficProxy failures', () => {
  it('answers 502 with a reason when no replica accepts the connection', async () => {
    const port = await deadPort();
    const { proxy, metrics } = await startProxy({
      stable: { version: GREEN, role: 'stable', endpoints: [{ host: '127.0.0.1', port }] },
      canaryWeight: 0,
    });
    const answer = await send(proxy.port);
    expect(answer.status).toBe(502);
    expect(answer.body).toBe(`502 Bad Gateway: no replica of checkout ${GREEN} accepted the connection\n`);
    expect(answer.headers['x-gantry-version']).toBe(GREEN);
    // Still tried (and still 502) while it is the only replica, even during its cool-down.
    expect((await send(proxy.port)).status).toBe(502);
    const window = metrics.window(
      { service: 'checkout', stage: 'prod', version: GREEN, role: 'stable' },
      60_000,
    );
    expect(window).toMatchObject({ requests: 2, errors: 2 });
  });

  it('retries a refused connection on another replica of the same version', async () => {
    const alive = await startBackend(GREEN);
    const dead = await deadPort();
    const { proxy } = await startProxy({
      stable: {
        version: GREEN,
        role: 'stable',
        endpoints: [
          { host: '127.0.0.1', port: dead },
          { host: '127.0.0.1', port: alive.port },
        ],
      },
      canaryWeight: 0,
    });
    for (let index = 0; index < 20; index++) {
      expect(await send(proxy.port, { method: 'POST', body: `order ${index}` })).toMatchObject({
        status: 200,
        body: GREEN,
      });
    }
  });

  it('re-sends a bodyless request whose pooled connection the replica had closed, never one with a body', async () => {
    // Answers the first request of each connection, then closes the
    // connection when the next one arrives: a keep-alive race, made certain.
    const server = net.createServer((socket) => {
      let requests = 0;
      socket.on('data', () => {
        if (++requests === 1)
          socket.write('HTTP/1.1 200 OK\r\nConnection: keep-alive\r\nContent-Length: 2\r\n\r\nok');
        else socket.destroy();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    cleanups.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const { proxy } = await startProxy({
      stable: { version: GREEN, role: 'stable', endpoints: [{ host: '127.0.0.1', port }] },
      canaryWeight: 0,
    });
    for (let index = 0; index < 5; index++)
      expect(await send(proxy.port)).toMatchObject({ status: 200, body: 'ok' });
    const post = await send(proxy.port, { method: 'POST', body: 'charge the card' });
    expect(post.status).toBe(502);
    expect(post.body).toBe(`502 Bad Gateway: checkout ${GREEN} closed the connection without a response\n`);
  });

  it('round-robins over replicas and skips those marked unhealthy', async () => {
    const first = await startBackend(GREEN, (_req, res) => res.end('first'));
    const second = await startBackend(GREEN, (_req, res) => res.end('second'));
    const { proxy } = await startProxy({
      stable: {
        version: GREEN,
        role: 'stable',
        endpoints: [
          { host: '127.0.0.1', port: first.port },
          { host: '127.0.0.1', port: second.port },
        ],
      },
      canaryWeight: 0,
    });
    const bodies = [];
    for (let index = 0; index < 6; index++) bodies.push((await send(proxy.port)).body);
    expect(bodies.filter((body) => body === 'first')).toHaveLength(3);
    proxy.setEndpointHealthy({ host: '127.0.0.1', port: first.port }, false);
    for (let index = 0; index < 4; index++) expect((await send(proxy.port)).body).toBe('second');
    proxy.setEndpointHealthy({ host: '127.0.0.1', port: second.port }, false);
    const none = await send(proxy.port);
    expect(none.status).toBe(503);
    expect(none.body).toBe(`503 Service Unavailable: no healthy replica of checkout ${GREEN}\n`);
    proxy.setEndpointHealthy({ host: '127.0.0.1', port: first.port }, true);
    expect((await send(proxy.port)).body).toBe('first');
  });

  it('answers 503 when nothing is routed', async () => {
    const { proxy } = await startProxy();
    const answer = await send(proxy.port);
    expect(answer.status).toBe(503);
    expect(answer.body).toBe('503 Service Unavailable: checkout has no version routed in prod\n');
    proxy.route({ stable: { version: GREEN, role: 'stable', endpoints: [] }, canaryWeight: 0 });
    expect((await send(proxy.port)).body).toBe(`503 Service Unavailable: checkout ${GREEN} has no replica\n`);
  });

  it('says which port is taken when it cannot listen', async () => {
    const { proxy } = await startProxy();
    const second = new TrafficProxy({
      service: 'checkout',
      stage: 'prod',
      name: 'preview',
      metrics: new TrafficMetrics(new Registry()),
    });
    const failure = second.listen(proxy.port, '127.0.0.1');
    await expect(failure).rejects.toThrow(`port ${proxy.port} is already in use (by another process?)`);
    await expect(failure).rejects.toBeInstanceOf(ProxyListenError);
    await expect(failure).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await second.close();
  });

  it('lets requests in flight finish on close()', async () => {
    const held = deferred();
    const arrived = deferred();
    const backend = await startBackend(GREEN, (_req, res) => {
      arrived.resolve();
      void held.promise.then(() => res.end('done'));
    });
    const { proxy } = await startProxy({ stable: backend.backend(), canaryWeight: 0 });
    const slow = send(proxy.port);
    await arrived.promise;
    let closed = false;
    const closing = proxy.close({ timeoutMs: 30_000 }).then(() => (closed = true));
    await expect(send(proxy.port)).rejects.toThrow();
    expect(closed).toBe(false);
    held.resolve();
    expect(await slow).toMatchObject({ status: 200, body: 'done' });
    await closing;
  });
});
