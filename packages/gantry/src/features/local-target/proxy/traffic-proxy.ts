import http, { STATUS_CODES, type ClientRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Logger } from 'pino';
import {
  downstreamResponseHeaders,
  headerLines,
  switchingResponseHeaders,
  upstreamRequestHeaders,
} from './forwarding-headers.js';
import {
  decideRoute,
  validateRoutingTable,
  VERSION_HEADER,
  type Backend,
  type Endpoint,
  type RoutingDecision,
  type RoutingRequest,
  type RoutingTable,
} from './routing.js';
import type { TrafficMetrics } from './traffic-metrics.js';

export type { Backend, Endpoint, RoutingTable, Stickiness, TrafficRole } from './routing.js';

// The reverse proxy in front of one stage of the `local` target. The
// supervisor runs a service's versions as processes on this machine and tells
// the proxy where they listen with route(); the proxy splits requests between
// the stable and the canary version, streams bodies both ways (nothing is
// buffered), tunnels WebSocket upgrades, and records what it saw in
// TrafficMetrics for the analysis of the promotion.
//
// A request decides its backend once, when it arrives, from the table in
// force at that moment; route() replaces the table in one assignment. So a
// blue-green switch never moves a request in flight, and once route() returns
// no new request picks a version the new table does not name. drained(version)
// then tells the supervisor when it may stop that version's processes.
//
// A replica that refuses a connection (or does not accept one within
// connectTimeoutMs) is skipped for refusedCooldownMs while the version has
// other replicas, and the request is tried once on another replica. Requests
// are never re-sent after their body started to flow, except a bodyless
// request whose pooled keep-alive connection turned out to be closed.
//
// What clients and services see:
//   X-Gantry-Canary: always|never  (request) forces the canary or the stable
//                                  side, when the table has it: for trying a
//                                  canary before it gets any weight.
//   X-Gantry-Version: <version>    (response) the version that answered,
//                                  also on the proxy's own 502/503 when a
//                                  version had been chosen.
//   Set-Cookie: <cookie>=canary|stable; Path=/; HttpOnly; SameSite=Lax
//                                  (response) when stickiness.cookie is set and
//                                  the side was drawn at random.
//   X-Forwarded-For (appended), X-Forwarded-Proto/Host/Port (set)
//                                  (request, to the service).
//   502/503 bodies are one line of text saying why, e.g.
//   `502 Bad Gateway: no replica of checkout 2026.11.3 accepted the connection`.
// Latencies recorded in TrafficMetrics run from the request's arrival to the
// end of its response; a client that leaves before any response counts as 499.

export interface TrafficProxyOptions {
  service: string;
  stage: string;
  metrics: TrafficMetrics;
  logger?: Logger;
  /** Which of the stage's proxies this is (e.g. `preview`), for logs and errors. */
  name?: string;
  /** How long to wait for a replica to accept a TCP connection, in ms (default 5,000). */
  connectTimeoutMs?: number;
  /** How long a replica that refused a connection is passed over while others remain, in ms (default 2,000). */
  refusedCooldownMs?: number;
  /**
   * Keep X-Forwarded-Proto/Host/Port sent by the client instead of setting
   * them (default false). Only for a proxy that sits behind another trusted
   * proxy; X-Forwarded-For is always appended to.
   */
  trustForwardedHeaders?: boolean;
  /** Random numbers in [0, 1) for the weighted choice (tests). */
  random?: () => number;
}

export interface CloseOptions {
  /** How long requests in flight may take to finish before their connections are cut, in ms (default 10,000). */
  timeoutMs?: number;
}

/** listen() failed; `code` is Node's (EADDRINUSE, EACCES, …). */
export class ProxyListenError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'ProxyListenError';
  }
}

interface EndpointHealth {
  /** Marked down by the supervisor: never chosen until marked up again. */
  down: boolean;
  /** performance.now() until which the endpoint is passed over after a refused connection. */
  coolUntil: number;
}

interface DrainWaiter {
  version: string;
  resolve(): void;
}

interface Tunnel {
  client: Duplex;
  upstream: Duplex;
}

/** One client request (or upgrade) on its way to a backend: what dispatch() needs from its caller. */
interface Exchange {
  backend: Backend;
  /** Creates the upstream request to one endpoint, with its response/upgrade listeners. */
  open(endpoint: Endpoint): ClientRequest;
  /** The upstream socket is connected: the request (and its body) may be sent. */
  connected(upstream: ClientRequest): void;
  /** Whether the request could be sent again from scratch (nothing of its body consumed). */
  replayable(): boolean;
  /** The client is gone; upstream errors no longer matter. */
  abandoned(): boolean;
  /** No response could be obtained: answer the client with this status. */
  fail(status: 502 | 503, reason: string): void;
  /** The upstream failed after its response had started. */
  broken(error: Error): void;
}

const EMPTY_TABLE: Readonly<RoutingTable> = Object.freeze({ canaryWeight: 0 });
const STALE_CONNECTION_CODES = new Set(['ECONNRESET', 'EPIPE']);

export class TrafficProxy {
  readonly service: string;
  readonly stage: string;
  readonly name: string | undefined;
  private readonly metrics: TrafficMetrics;
  private readonly logger: Logger | undefined;
  private readonly connectTimeoutMs: number;
  private readonly refusedCooldownMs: number;
  private readonly trustForwarded: boolean;
  private readonly random: () => number;
  private readonly server: http.Server;
  // Keep-alive to the replicas. No idle `timeout` on the agent: it makes Node
  // re-arm a timer on every read and write of every pooled socket, a cost that
  // showed in bench:proxy. A replica
  // closing an idle connection just as it is reused is handled by dispatch().
  private readonly agent = new http.Agent({ keepAlive: true, noDelay: true });
  private table: Readonly<RoutingTable> = EMPTY_TABLE;
  private readonly inFlightByVersion = new Map<string, number>();
  private inFlightTotal = 0;
  private readonly drainWaiters = new Set<DrainWaiter>();
  private readonly tunnels = new Set<Tunnel>();
  /** Client sockets of upgrade requests, from the handshake on. */
  private readonly upgradeSockets = new Set<Duplex>();
  private readonly turns = new WeakMap<Backend, number>();
  private readonly health = new Map<string, EndpointHealth>();
  private closing: Promise<void> | undefined;
  private onIdle: (() => void) | undefined;

  constructor(options: TrafficProxyOptions) {
    this.service = options.service;
    this.stage = options.stage;
    this.name = options.name;
    this.metrics = options.metrics;
    this.logger = options.logger?.child({
      component: 'traffic-proxy',
      service: options.service,
      stage: options.stage,
      ...(options.name ? { proxy: options.name } : {}),
    });
    this.connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
    this.refusedCooldownMs = options.refusedCooldownMs ?? 2_000;
    this.trustForwarded = options.trustForwardedHeaders ?? false;
    this.random = options.random ?? Math.random;
    this.server = http.createServer();
    this.server.on('request', (req: IncomingMessage, res: ServerResponse) => this.forward(req, res));
    this.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) =>
      this.tunnel(req, socket, head),
    );
    this.server.on('error', (error) =>
      this.logger?.error({ error: error.message }, 'traffic proxy server error'),
    );
  }

  /** Starts accepting connections; rejects with a ProxyListenError saying what to change. */
  listen(port: number, host?: string): Promise<void> {
    if (this.closing) return Promise.reject(new Error(`the ${this.describe()} is closed`));
    return new Promise((resolve, reject) => {
      const onError = (error: NodeJS.ErrnoException) => {
        this.server.off('listening', onListening);
        reject(this.listenError(error, port, host));
      };
      const onListening = () => {
        this.server.off('error', onError);
        this.logger?.info({ port: this.port, host }, 'traffic proxy listening');
        resolve();
      };
      this.server.once('error', onError);
      this.server.once('listening', onListening);
      this.server.listen(port, host);
    });
  }

  /** The port the proxy listens on (the one chosen by the system after listen(0)); 0 before listen(). */
  get port(): number {
    const address = this.server.address();
    return address !== null && typeof address === 'object' ? address.port : 0;
  }

  /**
   * Replaces the routing table for requests that arrive from now on. Requests
   * that already picked a backend finish there. Throws (and keeps the old
   * table) when the table is invalid.
   */
  route(table: RoutingTable): void {
    this.table = validateRoutingTable(table);
    this.logger?.info(
      {
        stable: this.table.stable?.version,
        canary: this.table.canary?.version,
        canaryWeight: this.table.canaryWeight,
      },
      'traffic proxy routing changed',
    );
  }

  /** The table in force (frozen). */
  get routing(): RoutingTable {
    return this.table;
  }

  /** Requests (and WebSocket handshakes) in flight on `version`, or on all versions. */
  inFlight(version?: string): number {
    return version === undefined ? this.inFlightTotal : (this.inFlightByVersion.get(version) ?? 0);
  }

  /**
   * Resolves once no request is in flight on `version` (at once when none
   * is): after a route() that leaves the version out, the moment its
   * processes may be stopped. Called while the table still names the version,
   * it resolves all the same, and new requests may reach the version after
   * that. WebSocket connections already established are not waited for (they
   * can last for hours); they end when the version's processes stop, and
   * their clients reconnect to what the table names then. Rejects when
   * `signal` aborts.
   */
  drained(version: string, signal?: AbortSignal): Promise<void> {
    if (this.isDrained(version)) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        this.drainWaiters.delete(waiter);
        reject(
          signal?.reason instanceof Error
            ? signal.reason
            : new Error(`stopped waiting for ${version} to drain`),
        );
      };
      const waiter: DrainWaiter = {
        version,
        resolve: () => {
          this.drainWaiters.delete(waiter);
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      if (signal?.aborted) {
        onAbort();
        return;
      }
      signal?.addEventListener('abort', onAbort, { once: true });
      this.drainWaiters.add(waiter);
    });
  }

  /**
   * For the supervisor's health checks: a replica marked unhealthy is never
   * chosen until marked healthy again. When every replica of the version
   * chosen for a request is unhealthy, the request gets a 503.
   */
  setEndpointHealthy(endpoint: Endpoint, healthy: boolean): void {
    const key = endpointKey(endpoint);
    const entry = this.health.get(key);
    if (healthy) {
      if (entry) this.health.delete(key);
    } else {
      this.health.set(key, { down: true, coolUntil: entry?.coolUntil ?? 0 });
    }
  }

  /**
   * Stops accepting connections, closes idle keep-alive connections and
   * WebSocket tunnels at once, lets requests in flight finish for up to
   * `timeoutMs`, then cuts what remains.
   */
  close(options: CloseOptions = {}): Promise<void> {
    this.closing ??= this.shutdown(options.timeoutMs ?? 10_000);
    return this.closing;
  }

  private async shutdown(timeoutMs: number): Promise<void> {
    const closed = this.server.listening
      ? new Promise<void>((resolve) => this.server.close(() => resolve()))
      : Promise.resolve();
    this.server.closeIdleConnections();
    // WebSocket connections have no natural end to wait for; the server's own
    // connection tracking lets go of them at the upgrade, so they are cut here.
    for (const tunnel of this.tunnels) tunnel.upstream.destroy();
    for (const socket of this.upgradeSockets) socket.destroy();
    this.tunnels.clear();
    if (this.inFlightTotal > 0) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, timeoutMs);
        this.onIdle = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.onIdle = undefined;
    }
    this.server.closeAllConnections();
    await closed;
    this.agent.destroy();
    this.logger?.info('traffic proxy closed');
  }

  // ---- plain HTTP requests ----------------------------------------------

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const started = performance.now();
    const decision = decideRoute(this.table, headersOf(req), this.service, this.random);
    if (!decision) {
      reply(res, 503, `${this.service} has no version routed in ${this.stage}`);
      return;
    }
    const { backend, role } = decision;
    const version = backend.version;
    this.acquire(version);
    let upstream: ClientRequest | undefined;
    let status: number | undefined;
    let gone = false;
    // A client that aborts its upload: the replica must not wait for the rest.
    req.on('error', () => upstream?.destroy());
    const hasBody =
      req.headers['transfer-encoding'] !== undefined ||
      (req.headers['content-length'] !== undefined && req.headers['content-length'] !== '0');
    let bodyStarted = false;
    const headers = upstreamRequestHeaders(req.rawHeaders, this.forwardedFor(req));
    const extra = this.extraResponseHeaders(decision);

    res.once('close', () => {
      gone = true;
      const complete = res.writableFinished;
      if (!complete) upstream?.destroy();
      this.release(version);
      // 499 (nginx's "client closed request"): the client gave up before any response.
      const recorded = status ?? (complete ? res.statusCode : 499);
      this.metrics.observe(
        { service: this.service, stage: this.stage, version, role },
        recorded,
        (performance.now() - started) / 1000,
      );
    });

    this.dispatch({
      backend,
      open: (endpoint) => {
        const request = http.request({
          host: endpoint.host,
          port: endpoint.port,
          method: req.method,
          path: req.url,
          headers,
          agent: this.agent,
        });
        upstream = request;
        request.once('response', (response) => {
          status = response.statusCode ?? 502;
          response.on('error', () => undefined);
          response.once('close', () => {
            // The replica closed mid-body: the client must not take a cut body for a whole one.
            if (!response.complete && !gone) {
              status = 502;
              res.destroy();
            }
          });
          try {
            res.writeHead(
              status,
              response.statusMessage,
              downstreamResponseHeaders(response.rawHeaders, extra),
            );
          } catch (error) {
            this.logger?.warn(
              { version, error: (error as Error).message },
              'replica sent a response Node cannot forward',
            );
            status = 502;
            request.destroy();
            res.destroy();
            return;
          }
          response.pipe(res);
        });
        return request;
      },
      connected: (request) => {
        if (!hasBody) {
          request.end();
          return;
        }
        bodyStarted = true;
        req.pipe(request);
      },
      replayable: () => !bodyStarted,
      abandoned: () => gone,
      fail: (code, reason) => {
        status = code;
        reply(res, code, reason, version);
      },
      broken: () => {
        if (!res.writableFinished) status = 502;
        res.destroy();
      },
    });
  }

  // ---- WebSocket and other upgrades ---------------------------------------

  private tunnel(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    const started = performance.now();
    socket.on('error', () => socket.destroy());
    this.upgradeSockets.add(socket);
    socket.once('close', () => this.upgradeSockets.delete(socket));
    const decision = decideRoute(this.table, headersOf(req), this.service, this.random);
    if (!decision) {
      writeRawError(socket, 503, `${this.service} has no version routed in ${this.stage}`);
      return;
    }
    const { backend, role } = decision;
    const version = backend.version;
    this.acquire(version);
    let upstream: ClientRequest | undefined;
    let settled = false;
    const settle = (status: number) => {
      if (settled) return;
      settled = true;
      this.release(version);
      this.metrics.observe(
        { service: this.service, stage: this.stage, version, role },
        status,
        (performance.now() - started) / 1000,
      );
    };
    socket.once('close', () => {
      if (settled) return;
      upstream?.destroy();
      settle(499);
    });
    const headers = upstreamRequestHeaders(req.rawHeaders, this.forwardedFor(req), true);
    const extra = this.extraResponseHeaders(decision);

    this.dispatch({
      backend,
      open: (endpoint) => {
        // A connection of its own: after the switch it belongs to the tunnel, not to a pool.
        const request = http.request({
          host: endpoint.host,
          port: endpoint.port,
          method: req.method,
          path: req.url,
          headers,
          agent: false,
        });
        upstream = request;
        request.once('upgrade', (response: IncomingMessage, upstreamSocket: Socket, upstreamHead: Buffer) => {
          if (settled) {
            upstreamSocket.destroy();
            return;
          }
          settle(response.statusCode ?? 101);
          const headerBlock = headerLines(switchingResponseHeaders(response.rawHeaders, extra));
          socket.write(`${statusLine(response)}${headerBlock}\r\n`);
          if (upstreamHead.length > 0) socket.write(upstreamHead);
          if (head.length > 0) upstreamSocket.write(head);
          this.join(socket, upstreamSocket);
        });
        request.once('response', (response) => {
          // The replica declined to switch protocols: relay its answer and close.
          settle(response.statusCode ?? 502);
          response.on('error', () => socket.destroy());
          const headerBlock = headerLines(
            downstreamResponseHeaders(response.rawHeaders, [...extra, 'Connection', 'close']),
          );
          socket.write(`${statusLine(response)}${headerBlock}\r\n`);
          response.pipe(socket);
        });
        return request;
      },
      connected: (request) => request.end(),
      replayable: () => true,
      abandoned: () => settled && socket.destroyed,
      fail: (code, reason) => {
        settle(code);
        writeRawError(socket, code, reason, version);
      },
      broken: () => socket.destroy(),
    });
  }

  /** Pipes a client socket and a replica socket into each other until either ends. */
  private join(client: Duplex, upstream: Socket): void {
    if (this.closing) {
      client.destroy();
      upstream.destroy();
      return;
    }
    upstream.setNoDelay(true);
    upstream.setTimeout(0);
    (client as Partial<Socket>).setNoDelay?.(true);
    const tunnel: Tunnel = { client, upstream };
    this.tunnels.add(tunnel);
    let closed = 0;
    const onClose = (other: Duplex) => () => {
      // Ending (not destroying) the other side lets data already written reach it.
      other.end();
      if (++closed === 2) this.tunnels.delete(tunnel);
    };
    const onError = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', onError);
    upstream.on('error', onError);
    client.once('close', onClose(upstream));
    upstream.once('close', onClose(client));
    upstream.pipe(client);
    client.pipe(upstream);
  }

  // ---- choosing and reaching a replica -----------------------------------

  /**
   * Opens the exchange on one replica of its backend. A refused (or timed
   * out) connection is tried once more on another replica, a request on a
   * pooled connection that turned out closed once more on any replica;
   * everything else becomes a 502.
   */
  private dispatch(exchange: Exchange): void {
    const { backend } = exchange;
    const tried = new Set<string>();
    let retried = false;
    const attempt = (): void => {
      const endpoint = this.pickEndpoint(backend, tried);
      if (!endpoint) {
        exchange.fail(
          503,
          backend.endpoints.length === 0
            ? `${this.service} ${backend.version} has no replica`
            : `no healthy replica of ${this.service} ${backend.version}`,
        );
        return;
      }
      tried.add(endpointKey(endpoint));
      const request = exchange.open(endpoint);
      let connected = false;
      let answered = false;
      let timer: NodeJS.Timeout | undefined;
      const onConnected = () => {
        clearTimeout(timer);
        connected = true;
        exchange.connected(request);
      };
      request.once('socket', (socket: Socket) => {
        if (!socket.connecting) {
          onConnected();
          return;
        }
        timer = setTimeout(() => {
          const error = new Error(
            `no connection within ${this.connectTimeoutMs} ms`,
          ) as NodeJS.ErrnoException;
          error.code = 'ETIMEDOUT';
          request.destroy(error);
        }, this.connectTimeoutMs);
        socket.once('connect', onConnected);
      });
      const onAnswer = () => {
        answered = true;
      };
      request.once('response', onAnswer);
      request.once('upgrade', onAnswer);
      request.on('error', (error: NodeJS.ErrnoException) => {
        clearTimeout(timer);
        if (exchange.abandoned()) return;
        if (answered) {
          exchange.broken(error);
          return;
        }
        const refused = !connected;
        const stale =
          connected &&
          request.reusedSocket &&
          STALE_CONNECTION_CODES.has(error.code ?? '') &&
          exchange.replayable();
        if (refused) this.coolDown(endpoint);
        if (!retried && (refused || stale)) {
          retried = true;
          // A stale pooled connection says nothing against the replica: it may be tried again.
          if (stale) tried.clear();
          if (this.pickEndpoint(backend, tried, false)) {
            this.logger?.debug(
              { version: backend.version, endpoint: endpointKey(endpoint), code: error.code },
              'retrying on another connection',
            );
            attempt();
            return;
          }
        }
        this.logger?.warn(
          {
            version: backend.version,
            endpoint: endpointKey(endpoint),
            code: error.code,
            error: error.message,
          },
          refused ? 'replica did not accept the connection' : 'replica failed before responding',
        );
        exchange.fail(
          502,
          refused
            ? `no replica of ${this.service} ${backend.version} accepted the connection`
            : `${this.service} ${backend.version} closed the connection without a response`,
        );
      });
    };
    attempt();
  }

  /**
   * Round-robin over the backend's replicas that are neither marked down nor
   * in `exclude`, preferring those that have not just refused a connection
   * (they are still tried when nothing else is left).
   */
  private pickEndpoint(backend: Backend, exclude: ReadonlySet<string>, advance = true): Endpoint | undefined {
    const { endpoints } = backend;
    if (endpoints.length === 1 && this.health.size === 0 && exclude.size === 0) return endpoints[0];
    const now = performance.now();
    const ready: Endpoint[] = [];
    const cooling: Endpoint[] = [];
    for (const endpoint of endpoints) {
      const key = endpointKey(endpoint);
      if (exclude.has(key)) continue;
      const health = this.health.get(key);
      if (health?.down) continue;
      if (health && health.coolUntil > now) cooling.push(endpoint);
      else ready.push(endpoint);
    }
    const pool = ready.length > 0 ? ready : cooling;
    if (pool.length === 0) return undefined;
    const turn = this.turns.get(backend) ?? 0;
    if (advance) this.turns.set(backend, turn + 1);
    return pool[turn % pool.length];
  }

  private coolDown(endpoint: Endpoint): void {
    const now = performance.now();
    if (this.health.size > 1_000) {
      for (const [key, health] of this.health)
        if (!health.down && health.coolUntil <= now) this.health.delete(key);
    }
    const key = endpointKey(endpoint);
    this.health.set(key, {
      down: this.health.get(key)?.down ?? false,
      coolUntil: now + this.refusedCooldownMs,
    });
  }

  // ---- bookkeeping ---------------------------------------------------------

  private acquire(version: string): void {
    this.inFlightTotal++;
    this.inFlightByVersion.set(version, (this.inFlightByVersion.get(version) ?? 0) + 1);
  }

  private release(version: string): void {
    this.inFlightTotal--;
    const left = (this.inFlightByVersion.get(version) ?? 1) - 1;
    if (left > 0) {
      this.inFlightByVersion.set(version, left);
      return;
    }
    this.inFlightByVersion.delete(version);
    if (this.drainWaiters.size > 0) this.settleDrainWaiters();
    if (this.inFlightTotal === 0) this.onIdle?.();
  }

  private isDrained(version: string): boolean {
    return this.inFlight(version) === 0;
  }

  private settleDrainWaiters(): void {
    for (const waiter of [...this.drainWaiters]) if (this.isDrained(waiter.version)) waiter.resolve();
  }

  private forwardedFor(req: IncomingMessage) {
    return {
      remoteAddress: req.socket.remoteAddress,
      proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http',
      port: req.socket.localPort,
      trust: this.trustForwarded,
    };
  }

  private extraResponseHeaders(decision: RoutingDecision): string[] {
    const extra = [VERSION_HEADER, decision.backend.version];
    if (decision.setCookie) extra.push('Set-Cookie', decision.setCookie);
    // While closing, keep-alive clients are told to reconnect (to whatever listens next).
    if (this.closing) extra.push('Connection', 'close');
    return extra;
  }

  private describe(): string {
    return `traffic proxy of ${this.service} in ${this.stage}${this.name ? ` (${this.name})` : ''}`;
  }

  private listenError(
    error: NodeJS.ErrnoException,
    port: number,
    host: string | undefined,
  ): ProxyListenError {
    const where = host ? `${host}:${port}` : `port ${port}`;
    let problem: string;
    switch (error.code) {
      case 'EADDRINUSE':
        problem = `port ${port} is already in use (by another process?)`;
        break;
      case 'EACCES':
        problem = `no permission to listen on port ${port} (ports below 1024 need privileges; choose a higher port)`;
        break;
      case 'EADDRNOTAVAIL':
        problem = `${host ?? 'the address'} is not an address of this machine`;
        break;
      default:
        problem = `cannot listen on ${where}: ${error.message}`;
    }
    // Callers add which stage it is; the message says what is wrong with the port.
    return new ProxyListenError(problem, error.code, { cause: error });
  }
}

function endpointKey(endpoint: Endpoint): string {
  return `${endpoint.host}:${endpoint.port}`;
}

function headersOf(req: IncomingMessage): RoutingRequest {
  return {
    header(name) {
      const value = req.headers[name];
      return Array.isArray(value) ? value.join(', ') : value;
    },
  };
}

function statusLine(response: IncomingMessage): string {
  const status = response.statusCode ?? 502;
  return `HTTP/1.1 ${status} ${response.statusMessage || STATUS_CODES[status] || ''}\r\n`;
}

function errorBody(status: number, reason: string): string {
  return `${status} ${STATUS_CODES[status] ?? 'Error'}: ${reason}\n`;
}

/** The proxy's own answer (502/503), a short text saying why. */
function reply(res: ServerResponse, status: number, reason: string, version?: string): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const body = errorBody(status, reason);
  const headers: Record<string, string | number> = {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    'Cache-Control': 'no-store',
  };
  if (version) headers[VERSION_HEADER] = version;
  res.writeHead(status, headers);
  res.end(body);
}

/** The same for an upgrade request, whose socket no longer has an HTTP response object. */
function writeRawError(socket: Duplex, status: number, reason: string, version?: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  const body = errorBody(status, reason);
  const headers = [
    'Content-Type',
    'text/plain; charset=utf-8',
    'Content-Length',
    String(Buffer.byteLength(body)),
    'Connection',
    'close',
  ];
  if (version) headers.push(VERSION_HEADER, version);
  socket.end(`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Error'}\r\n${headerLines(headers)}\r\n${body}`);
}
