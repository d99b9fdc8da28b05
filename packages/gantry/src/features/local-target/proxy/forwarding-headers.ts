// Header rewriting for both directions of the proxy. Headers travel as
// Node's raw arrays ([name, value, name, value, …]) so that duplicates, order
// and the sender's spelling survive the hop.

/** Headers that describe one connection, never the message (RFC 9110 §7.6.1), plus Proxy-*. */
const HOP_BY_HOP = new Set([
  'connection',
  'keep-alive',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  // Not in the RFC list, but still sent by some clients and as connection-specific.
  'proxy-connection',
]);

export interface ForwardedFor {
  /** The client's address as seen by the proxy. */
  remoteAddress: string | undefined;
  /** `http` or `https`: how the client reached the proxy. */
  proto: string;
  /** The port the client connected to. */
  port: number | undefined;
  /** Keep X-Forwarded-Proto/Host/Port that the client sent (only behind another trusted proxy). */
  trust: boolean;
}

/** Lower-case names listed in Connection headers: those headers are hop-by-hop too. */
function connectionTokens(raw: readonly string[]): Set<string> {
  const tokens = new Set<string>();
  for (let index = 0; index < raw.length; index += 2) {
    if (raw[index]!.toLowerCase() !== 'connection') continue;
    for (const token of raw[index + 1]!.split(',')) {
      const name = token.trim().toLowerCase();
      if (name) tokens.add(name);
    }
  }
  return tokens;
}

function isHopByHop(name: string, listed: ReadonlySet<string>): boolean {
  return HOP_BY_HOP.has(name) || name.startsWith('proxy-') || listed.has(name);
}

/**
 * The headers to send to a backend: hop-by-hop ones removed, X-Forwarded-For
 * appended to, X-Forwarded-Proto/Host/Port set. For an upgrade request the
 * Upgrade header is kept and Connection is set to `Upgrade`, which is what
 * makes the backend switch protocols.
 */
export function upstreamRequestHeaders(
  raw: readonly string[],
  forwarded: ForwardedFor,
  upgrade = false,
): string[] {
  const listed = connectionTokens(raw);
  const out: string[] = [];
  const priorFor: string[] = [];
  let host: string | undefined;
  let upgradeTo: string | undefined;
  const kept = new Map<string, string>();
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!;
    const value = raw[index + 1]!;
    const lower = name.toLowerCase();
    if (lower === 'upgrade') upgradeTo = value;
    if (isHopByHop(lower, listed)) continue;
    switch (lower) {
      case 'host':
        host ??= value;
        break;
      case 'x-forwarded-for':
        priorFor.push(value);
        continue;
      case 'x-forwarded-proto':
      case 'x-forwarded-host':
      case 'x-forwarded-port':
        if (forwarded.trust && !kept.has(lower)) kept.set(lower, value);
        continue;
      // The proxy has already answered `100 Continue` to the client itself.
      case 'expect':
        continue;
    }
    out.push(name, value);
  }
  if (upgrade && upgradeTo !== undefined) out.push('Connection', 'Upgrade', 'Upgrade', upgradeTo);
  const client = forwarded.remoteAddress;
  if (client) priorFor.push(client);
  if (priorFor.length > 0) out.push('X-Forwarded-For', priorFor.join(', '));
  out.push('X-Forwarded-Proto', kept.get('x-forwarded-proto') ?? forwarded.proto);
  const forwardedHost = kept.get('x-forwarded-host') ?? host;
  if (forwardedHost !== undefined) out.push('X-Forwarded-Host', forwardedHost);
  const port =
    kept.get('x-forwarded-port') ?? (forwarded.port === undefined ? undefined : String(forwarded.port));
  if (port !== undefined) out.push('X-Forwarded-Port', port);
  return out;
}

/**
 * The headers to send back to the client: hop-by-hop ones removed, a
 * backend's own X-Gantry-Version replaced by the proxy's, `extra` appended.
 */
export function downstreamResponseHeaders(raw: readonly string[], extra: readonly string[]): string[] {
  const listed = connectionTokens(raw);
  const out: string[] = [];
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index]!;
    const lower = name.toLowerCase();
    if (isHopByHop(lower, listed) || lower === 'x-gantry-version') continue;
    out.push(name, raw[index + 1]!);
  }
  out.push(...extra);
  return out;
}

/**
 * The headers of a `101 Switching Protocols` answer: all kept, Connection and
 * Upgrade included, since they are what completes the switch for the client.
 */
export function switchingResponseHeaders(raw: readonly string[], extra: readonly string[]): string[] {
  const out: string[] = [];
  for (let index = 0; index < raw.length; index += 2) {
    if (raw[index]!.toLowerCase() !== 'x-gantry-version') out.push(raw[index]!, raw[index + 1]!);
  }
  out.push(...extra);
  return out;
}

/** A raw header block (`Name: value\r\n` lines) for responses written straight to a socket. */
export function headerLines(raw: readonly string[]): string {
  let text = '';
  for (let index = 0; index < raw.length; index += 2) text += `${raw[index]}: ${raw[index + 1]}\r\n`;
  return text;
}
