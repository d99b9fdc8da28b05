import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  loadNotificationsFile,
  matchesFilters,
  NotificationsFileError,
  parseNotificationsFile,
  resolveChannel,
  subscribesTo,
} from './notifications-file.js';

/** The problems parseNotificationsFile reports, one formatted line each. */
function problems(text: string): string[] {
  try {
    parseNotificationsFile(text, 'notifications.yaml');
  } catch (error) {
    if (error instanceof NotificationsFileError) return error.issues.map(formatted);
    throw error;
  }
  throw new Error('expected the file to be refused');
}

function formatted(issue: NotificationsFileError['issues'][number]): string {
  return `${issue.line}:${issue.column} ${issue.path}: ${issue.message}`;
}

const VALID = `channels:
  - name: deploys
    type: slack
    url: env:SLACK_DEPLOYS_URL
  - name: audit
    type: webhook
    url: file:/run/secrets/audit-url
    secret: env:AUDIT_SECRET
    timeout: 3s
    concurrency: 2
    retry: { attempts: 4, backoff: 1s, maxBackoff: 30s }
subscriptions:
  - channel: deploys
    events: [promotion.succeeded, promotion.failed]
    services: [checkout]
    stages: [prod]
  - channel: audit
    events: ['*']
`;

describe('parseNotificationsFile', () => {
  it('reads channels with defaults and subscriptions with filters', () => {
    const { spec } = parseNotificationsFile(VALID, 'notifications.yaml');
    expect(spec.channels[0]).toEqual({
      name: 'deploys',
      type: 'slack',
      url: 'env:SLACK_DEPLOYS_URL',
      timeout: { text: '10s', ms: 10_000 },
      concurrency: 4,
      retry: { attempts: 10, backoff: { text: '5s', ms: 5_000 }, maxBackoff: { text: '10m', ms: 600_000 } },
    });
    expect(spec.channels[1]).toMatchObject({
      type: 'webhook',
      secret: 'env:AUDIT_SECRET',
      timeout: { ms: 3_000 },
      concurrency: 2,
      retry: { attempts: 4, backoff: { ms: 1_000 }, maxBackoff: { ms: 30_000 } },
    });
    expect(spec.subscriptions).toEqual([
      {
        channel: 'deploys',
        events: ['promotion.succeeded', 'promotion.failed'],
        services: ['checkout'],
        stages: ['prod'],
      },
      { channel: 'audit', events: ['*'], services: undefined, stages: undefined },
    ]);
  });

  it('reads * and lists holding * as "every"', () => {
    const { spec } = parseNotificationsFile(
      `channels: [{ name: a, type: slack, url: env:A }]
subscriptions:
  - { channel: a, events: [incident.*], services: '*', stages: [prod, '*'] }
`,
      'n.yaml',
    );
    expect(spec.subscriptions[0]).toMatchObject({ services: undefined, stages: undefined });
  });

  it('reports every problem at its line and column', () => {
    const text = `channels:
  - name: deploys
    type: slak
    url: env:SLACK_URL
  - name: audit
    type: webhook
    url: https://hooks.example.com/T000/B000/XXXXSECRET
    timoeut: 3s
subscriptions:
  - channel: deploy
    events: [promotion.succeded]
`;
    const found = problems(text);
    expect(found).toEqual([
      '3:11 channels[0].type: "slak" is not one of slack, webhook; did you mean "slack"?',
      '5:5 channels[1].secret: is required',
      '7:10 channels[1].url: must be a reference such as env:GIT_TOKEN or file:/run/secrets/git-token, never the secret itself',
      '8:5 channels[1].timoeut: unknown key; did you mean "timeout"?',
      '11:14 subscriptions[0].events[0]: "promotion.succeded" is not a notification; did you mean "promotion.succeeded"?',
    ]);
    // The URL written inline is a secret: it is never repeated.
    expect(found.join('\n')).not.toContain('XXXXSECRET');
  });

  it('refuses duplicate channels and subscriptions to undeclared ones', () => {
    expect(
      problems(`channels:
  - { name: deploys, type: slack, url: env:A }
  - { name: deploys, type: slack, url: env:B }
subscriptions:
  - { channel: deploy, events: [promotion.failed] }
`),
    ).toEqual([
      '3:13 channels[1].name: channel "deploys" is already declared (channels[0])',
      '5:16 subscriptions[0].channel: no channel "deploy" is declared; did you mean "deploys"?',
    ]);
  });

  it('reports YAML syntax errors and a file that is not a mapping', () => {
    expect(problems('channels: [\n')[0]).toMatch(/^2:1 : /);
    expect(problems('- a\n- b\n')).toEqual(['1:1 : expected a mapping with channels and subscriptions']);
  });

  it('formats its error with the file name, line and column', () => {
    expect(() => parseNotificationsFile('channels: []\n', '/etc/gantry/notifications.yaml')).toThrow(
      'GANTRY_NOTIFICATIONS_FILE /etc/gantry/notifications.yaml has a problem:\n  /etc/gantry/notifications.yaml:1:11 channels: must list at least 1 item',
    );
  });
});

describe('loadNotificationsFile', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });

  function write(text: string): string {
    const path = join(mkdtempSync(join(tmpdir(), 'gantry-notifications-')), 'notifications.yaml');
    writeFileSync(path, text);
    return path;
  }

  it('resolves every secret reference at start and reports the missing ones where they are written', async () => {
    process.env.NOTIFY_TEST_SLACK = 'ftp://hooks.example.com/T000/SECRETPATH';
    delete process.env.NOTIFY_TEST_MISSING;
    const path = write(`channels:
  - name: deploys
    type: slack
    url: env:NOTIFY_TEST_SLACK
  - name: audit
    type: webhook
    url: env:NOTIFY_TEST_MISSING
    secret: file:/nonexistent/secret
`);
    const error = await loadNotificationsFile(path).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(NotificationsFileError);
    const lines = (error as NotificationsFileError).issues.map(formatted);
    expect(lines).toEqual([
      '4:10 channels[0].url: the secret it names is a ftp: URL; Gantry posts to http:// or https:// only',
      '7:10 channels[1].url: the reference env:NOTIFY_TEST_MISSING: the environment variable NOTIFY_TEST_MISSING is not set',
      '8:13 channels[1].secret: the reference file:/nonexistent/secret: the file does not exist',
    ]);
    expect((error as Error).message).not.toContain('SECRETPATH');
  });

  it('loads a file whose secrets resolve; the channel resolves its URL and secret when asked', async () => {
    process.env.NOTIFY_TEST_URL = 'https://receiver.example.com/hook';
    process.env.NOTIFY_TEST_SECRET = 's3cret';
    const spec = await loadNotificationsFile(
      write(`channels:
  - { name: audit, type: webhook, url: env:NOTIFY_TEST_URL, secret: env:NOTIFY_TEST_SECRET }
`),
    );
    expect(spec.subscriptions).toEqual([]);
    await expect(resolveChannel(spec.channels[0]!)).resolves.toEqual({
      url: 'https://receiver.example.com/hook',
      secret: 's3cret',
    });
  });

  it('says so when the file does not exist', async () => {
    await expect(loadNotificationsFile('/nonexistent/notifications.yaml')).rejects.toThrow(
      'GANTRY_NOTIFICATIONS_FILE /nonexistent/notifications.yaml: the file does not exist',
    );
  });
});

describe('subscriptions', () => {
  const sub = (events: string[], services?: string[], stages?: string[]) => ({
    channel: 'c',
    events,
    services,
    stages,
  });

  it('match names exactly or by family wildcard', () => {
    expect(subscribesTo(sub(['promotion.failed']), 'promotion.failed')).toBe(true);
    expect(subscribesTo(sub(['promotion.failed']), 'promotion.succeeded')).toBe(false);
    expect(subscribesTo(sub(['promotion.*']), 'promotion.rolled-back')).toBe(true);
    expect(subscribesTo(sub(['promotion.*']), 'incident.opened')).toBe(false);
    expect(subscribesTo(sub(['*']), 'incident.opened')).toBe(true);
  });

  it('filter by service and stage; a notification without them passes only open filters', () => {
    expect(matchesFilters(sub(['*'], ['checkout'], ['prod']), 'checkout', 'prod')).toBe(true);
    expect(matchesFilters(sub(['*'], ['checkout'], ['prod']), 'checkout', 'staging')).toBe(false);
    expect(matchesFilters(sub(['*'], ['checkout']), 'billing', 'prod')).toBe(false);
    expect(matchesFilters(sub(['*']), null, null)).toBe(true);
    expect(matchesFilters(sub(['*'], undefined, ['prod']), null, null)).toBe(false);
  });
});
