import { readFileSync } from 'node:fs';
import examples from '@octokit/webhooks-examples';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import {
  alertmanagerDeliveryId,
  alertmanagerPayload,
  translateAlertmanager,
} from './alertmanager.webhook.js';
import { githubPayload, translateGithub } from './github.webhook.js';
import { gitlabDeliveryId, translateGitlab } from './gitlab.webhook.js';
import type { AlertChanged, CiRunCompleted, PullRequestChanged, SourcePushed } from './inbound-events.js';
import { commitsOfPush, isoInstant, ZERO_SHA, type Translation } from './translation.js';

// The translators on real payloads: every push, pull_request, workflow_run,
// ping and release example GitHub publishes (@octokit/webhooks-examples),
// GitLab's documented examples and Alertmanager version 4 notifications.

type Payload = Record<string, unknown>;

function githubExamples(name: string): Payload[] {
  const entry = (examples as unknown as { name: string; examples: Payload[] }[]).find((e) => e.name === name);
  if (!entry) throw new Error(`no ${name} examples`);
  return entry.examples;
}

function fixture(path: string): Payload {
  return JSON.parse(readFileSync(new URL(`./fixtures/${path}`, import.meta.url), 'utf8')) as Payload;
}

function github(event: string, body: unknown, delivery = 'd-1'): Translation {
  return translateGithub({ 'x-github-event': event, 'x-github-delivery': delivery }, body);
}

function gitlab(event: string, body: unknown): Translation {
  return translateGitlab(
    { 'x-gitlab-event': event, 'x-gitlab-event-uuid': 'u-1' },
    body,
    Buffer.from(JSON.stringify(body)),
  );
}

function eventsOf(translation: Translation) {
  if (translation.kind !== 'events')
    throw new Error(`expected events, got ${translation.kind}: ${translation.reason}`);
  return translation.events;
}

function only<P>(translation: Translation): { type: string; key: string; payload: P } {
  const events = eventsOf(translation);
  expect(events).toHaveLength(1);
  return events[0] as { type: string; key: string; payload: P };
}

describe('GitHub examples', () => {
  it.each(githubExamples('push').map((payload, index) => [index, payload] as const))(
    'push example %i becomes source.pushed',
    (_index, payload) => {
      const event = only<SourcePushed>(github('push', payload));
      const repository = payload.repository as { html_url: string; full_name: string };
      expect(event.type).toBe('source.pushed');
      expect(event.key).toBe('github.com/codertocat/hello-world');
      expect(event.payload).toMatchObject({
        provider: 'github',
        deliveryId: 'd-1',
        ref: payload.ref,
        before: payload.before,
        after: payload.after,
        truncated: false,
        repository: { fullName: repository.full_name, identity: 'github.com/codertocat/hello-world' },
      });
      expect(event.payload.repository.urls).toContain(repository.html_url);
      const commits = payload.commits as { id: string; message: string; author: { email: string } }[];
      expect(event.payload.commits.map((commit) => commit.sha)).toEqual(commits.map((commit) => commit.id));
      if (commits.length > 0) {
        const [first] = event.payload.commits;
        expect(first!.title).toBe(commits[0]!.message.split('\n')[0]);
        expect(first!.authorEmail).toBe(commits[0]!.author.email);
        expect(first!.paths.length).toBeGreaterThan(0);
        // The branch was created (before is all zeros): the first commit's parent is unknown.
        if (payload.before === ZERO_SHA) expect(first!.parentSha).toBeUndefined();
      }
    },
  );

  it('chains each pushed commit to the one before it, the first to the push’s before', () => {
    const [base] = githubExamples('push').filter((payload) => (payload.commits as unknown[]).length === 1);
    const commit = (base!.commits as Payload[])[0]!;
    const second = { ...commit, id: 'b'.repeat(40), message: 'second\n\nbody' };
    const payload = { ...base, before: 'a'.repeat(40), commits: [commit, second] };
    const pushed = only<SourcePushed>(github('push', payload)).payload;
    expect(pushed.commits.map((c) => c.parentSha)).toEqual(['a'.repeat(40), commit.id]);
    expect(pushed.commits[1]!.title).toBe('second');
  });

  it.each(
    githubExamples('pull_request').map(
      (payload, index) => [index, payload.action as string, payload] as const,
    ),
  )(
    'pull_request example %i (%s) is an event when opened, synchronize, reopened or closed, otherwise ignored',
    (_index, action, payload) => {
      const translation = github('pull_request', payload);
      if (!['opened', 'synchronize', 'reopened', 'closed'].includes(action)) {
        expect(translation).toMatchObject({ kind: 'ignored', event: `pull_request.${action}` });
        return;
      }
      const event = only<PullRequestChanged>(translation);
      const pr = payload.pull_request as {
        head: { sha: string; ref: string };
        merged: boolean;
        html_url: string;
      };
      expect(event.type).toBe('source.pull-request-changed');
      expect(event.key).toBe('github.com/codertocat/hello-world#2');
      expect(event.payload).toMatchObject({
        provider: 'github',
        number: 2,
        action,
        merged: action === 'closed' && pr.merged,
        headSha: pr.head.sha,
        headRef: pr.head.ref,
        baseRef: 'master',
        author: 'Codertocat',
        url: pr.html_url,
      });
      expect(Date.parse(event.payload.at)).not.toBeNaN();
    },
  );

  it('marks a pull request closed by merging as merged', () => {
    const [closed] = githubExamples('pull_request').filter((payload) => payload.action === 'closed');
    const merged = { ...closed, pull_request: { ...(closed!.pull_request as Payload), merged: true } };
    expect(only<PullRequestChanged>(github('pull_request', merged)).payload.merged).toBe(true);
  });

  it.each(
    githubExamples('workflow_run').map(
      (payload, index) => [index, payload.action as string, payload] as const,
    ),
  )(
    'workflow_run example %i (%s) is source.ci-run-completed when completed, otherwise ignored',
    (_index, action, payload) => {
      const translation = github('workflow_run', payload);
      if (action !== 'completed') {
        expect(translation).toMatchObject({ kind: 'ignored', event: `workflow_run.${action}` });
        return;
      }
      const run = payload.workflow_run as { head_sha: string; conclusion: string | null; html_url: string };
      const event = only<CiRunCompleted>(translation);
      expect(event.type).toBe('source.ci-run-completed');
      expect(event.payload).toMatchObject({
        provider: 'github',
        headSha: run.head_sha,
        conclusion: run.conclusion ?? 'unknown',
        url: run.html_url,
      });
      expect(event.payload.name).not.toBe('');
    },
  );

  it.each(githubExamples('ping').map((payload, index) => [index, payload] as const))(
    'ping example %i is answered and writes nothing',
    (_index, payload) => {
      expect(github('ping', payload)).toMatchObject({ kind: 'ignored', event: 'ping', reason: /^pong/ });
    },
  );

  it.each(
    githubExamples('release').map((payload, index) => [index, payload.action as string, payload] as const),
  )('release example %i (%s) is acknowledged and ignored, saying why', (_index, action, payload) => {
    expect(github('release', payload)).toMatchObject({
      kind: 'ignored',
      event: `release.${action}`,
      reason: /not Gantry releases/,
    });
  });

  it('ignores events Gantry does not act on, saying so', () => {
    expect(github('issues', { action: 'opened' })).toEqual({
      kind: 'ignored',
      event: 'issues',
      reason: 'Gantry does not act on GitHub issues events',
    });
  });

  it('needs X-GitHub-Event and X-GitHub-Delivery', () => {
    expect(() => translateGithub({ 'x-github-delivery': 'd' }, {})).toThrow(
      /X-GitHub-Event header is missing/,
    );
    expect(() => translateGithub({ 'x-github-event': 'push' }, {})).toThrow(
      /X-GitHub-Delivery header is missing/,
    );
  });

  it('refuses a payload that does not fit, naming each field', () => {
    const [payload] = githubExamples('push').filter((p) => (p.commits as unknown[]).length === 1);
    const broken = {
      ...payload,
      after: 42,
      commits: [{ ...(payload!.commits as Payload[])[0], id: 'nope' }],
    };
    let error: unknown;
    try {
      github('push', broken);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).message).toMatch(/^Invalid GitHub push payload: /);
    expect((error as ValidationError).message).toContain('after: ');
    expect((error as ValidationError).message).toContain('commits[0].id: is not a commit sha');
  });

  it('reads the form-encoded payload GitHub sends when the content type was left at its default', () => {
    expect(githubPayload('application/x-www-form-urlencoded', { payload: '{"zen":"x"}' })).toEqual({
      zen: 'x',
    });
    expect(githubPayload('application/json', { zen: 'x' })).toEqual({ zen: 'x' });
    expect(() => githubPayload('application/x-www-form-urlencoded', { other: 1 })).toThrow(/payload field/);
    expect(() => githubPayload('application/x-www-form-urlencoded', { payload: '{' })).toThrow(
      /not valid JSON/,
    );
  });
});

describe('GitLab documentation examples', () => {
  it('Push Hook becomes source.pushed, oldest commit first, truncated when GitLab listed fewer', () => {
    const event = only<SourcePushed>(gitlab('Push Hook', fixture('gitlab/push.json')));
    expect(event.type).toBe('source.pushed');
    expect(event.key).toBe('example.com/mike/diaspora');
    expect(event.payload).toMatchObject({
      provider: 'gitlab',
      deliveryId: 'u-1',
      ref: 'refs/heads/master',
      before: '95790bf891e76fee5e1747ab589903a6a1f80f22',
      after: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      truncated: true,
      repository: {
        fullName: 'mike/diaspora',
        identity: 'example.com/mike/diaspora',
        urls: [
          'http://example.com/mike/diaspora',
          'http://example.com/mike/diaspora.git',
          'git@example.com:mike/diaspora.git',
        ],
      },
    });
    expect(event.payload.commits).toEqual([
      {
        sha: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
        time: '2011-12-12T14:27:31+02:00',
        authorName: 'Jordi Mallach',
        authorEmail: 'jordi@softcatala.org',
        title: 'Update Catalan translation to e38cb41.',
        paths: ['CHANGELOG', 'app/controller/application.rb'],
        // GitLab listed 2 of the push's 4 commits: this one's parent is not the push's before.
      },
      {
        sha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        time: '2012-01-03T23:36:29+02:00',
        authorName: 'GitLab dev user',
        authorEmail: 'gitlabdev@dv6700.(none)',
        title: 'fixed readme',
        paths: ['CHANGELOG', 'app/controller/application.rb'],
        parentSha: 'b6568db1bc1dcd7f8b4d5a946b0b91f9dacd7327',
      },
    ]);
  });

  it('Tag Push Hook becomes source.pushed for the tag', () => {
    const event = only<SourcePushed>(gitlab('Tag Push Hook', fixture('gitlab/tag-push.json')));
    expect(event.key).toBe('example.com/jsmith/example');
    expect(event.payload).toMatchObject({
      ref: 'refs/tags/v1.0.0',
      before: ZERO_SHA,
      after: '82b3d5ae55f7080f1e6022629cdb57bfae7cccc7',
      commits: [],
      truncated: false,
    });
  });

  const mergeRequest = (action: string, extra: Payload = {}) => {
    const payload = fixture('gitlab/merge-request.json');
    return {
      ...payload,
      object_attributes: { ...(payload.object_attributes as Payload), action, ...extra },
    };
  };

  it.each([
    ['open', {}, 'opened', false],
    ['reopen', {}, 'reopened', false],
    ['update', { oldrev: '95790bf891e76fee5e1747ab589903a6a1f80f22' }, 'synchronize', false],
    ['close', {}, 'closed', false],
    ['merge', {}, 'closed', true],
  ] as const)('Merge Request Hook %s %j becomes %s (merged %s)', (action, extra, expected, merged) => {
    const event = only<PullRequestChanged>(gitlab('Merge Request Hook', mergeRequest(action, extra)));
    expect(event.type).toBe('source.pull-request-changed');
    expect(event.key).toBe('example.com/gitlabhq/gitlab-test#1');
    expect(event.payload).toEqual({
      provider: 'gitlab',
      deliveryId: 'u-1',
      repository: {
        fullName: 'gitlabhq/gitlab-test',
        identity: 'example.com/gitlabhq/gitlab-test',
        urls: [
          'http://example.com/gitlabhq/gitlab-test',
          'http://example.com/gitlabhq/gitlab-test.git',
          'git@example.com:gitlabhq/gitlab-test.git',
        ],
      },
      number: 1,
      action: expected,
      merged,
      headSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
      headRef: 'ms-viewport',
      baseRef: 'master',
      title: 'MS-Viewport',
      author: 'root',
      url: 'http://example.com/diaspora/merge_requests/1',
      at: '2013-12-03T17:23:34Z',
    });
  });

  it('ignores merge request edits without new commits, approvals and unknown actions', () => {
    expect(gitlab('Merge Request Hook', mergeRequest('update'))).toMatchObject({
      kind: 'ignored',
      reason: 'the merge request was edited but got no new commits',
    });
    expect(gitlab('Merge Request Hook', mergeRequest('approved'))).toMatchObject({
      kind: 'ignored',
      event: 'Merge Request Hook.approved',
    });
  });

  it('Pipeline Hook of a finished pipeline becomes source.ci-run-completed, GitLab times as ISO 8601', () => {
    const event = only<CiRunCompleted>(gitlab('Pipeline Hook', fixture('gitlab/pipeline.json')));
    expect(event).toEqual({
      type: 'source.ci-run-completed',
      key: '192.168.64.1/gitlab-org/gitlab-test',
      payload: {
        provider: 'gitlab',
        deliveryId: 'u-1',
        repository: {
          fullName: 'gitlab-org/gitlab-test',
          identity: '192.168.64.1/gitlab-org/gitlab-test',
          urls: [
            'http://192.168.64.1:3005/gitlab-org/gitlab-test',
            'http://192.168.64.1:3005/gitlab-org/gitlab-test.git',
            'git@192.168.64.1:gitlab-org/gitlab-test.git',
          ],
        },
        name: 'Pipeline for branch: master',
        headSha: 'bcbb5ec396a2c0f828686f14fac9b80b780504f2',
        headRef: 'master',
        conclusion: 'success',
        url: 'http://example.com/gitlab-org/gitlab-test/-/pipelines/31',
        at: '2016-08-12T15:26:29Z',
      },
    });
  });

  it.each(['running', 'pending', 'created', 'manual'])('ignores a %s pipeline', (status) => {
    const payload = fixture('gitlab/pipeline.json');
    const running = { ...payload, object_attributes: { ...(payload.object_attributes as Payload), status } };
    expect(gitlab('Pipeline Hook', running)).toMatchObject({
      kind: 'ignored',
      reason: `the pipeline is ${status}, not finished`,
    });
  });

  it('ignores other hooks and identifies deliveries without X-Gitlab-Event-UUID by their body', () => {
    expect(gitlab('Issue Hook', { object_kind: 'issue' })).toMatchObject({
      kind: 'ignored',
      event: 'Issue Hook',
    });
    const body = Buffer.from('{"a":1}');
    expect(gitlabDeliveryId(undefined, body)).toMatch(/^sha256:[0-9a-f]{64}$/);
    expect(gitlabDeliveryId(undefined, body)).toBe(gitlabDeliveryId(undefined, Buffer.from('{"a":1}')));
    expect(gitlabDeliveryId('uuid-1', body)).toBe('uuid-1');
  });
});

describe('Alertmanager version 4 notifications', () => {
  it('a firing notification becomes one alert.changed per alert, keyed by fingerprint', () => {
    const translation = translateAlertmanager(fixture('alertmanager/firing.json'));
    const events = eventsOf(translation);
    expect(events.map((event) => [event.type, event.key])).toEqual([
      ['alert.changed', '1a30ba71cca2921f'],
      ['alert.changed', '6d0b5a4a9b0b6f3e'],
    ]);
    const first = events[0]!.payload as AlertChanged;
    expect(first).toEqual({
      deliveryId: (translation as { deliveryId: string }).deliveryId,
      receiver: 'gantry',
      fingerprint: '1a30ba71cca2921f',
      status: 'firing',
      labels: {
        alertname: 'ProbeFailure',
        instance: 'https://checkout.example.org',
        job: 'http_checks',
        service: 'checkout',
        severity: 'critical',
      },
      annotations: {
        description: 'Instance https://checkout.example.org has been down for over 5m.',
        summary: 'BlackBox probe failure',
      },
      startsAt: '2026-11-30T13:08:45.828Z',
      generatorUrl: 'http://prometheus.example.org:9090/graph?g0.expr=probe_success+%3D%3D+0&g0.tab=1',
    });
    expect((events[1]!.payload as AlertChanged).startsAt).toBe('2026-11-30T13:09:15.739266876+01:00');
  });

  it('a resolved notification carries endsAt', () => {
    const [event] = eventsOf(translateAlertmanager(fixture('alertmanager/resolved.json')));
    expect(event!.payload).toMatchObject({ status: 'resolved', endsAt: '2026-11-30T13:31:45.828Z' });
  });

  it('identifies a notification by group, status and alerts: a retry is the same, a changed group is not', () => {
    const firing = alertmanagerPayload.parse(fixture('alertmanager/firing.json'));
    const resolved = alertmanagerPayload.parse(fixture('alertmanager/resolved.json'));
    expect(alertmanagerDeliveryId(firing)).toBe(
      alertmanagerDeliveryId(alertmanagerPayload.parse(fixture('alertmanager/firing.json'))),
    );
    expect(alertmanagerDeliveryId(firing)).not.toBe(alertmanagerDeliveryId(resolved));
    const oneLess = { ...firing, alerts: firing.alerts.slice(0, 1) };
    expect(alertmanagerDeliveryId(oneLess)).not.toBe(alertmanagerDeliveryId(firing));
    const reordered = { ...firing, alerts: [...firing.alerts].reverse() };
    expect(alertmanagerDeliveryId(reordered)).toBe(alertmanagerDeliveryId(firing));
  });

  it('refuses other payload versions and alerts without a fingerprint, saying so', () => {
    expect(() => translateAlertmanager({ ...fixture('alertmanager/firing.json'), version: '3' })).toThrow(
      /version: is not 4/,
    );
    const payload = fixture('alertmanager/firing.json');
    const alerts = (payload.alerts as Payload[]).map(({ fingerprint: _dropped, ...rest }) => rest);
    expect(() => translateAlertmanager({ ...payload, alerts })).toThrow(
      /alerts\[0\]\.fingerprint: is required/,
    );
  });

  it('ignores a notification without alerts', () => {
    expect(translateAlertmanager({ ...fixture('alertmanager/firing.json'), alerts: [] })).toMatchObject({
      kind: 'ignored',
    });
  });
});

describe('commitsOfPush', () => {
  const listed = ['a', 'b'].map((name) => ({
    id: name.repeat(40),
    timestamp: '2026-11-30T12:00:00Z',
    author: { name: 'Ada' },
    message: `change ${name}\n\nwith a body`,
    modified: ['src/app.ts'],
  }));

  it('links each commit to the one before it, the first to the push before', () => {
    const commits = commitsOfPush('f'.repeat(40), listed, false);
    expect(commits.map((commit) => [commit.sha[0], commit.parentSha?.[0], commit.title])).toEqual([
      ['a', 'f', 'change a'],
      ['b', 'a', 'change b'],
    ]);
  });

  it('knows no parent for the first commit of a new branch or of a truncated push', () => {
    expect(commitsOfPush(ZERO_SHA, listed, false)[0]!.parentSha).toBeUndefined();
    const truncated = commitsOfPush('f'.repeat(40), listed, true);
    expect(truncated[0]!.parentSha).toBeUndefined();
    expect(truncated[1]!.parentSha).toBe('a'.repeat(40));
  });
});

describe('isoInstant', () => {
  it.each([
    ['2016-08-12 15:23:28 UTC', '2016-08-12T15:23:28Z'],
    ['2016-08-12 15:23:28 +0200', '2016-08-12T15:23:28+02:00'],
    ['2019-05-15T15:20:33Z', '2019-05-15T15:20:33Z'],
    ['2018-08-03T09:52:26.739266876+02:00', '2018-08-03T09:52:26.739266876+02:00'],
  ])('%s → %s', (text, iso) => {
    expect(isoInstant(text)).toBe(iso);
  });

  it.each(['', 'yesterday', '2016-13-45T99:00:00Z', '1471008208'])('%j is no instant', (text) => {
    expect(isoInstant(text)).toBeUndefined();
  });
});
