// Which side of a stage's routing table one request goes to. Pure functions:
// the proxy snapshots the table when a request arrives and asks decideRoute(),
// so a route() swap never changes the answer for a request already decided.

export type TrafficRole = 'stable' | 'canary';

export interface Endpoint {
  host: string;
  port: number;
}

/** The replicas of one version. The proxy round-robins over those not marked down. */
export interface Backend {
  version: string;
  /** Informative: the slot of the routing table (stable or canary) is what decides the role. */
  role: TrafficRole;
  endpoints: readonly Endpoint[];
}

export interface Stickiness {
  /** A request header naming the user (e.g. `X-User`): its hash keeps each user on one side. */
  header?: string;
  /** A cookie (e.g. `gantry-canary`) holding `canary` or `stable`, set by the proxy on a random choice. */
  cookie?: string;
}

export interface RoutingTable {
  stable?: Backend;
  canary?: Backend;
  /** Share of requests sent to the canary, 0..100. */
  canaryWeight: number;
  stickiness?: Stickiness;
}

/** `always` or `never`: forces a request onto the canary or the stable side, when that side exists. */
export const OVERRIDE_HEADER = 'x-gantry-canary';
/** Added to every proxied response: the version that answered. */
export const VERSION_HEADER = 'X-Gantry-Version';

/** Why a request went where it went (logged at debug level, asserted in tests). */
export type RoutingReason = 'override' | 'header' | 'cookie' | 'weight' | 'only';

export interface RoutingDecision {
  backend: Backend;
  role: TrafficRole;
  reason: RoutingReason;
  /** A Set-Cookie value pinning the client to this side, when the choice was random. */
  setCookie?: string;
}

export interface RoutingRequest {
  /** A request header by lower-case name. */
  header(name: string): string | undefined;
}

const TOKEN = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;
// Versions end up in a response header and in raw upgrade responses.
const VISIBLE_ASCII = /^[\x21-\x7e]+$/;

/**
 * Checks a table before it is swapped in, so a mistake is reported to the
 * caller of route() and not to the next thousand requests. Returns a frozen
 * copy: a caller mutating its object afterwards changes nothing.
 */
export function validateRoutingTable(table: RoutingTable): Readonly<RoutingTable> {
  const { canaryWeight, stickiness } = table;
  if (
    typeof canaryWeight !== 'number' ||
    !Number.isFinite(canaryWeight) ||
    canaryWeight < 0 ||
    canaryWeight > 100
  ) {
    throw new RangeError(`canaryWeight must be a number from 0 to 100, got ${String(canaryWeight)}`);
  }
  for (const [slot, backend] of [
    ['stable', table.stable],
    ['canary', table.canary],
  ] as const) {
    if (!backend) continue;
    if (typeof backend.version !== 'string' || !VISIBLE_ASCII.test(backend.version)) {
      throw new TypeError(
        `the ${slot} backend's version must be printable ASCII without spaces, got "${String(backend.version)}"`,
      );
    }
    for (const endpoint of backend.endpoints) {
      if (!Number.isInteger(endpoint.port) || endpoint.port < 1 || endpoint.port > 65_535) {
        throw new RangeError(
          `${backend.version}: endpoint port must be 1..65535, got ${String(endpoint.port)}`,
        );
      }
      if (typeof endpoint.host !== 'string' || endpoint.host === '') {
        throw new TypeError(`${backend.version}: endpoint host must be a non-empty string`);
      }
    }
  }
  if (stickiness?.header !== undefined && !TOKEN.test(stickiness.header)) {
    throw new TypeError(`stickiness.header "${stickiness.header}" is not a valid header name`);
  }
  if (stickiness?.cookie !== undefined && !TOKEN.test(stickiness.cookie)) {
    throw new TypeError(`stickiness.cookie "${stickiness.cookie}" is not a valid cookie name`);
  }
  const freezeBackend = (backend: Backend | undefined) =>
    backend &&
    Object.freeze({
      version: backend.version,
      role: backend.role,
      endpoints: Object.freeze(
        backend.endpoints.map((endpoint) => Object.freeze({ host: endpoint.host, port: endpoint.port })),
      ),
    });
  return Object.freeze({
    stable: freezeBackend(table.stable),
    canary: freezeBackend(table.canary),
    canaryWeight,
    stickiness: stickiness && Object.freeze({ header: stickiness.header, cookie: stickiness.cookie }),
  });
}

/**
 * The side for one request, or undefined when the table routes nowhere.
 *
 * Order: the override header; then the stickiness header (hashed into a bucket
 * 0..99, canary when the bucket is below the weight, so raising the weight only
 * ever moves users from stable to canary); then the stickiness cookie; then a
 * random draw by weight. A weight of 0 (or 100) sends nobody to the canary (or
 * to stable) whatever their cookie says: only the override header reaches a
 * side that gets no weight, which is how a canary is tried before it takes traffic.
 */
export function decideRoute(
  table: Readonly<RoutingTable>,
  request: RoutingRequest,
  service: string,
  random: () => number = Math.random,
): RoutingDecision | undefined {
  const { stable, canary, canaryWeight: weight, stickiness } = table;
  const override = request.header(OVERRIDE_HEADER)?.trim().toLowerCase();
  if (override === 'always' && canary) return { backend: canary, role: 'canary', reason: 'override' };
  if (override === 'never' && stable) return { backend: stable, role: 'stable', reason: 'override' };
  if (!stable || !canary) {
    if (stable) return { backend: stable, role: 'stable', reason: 'only' };
    if (canary) return { backend: canary, role: 'canary', reason: 'only' };
    return undefined;
  }
  const toCanary = (reason: RoutingReason, setCookie?: string): RoutingDecision =>
    setCookie === undefined
      ? { backend: canary, role: 'canary', reason }
      : { backend: canary, role: 'canary', reason, setCookie };
  const toStable = (reason: RoutingReason, setCookie?: string): RoutingDecision =>
    setCookie === undefined
      ? { backend: stable, role: 'stable', reason }
      : { backend: stable, role: 'stable', reason, setCookie };

  if (stickiness?.header) {
    const user = request.header(stickiness.header.toLowerCase());
    if (user) return stickyBucket(service, user) < weight ? toCanary('header') : toStable('header');
  }
  if (stickiness?.cookie) {
    const side = cookieValue(request.header('cookie'), stickiness.cookie);
    if (side === 'canary' && weight > 0) return toCanary('cookie');
    if (side === 'stable' && weight < 100) return toStable('cookie');
  }
  if (weight <= 0) return toStable('weight');
  if (weight >= 100) return toCanary('weight');
  const side: TrafficRole = random() * 100 < weight ? 'canary' : 'stable';
  const setCookie = stickiness?.cookie ? stickyCookie(stickiness.cookie, side) : undefined;
  return side === 'canary' ? toCanary('weight', setCookie) : toStable('weight', setCookie);
}

/**
 * A bucket 0..99 for a user, the same in every Gantry process and after a
 * restart: FNV-1a over the UTF-16 code units of `service` and the value, then
 * murmur3's finaliser so that similar ids (user-1, user-2) spread evenly. The
 * service is mixed in so the same users are not the first canary of every service.
 */
export function stickyBucket(service: string, value: string): number {
  let hash = 0x811c9dc5;
  const text = `${service}\n${value}`;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) % 100;
}

/** The value of one cookie in a Cookie header, undefined when absent. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const pair of header.split(';')) {
    const equals = pair.indexOf('=');
    if (equals < 0 || pair.slice(0, equals).trim() !== name) continue;
    let value = pair.slice(equals + 1).trim();
    if (value.length >= 2 && value.startsWith('"') && value.endsWith('"')) value = value.slice(1, -1);
    return value;
  }
  return undefined;
}

/** A session cookie for the whole site; HttpOnly because only the proxy reads it. */
export function stickyCookie(name: string, side: TrafficRole): string {
  return `${name}=${side}; Path=/; HttpOnly; SameSite=Lax`;
}
