import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { secretsEqual, signPayload, verifySignedPayload } from './signed-payload.js';

const secret = 'whsec-test';
const body = '{"service":"checkout"}';
const at = 1_800_000_000;

describe('signed payloads', () => {
  it('signs t.body with HMAC-SHA256, as documented for CI scripts', () => {
    const expected = createHmac('sha256', secret).update(`${at}.${body}`).digest('hex');
    expect(signPayload(secret, body, at)).toBe(`t=${at},v1=${expected}`);
  });

  it('accepts its own signature within the tolerance', () => {
    const header = signPayload(secret, body, at);
    expect(verifySignedPayload(header, secret, Buffer.from(body), { atSeconds: at + 299 })).toEqual({
      ok: true,
      timestamp: at,
    });
  });

  it('refuses a timestamp more than five minutes off, either way', () => {
    const header = signPayload(secret, body, at);
    expect(verifySignedPayload(header, secret, body, { atSeconds: at + 301 })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
    expect(verifySignedPayload(header, secret, body, { atSeconds: at - 301 })).toMatchObject({
      ok: false,
      reason: 'expired',
    });
  });

  it('refuses another body, another secret, and headers of the wrong shape', () => {
    const header = signPayload(secret, body, at);
    expect(verifySignedPayload(header, secret, `${body} `, { atSeconds: at })).toMatchObject({
      reason: 'mismatch',
    });
    expect(verifySignedPayload(header, 'other', body, { atSeconds: at })).toMatchObject({
      reason: 'mismatch',
    });
    expect(verifySignedPayload(undefined, secret, body, { atSeconds: at })).toMatchObject({
      reason: 'missing',
    });
    for (const bad of ['t=1', 'v1=abc', `t=x,v1=${'a'.repeat(64)}`, 'garbage']) {
      expect(verifySignedPayload(bad, secret, body, { atSeconds: at })).toMatchObject({
        reason: 'malformed',
      });
    }
  });

  it('accepts any of several v1 signatures (a sender rotating its secret)', () => {
    const good = signPayload(secret, body, at).split(',')[1]!;
    const header = `t=${at},v1=${'0'.repeat(64)},${good}`;
    expect(verifySignedPayload(header, secret, body, { atSeconds: at }).ok).toBe(true);
  });

  it('compares secrets of different lengths without throwing', () => {
    expect(secretsEqual('token', 'token')).toBe(true);
    expect(secretsEqual('token', 'token-longer')).toBe(false);
    expect(secretsEqual('', 'x')).toBe(false);
  });
});
