import { createHmac, timingSafeEqual } from 'node:crypto';

// Gantry's signature for a JSON body sent over HTTP, in both directions: the
// CI webhook verifies it, outbound generic webhooks carry it. The header is
//   X-Gantry-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">
// (the scheme Stripe made familiar): the timestamp is signed with the body,
// so a captured request cannot be replayed outside the tolerance.

export const SIGNATURE_HEADER = 'x-gantry-signature';

/** How far a signature's timestamp may be from the receiver's clock. */
export const DEFAULT_SIGNATURE_TOLERANCE_SECONDS = 5 * 60;

/** The header value for `body`, signed at `atSeconds` (default: now). */
export function signPayload(secret: string, body: string | Buffer, atSeconds = nowSeconds()): string {
  return `t=${atSeconds},v1=${hmacHex(secret, atSeconds, body)}`;
}

export type SignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; reason: 'missing' | 'malformed' | 'expired' | 'mismatch'; message: string };

/**
 * Whether `header` signs `body` with `secret`, within `toleranceSeconds` of
 * `atSeconds`. Several v1 values are accepted (a sender rotating secrets may
 * sign with both); the comparison is constant-time. Messages never quote the
 * header or the secret.
 */
export function verifySignedPayload(
  header: string | undefined,
  secret: string,
  body: string | Buffer,
  options: { atSeconds?: number; toleranceSeconds?: number } = {},
): SignatureCheck {
  if (header === undefined || header.trim() === '') {
    return { ok: false, reason: 'missing', message: `the ${SIGNATURE_HEADER} header is missing` };
  }
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const separator = part.indexOf('=');
    if (separator < 0) continue;
    const key = part.slice(0, separator).trim();
    const value = part.slice(separator + 1).trim();
    if (key === 't' && /^\d{1,12}$/.test(value)) timestamp = Number(value);
    if (key === 'v1' && /^[0-9a-f]{64}$/i.test(value)) signatures.push(value.toLowerCase());
  }
  if (timestamp === undefined || signatures.length === 0) {
    return {
      ok: false,
      reason: 'malformed',
      message: `the ${SIGNATURE_HEADER} header is not of the form t=<unix seconds>,v1=<64 hex characters>`,
    };
  }
  const tolerance = options.toleranceSeconds ?? DEFAULT_SIGNATURE_TOLERANCE_SECONDS;
  const skew = Math.abs((options.atSeconds ?? nowSeconds()) - timestamp);
  if (skew > tolerance) {
    return {
      ok: false,
      reason: 'expired',
      message: `the signature's timestamp is ${skew} s away from this server's clock (at most ${tolerance} s allowed)`,
    };
  }
  const expected = Buffer.from(hmacHex(secret, timestamp, body), 'hex');
  const matches = signatures.some((signature) => timingSafeEqual(Buffer.from(signature, 'hex'), expected));
  return matches
    ? { ok: true, timestamp }
    : { ok: false, reason: 'mismatch', message: 'the signature does not match the body' };
}

/** Constant-time comparison of two secrets of any length (lengths leak nothing: both are hashed first). */
export function secretsEqual(given: string | Buffer, expected: string | Buffer): boolean {
  const digest = (value: string | Buffer) => createHmac('sha256', 'gantry-compare').update(value).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

function hmacHex(secret: string, atSeconds: number, body: string | Buffer): string {
  return createHmac('sha256', secret).update(`${atSeconds}.`).update(body).digest('hex');
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
