import { createHmac } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { signPayload } from '../../shared/signed-payload.js';
import {
  checkAuthorization,
  checkGithubSignature,
  checkGitlabToken,
  checkWebhookAuth,
  resolveWebhookSecret,
} from './webhook-auth.js';

const SECRET = 'It5-a-s3cret-n0body-kn0ws';
const body = Buffer.from('{"zen":"Keep it logically awesome."}');
const githubSignature = (secret: string, payload: Buffer) =>
  `sha256=${createHmac('sha256', secret).update(payload).digest('hex')}`;
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('GitHub X-Hub-Signature-256', () => {
  it('accepts the HMAC of the raw body, in either case of hex', () => {
    expect(checkGithubSignature(githubSignature(SECRET, body), body, SECRET)).toBeUndefined();
    expect(
      checkGithubSignature(
        githubSignature(SECRET, body).toUpperCase().replace('SHA256', 'sha256'),
        body,
        SECRET,
      ),
    ).toBeUndefined();
  });

  it.each([
    ['missing', undefined, /header is missing/],
    ['empty', '', /header is missing/],
    ['sha1 instead', `sha1=${'a'.repeat(40)}`, /not of the form sha256=/],
    ['another secret', githubSignature('other', body), /does not match the body/],
    ['another body', githubSignature(SECRET, Buffer.from('{}')), /does not match the body/],
  ])('refuses a signature that is %s, without quoting it', (_case, header, message) => {
    const failure = checkGithubSignature(header, body, SECRET);
    expect(failure?.message).toMatch(message);
    if (header) expect(failure?.message).not.toContain(header);
    expect(failure?.message).not.toContain(SECRET);
  });
});

describe('GitLab X-Gitlab-Token', () => {
  it('accepts the token and refuses anything else', () => {
    expect(checkGitlabToken(SECRET, SECRET)).toBeUndefined();
    expect(checkGitlabToken(undefined, SECRET)?.message).toMatch(/header is missing/);
    expect(checkGitlabToken(`${SECRET}x`, SECRET)?.message).toBe(
      'the X-Gitlab-Token header does not match GANTRY_GITLAB_WEBHOOK_TOKEN',
    );
    expect(checkGitlabToken(SECRET.slice(0, -1), SECRET)).toBeDefined();
  });

  it('does not trust a header sent twice', () => {
    expect(checkWebhookAuth('gitlab', { 'x-gitlab-token': [SECRET, SECRET] }, body, SECRET)).toBeDefined();
  });
});

describe('Alertmanager Authorization', () => {
  it.each([
    ['Bearer', `Bearer ${SECRET}`],
    ['bearer, any case', `bearer ${SECRET}`],
    ['basic auth with any user name', basic('alertmanager', SECRET)],
    ['basic auth with an empty user name', basic('', SECRET)],
  ])('accepts %s', (_case, header) => {
    expect(checkAuthorization(header, SECRET)).toBeUndefined();
  });

  it('accepts a token that holds a colon through basic auth', () => {
    expect(checkAuthorization(basic('user', 'a:b'), 'a:b')).toBeUndefined();
  });

  it.each([
    ['missing', undefined, /header is missing/],
    ['another bearer token', 'Bearer nope', /do not match/],
    ['the token as the basic-auth user name', basic(SECRET, 'x'), /do not match/],
    ['basic auth without a colon', `Basic ${Buffer.from(SECRET).toString('base64')}`, /neither Bearer/],
    ['another scheme', `Token ${SECRET}`, /neither Bearer/],
  ])('refuses %s with a challenge, without quoting it', (_case, header, message) => {
    const failure = checkAuthorization(header, SECRET);
    expect(failure?.message).toMatch(message);
    expect(failure?.challenge).toMatch(/^Bearer realm="gantry-alertmanager"/);
    expect(failure?.message).not.toContain(SECRET);
  });
});

describe('CI X-Gantry-Signature', () => {
  const now = 1_800_000_000;

  it('accepts a signature of the body made within five minutes', () => {
    const header = signPayload(SECRET, body, now - 299);
    expect(checkWebhookAuth('ci', { 'x-gantry-signature': header }, body, SECRET, now)).toBeUndefined();
  });

  it.each([
    ['older than five minutes', signPayload(SECRET, body, now - 301), /away from this server's clock/],
    ['from the future', signPayload(SECRET, body, now + 400), /away from this server's clock/],
    ['made with another secret', signPayload('other', body, now), /does not match/],
    ['missing', undefined, /missing/],
  ])('refuses a signature %s', (_case, header, message) => {
    const headers = header === undefined ? {} : { 'x-gantry-signature': header };
    const failure = checkWebhookAuth('ci', headers, body, SECRET, now);
    expect(failure?.message).toMatch(message);
    expect(failure?.message).toContain('GANTRY_CI_WEBHOOK_SECRET');
    expect(failure?.message).not.toContain(SECRET);
  });
});

describe('webhook secrets from configuration', () => {
  it('uses a plain value as the secret and reads a file: reference each time, so a rotated file counts', async () => {
    expect(await resolveWebhookSecret('github', SECRET)).toBe(SECRET);
    const file = join(mkdtempSync(join(tmpdir(), 'gantry-webhook-secret-')), 'token');
    writeFileSync(file, 'first\n');
    expect(await resolveWebhookSecret('gitlab', `file:${file}`)).toBe('first');
    writeFileSync(file, 'second\n');
    expect(await resolveWebhookSecret('gitlab', `file:${file}`)).toBe('second');
  });

  it('names the setting and the reference when the file is missing, nothing else', async () => {
    await expect(resolveWebhookSecret('alertmanager', 'file:/nonexistent/token')).rejects.toThrow(
      'GANTRY_ALERTMANAGER_TOKEN file:/nonexistent/token: the file does not exist',
    );
  });
});
