import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import {
  checkServiceSpec,
  parseServiceSpec,
  repositoryProblem,
  secretReferenceProblem,
  type ServiceSpec,
  type SpecIssue,
} from './pipeline-spec.js';
import { stagePolicyOf } from './stage-policy.js';

const local = { type: 'local', command: './run' };

function document(stages: unknown[], spec: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'gantry.dev/v1alpha1',
    kind: 'Service',
    metadata: { name: 'checkout' },
    spec: {
      team: 'payments',
      image: 'ghcr.io/acme/checkout',
      source: { repo: 'https://github.com/acme/shop' },
      stages,
      ...spec,
    },
  };
}

function parse(stages: unknown[], spec?: Record<string, unknown>): ServiceSpec {
  return parseServiceSpec(document(stages, spec));
}

function issues(stages: unknown[], spec?: Record<string, unknown>): Omit<SpecIssue, 'atKey'>[] {
  const result = checkServiceSpec(document(stages, spec));
  if (result.success) throw new Error('expected the spec to be refused');
  return result.issues.map(({ path, message }) => ({ path, message }));
}

describe('service spec', () => {
  it('normalises defaults', () => {
    const spec = parse([
      { name: 'develop', target: local },
      {
        name: 'staging',
        target: {
          type: 'gitops',
          repository: '/srv/git/deploy.git',
          path: 'a/kustomization.yaml',
          format: 'kustomize',
        },
      },
      {
        name: 'prod',
        target: {
          type: 'gitops',
          repository: 'git@github.com:acme/deploy.git',
          path: 'values.yaml',
          format: 'helm',
        },
      },
    ]);
    expect(spec).toEqual({
      apiVersion: 'gantry.dev/v1alpha1',
      kind: 'Service',
      name: 'checkout',
      team: 'payments',
      image: 'ghcr.io/acme/checkout',
      source: { repo: 'https://github.com/acme/shop', paths: [] },
      stages: [
        {
          name: 'develop',
          requires: [],
          promotion: 'manual',
          gates: {},
          freeze: [],
          strategy: { type: 'rolling' },
          target: {
            type: 'local',
            command: './run',
            args: [],
            env: {},
            replicas: 1,
            drainTimeout: { text: '30s', ms: 30_000 },
          },
        },
        {
          name: 'staging',
          requires: ['develop'],
          promotion: 'manual',
          gates: { upstream: 'succeeded' },
          freeze: [],
          strategy: { type: 'rolling' },
          target: {
            type: 'gitops',
            repository: '/srv/git/deploy.git',
            branch: 'main',
            path: 'a/kustomization.yaml',
            format: 'kustomize',
            imageName: 'ghcr.io/acme/checkout',
          },
        },
        {
          name: 'prod',
          requires: ['staging'],
          promotion: 'manual',
          gates: { upstream: 'succeeded' },
          freeze: [],
          strategy: { type: 'rolling' },
          target: {
            type: 'gitops',
            repository: 'git@github.com:acme/deploy.git',
            branch: 'main',
            path: 'values.yaml',
            format: 'helm',
            key: 'image.tag',
          },
        },
      ],
    });
    expect(spec.signing).toBeUndefined();
    expect(spec.stages[0]!.approvals).toBeUndefined();
  });

  it('treats requires: [] as no upstream stage', () => {
    const spec = parse([
      { name: 'develop', target: local },
      { name: 'sandbox', requires: [], target: local },
      {
        name: 'prod',
        requires: ['develop'],
        approvals: {},
        freeze: [{ cron: '0 16 * * FRI', duration: '64h' }],
        target: local,
      },
    ]);
    expect(spec.stages.map((stage) => [stage.name, stage.requires, stage.gates.upstream])).toEqual([
      ['develop', [], undefined],
      ['sandbox', [], undefined],
      ['prod', ['develop'], 'succeeded'],
    ]);
    expect(spec.stages[2]!.approvals).toEqual({ required: 1, fourEyes: false });
    expect(spec.stages[2]!.freeze).toEqual([
      { cron: '0 16 * * FRI', duration: { text: '64h', ms: 230_400_000 }, timeZone: 'UTC' },
    ]);
  });

  it('refuses gates.upstream on a stage that requires nothing', () => {
    expect(issues([{ name: 'develop', gates: { upstream: 'succeeded' }, target: local }])).toEqual([
      {
        path: ['spec', 'stages', 0, 'gates', 'upstream'],
        message: 'the stage requires no other stage, so there is no upstream to succeed in',
      },
    ]);
  });

  it('reads every strategy form', () => {
    const analysis = {
      templates: [{ templateName: 'error-rate' }],
      args: [{ name: 'service', value: 'checkout' }],
    };
    const spec = parse([
      { name: 'a', strategy: 'rolling', target: local },
      { name: 'b', strategy: { type: 'rolling' }, target: local },
      { name: 'c', strategy: 'blueGreen', target: local },
      {
        name: 'd',
        strategy: {
          type: 'blueGreen',
          previewPort: 8081,
          autoPromote: false,
          prePromotionAnalysis: analysis,
          scaleDownDelay: '5m',
        },
        target: local,
      },
      {
        name: 'e',
        strategy: {
          type: 'canary',
          steps: [
            { setWeight: 20 },
            { pause: { duration: '30s' } },
            { analysis: { templates: [{ templateName: 'error-rate' }] } },
            { pause: {} },
            { setWeight: 100 },
          ],
          backgroundAnalysis: analysis,
          stickiness: { header: 'x-canary' },
        },
        target: local,
      },
    ]);
    expect(spec.stages.map((stage) => stage.strategy)).toEqual([
      { type: 'rolling' },
      { type: 'rolling' },
      { type: 'blueGreen', autoPromote: true },
      {
        type: 'blueGreen',
        previewPort: 8081,
        autoPromote: false,
        prePromotionAnalysis: analysis,
        scaleDownDelay: { text: '5m', ms: 300_000 },
      },
      {
        type: 'canary',
        steps: [
          { setWeight: 20 },
          { pause: { duration: { text: '30s', ms: 30_000 } } },
          { analysis: { templates: [{ templateName: 'error-rate' }], args: [] } },
          { pause: {} },
          { setWeight: 100 },
        ],
        backgroundAnalysis: analysis,
        stickiness: { header: 'x-canary' },
      },
    ]);
  });

  it('explains strategies it cannot use', () => {
    expect(
      issues([
        { name: 'a', strategy: 'canary', target: local },
        {
          name: 'b',
          strategy: { type: 'canary', steps: [{ setWeight: 120 }, { setWeight: 10, pause: {} }, {}] },
          target: local,
        },
        { name: 'c', strategy: { type: 'bluegreen' }, target: local },
      ]),
    ).toEqual([
      {
        path: ['spec', 'stages', 0, 'strategy'],
        message: 'canary needs steps: write it as { type: canary, steps: [...] }',
      },
      { path: ['spec', 'stages', 1, 'strategy', 'steps', 0, 'setWeight'], message: 'must be at most 100' },
      {
        path: ['spec', 'stages', 1, 'strategy', 'steps', 1],
        message: 'a step does one thing; split setWeight and pause into separate steps',
      },
      {
        path: ['spec', 'stages', 1, 'strategy', 'steps', 2],
        message: 'a step needs one of setWeight, pause or analysis',
      },
      {
        path: ['spec', 'stages', 2, 'strategy', 'type'],
        message: '"bluegreen" is not one of rolling, canary, blueGreen; did you mean "blueGreen"?',
      },
    ]);
  });

  it("keeps the preview stage out of the stage graph, as the template of pull requests' stages", () => {
    const spec = parse([
      { name: 'develop', target: local },
      { name: 'preview', preview: { ttl: '3d', url: 'https://{{stage}}.shop.example.com' }, target: local },
      { name: 'prod', target: local },
    ]);
    expect(spec.stages.map((stage) => [stage.name, stage.requires])).toEqual([
      ['develop', []],
      // The previous stage that is not a preview.
      ['prod', ['develop']],
    ]);
    expect(spec.preview?.stage).toMatchObject({ name: 'preview', requires: [], gates: {} });
    expect(spec.preview?.options).toEqual({
      ttl: { text: '3d', ms: 3 * 86_400_000 },
      url: 'https://{{stage}}.shop.example.com',
    });
    expect(
      parse([
        { name: 'pr', preview: true, target: local },
        { name: 'prod', target: local },
      ]).preview?.options,
    ).toEqual({});
    expect(parse([{ name: 'prod', target: local }]).preview).toBeUndefined();
  });

  it('gives each pull request its own overlay directory of a gitops preview stage', () => {
    const gitops = { type: 'gitops', repository: '/srv/git/deploy.git', format: 'kustomize' };
    const spec = parse([
      {
        name: 'preview',
        preview: true,
        target: {
          ...gitops,
          path: 'previews/{{stage}}/kustomization.yaml',
          previewTemplate: 'previews/template',
        },
      },
      { name: 'prod', target: { ...gitops, path: 'prod/kustomization.yaml' } },
    ]);
    const policy = stagePolicyOf(spec, 'pr-42');
    expect(policy.preview).toEqual({ number: 42, options: {} });
    expect(policy.target).toMatchObject({
      path: 'previews/pr-42/kustomization.yaml',
      previewDirectory: 'previews/pr-42',
      previewTemplate: 'previews/template',
    });
    expect(() => stagePolicyOf(spec, 'preview')).toThrow(/template of pull requests' previews/);
    expect(() => stagePolicyOf(parse([{ name: 'prod', target: local }]), 'pr-1')).toThrow(
      /not in the pipeline of checkout/,
    );

    expect(
      issues([
        { name: 'preview', preview: true, target: { ...gitops, path: 'previews/kustomization.yaml' } },
        { name: 'prod', target: { ...gitops, path: 'prod/kustomization.yaml', previewTemplate: 'x' } },
      ]),
    ).toEqual([
      {
        path: ['spec', 'stages', 0, 'target', 'path'],
        message:
          'a preview stage edits one directory per pull request: put a {{stage}} directory in path, e.g. previews/{{stage}}/kustomization.yaml',
      },
      {
        path: ['spec', 'stages', 0, 'target'],
        message:
          "a gitops preview stage needs previewTemplate: the directory each pull request's own is copied from",
      },
      {
        path: ['spec', 'stages', 1, 'target', 'previewTemplate'],
        message: 'only a preview stage (preview: true) has a previewTemplate',
      },
    ]);
  });

  it('explains what a preview stage cannot be', () => {
    expect(
      issues([
        { name: 'develop', target: local },
        { name: 'preview', preview: true, requires: ['develop'], target: { ...local, port: 8080 } },
        { name: 'again', preview: true, target: local },
        { name: 'prod', requires: ['preview'], target: local },
        { name: 'pr-12', target: local },
      ]),
    ).toEqual([
      {
        path: ['spec', 'stages', 4, 'name'],
        message:
          '"pr-12" is reserved: pr-<number> names the stage of a pull request\'s preview; mark a stage preview: true instead',
      },
      {
        path: ['spec', 'stages', 2, 'preview'],
        message: 'a service has at most one preview stage, and stages[1] already is one',
      },
      {
        path: ['spec', 'stages', 1, 'requires'],
        message:
          "a preview stage requires no other stage: releases enter it from their pull request's head commit",
      },
      {
        path: ['spec', 'stages', 1, 'target', 'port'],
        message:
          "a preview stage's port is picked for each pull request from GANTRY_PREVIEW_PORTS; remove port",
      },
      {
        path: ['spec', 'stages', 3, 'requires', 0],
        message: '"preview" is a preview stage: it holds pull requests\' releases, which go nowhere after it',
      },
    ]);
    expect(issues([{ name: 'preview', preview: true, target: local }])).toEqual([
      { path: ['spec', 'stages'], message: 'needs at least one stage that is not a preview' },
    ]);
  });

  it('reads a local target', () => {
    const spec = parse([
      {
        name: 'develop',
        target: {
          type: 'local',
          command: 'node',
          args: ['server.js', '--port', 8080],
          cwd: '/srv/checkout',
          env: {
            LOG_LEVEL: 'info',
            WORKERS: 4,
            DEBUG: false,
            DATABASE_URL: { valueFrom: 'env:CHECKOUT_DATABASE_URL' },
          },
          replicas: 2,
          port: 8080,
          healthCheck: { path: '/healthz' },
          drainTimeout: '10s',
        },
      },
    ]);
    expect(spec.stages[0]!.target).toEqual({
      type: 'local',
      command: 'node',
      args: ['server.js', '--port', '8080'],
      cwd: '/srv/checkout',
      env: {
        LOG_LEVEL: 'info',
        WORKERS: '4',
        DEBUG: 'false',
        DATABASE_URL: { valueFrom: 'env:CHECKOUT_DATABASE_URL' },
      },
      replicas: 2,
      port: 8080,
      healthCheck: {
        path: '/healthz',
        interval: { text: '2s', ms: 2_000 },
        timeout: { text: '1s', ms: 1_000 },
        healthyAfter: 1,
      },
      drainTimeout: { text: '10s', ms: 10_000 },
    });
    expect(
      issues([
        {
          name: 'develop',
          target: {
            type: 'local',
            command: '',
            replicas: 0,
            port: 70000,
            env: { 'BAD-NAME': 'x', S: { valueFrom: 'hunter2' } },
            healthCheck: { path: 'healthz', interval: '0s' },
          },
        },
      ]),
    ).toEqual([
      { path: ['spec', 'stages', 0, 'target', 'command'], message: 'must not be empty' },
      {
        path: ['spec', 'stages', 0, 'target', 'env', 'BAD-NAME'],
        message: '"BAD-NAME" is not an environment variable name',
      },
      {
        path: ['spec', 'stages', 0, 'target', 'env', 'S', 'valueFrom'],
        message:
          'must be a reference such as env:GIT_TOKEN or file:/run/secrets/git-token, never the secret itself',
      },
      { path: ['spec', 'stages', 0, 'target', 'replicas'], message: 'must be at least 1' },
      { path: ['spec', 'stages', 0, 'target', 'port'], message: 'must be at most 65535' },
      {
        path: ['spec', 'stages', 0, 'target', 'healthCheck', 'path'],
        message: '"healthz" must start with /',
      },
      { path: ['spec', 'stages', 0, 'target', 'healthCheck', 'interval'], message: 'must be longer than 0' },
    ]);
  });

  it('keeps gitops options to the format they belong to', () => {
    const target = { type: 'gitops', repository: '/srv/git/deploy.git', path: 'apps/x.yaml' };
    expect(
      issues([
        { name: 'a', target: { ...target, format: 'kustomize', key: 'image.tag' } },
        { name: 'b', target: { ...target, format: 'helm', imageName: 'checkout', branch: '-x' } },
      ]),
    ).toEqual([
      { path: ['spec', 'stages', 0, 'target', 'key'], message: 'applies to format helm only' },
      { path: ['spec', 'stages', 1, 'target', 'branch'], message: '"-x" is not a valid branch name' },
      { path: ['spec', 'stages', 1, 'target', 'imageName'], message: 'applies to format kustomize only' },
    ]);
    const custom = parse([
      { name: 'a', target: { ...target, format: 'kustomize', imageName: 'checkout', branch: 'env/dev' } },
    ]);
    expect(custom.stages[0]!.target).toMatchObject({ imageName: 'checkout', branch: 'env/dev' });
  });

  it('accepts the repository forms Gantry can use, without credentials in them', () => {
    for (const ok of [
      '/srv/git/deploy.git',
      './deploy',
      'file:///srv/git/deploy.git',
      'https://github.com/acme/deploy.git',
      'ssh://git@github.com:22/acme/deploy.git',
      'git@github.com:acme/deploy.git',
    ]) {
      expect(repositoryProblem(ok), ok).toBeUndefined();
    }
    expect(repositoryProblem('https://token@github.com/acme/deploy.git')).toBe(
      'must not contain credentials; give them as credentials: env:NAME or file:/path',
    );
    expect(repositoryProblem('ssh://git:pw@github.com/acme/deploy.git')).toMatch(
      /must not contain credentials/,
    );
    expect(repositoryProblem('http://git.local/deploy.git')).toMatch(/^plain http is not accepted/);
    expect(repositoryProblem('ftp://git.local/deploy.git')).toMatch(/^ftp:\/\/ is not supported/);
    expect(repositoryProblem('deploy.git')).toMatch(/^"deploy.git" is not a repository/);
  });

  it('accepts secret references only', () => {
    expect(secretReferenceProblem('env:GIT_TOKEN')).toBeUndefined();
    expect(secretReferenceProblem('file:/run/secrets/git-token')).toBeUndefined();
    expect(secretReferenceProblem('file:secrets/token')).toMatch(/absolute path/);
    expect(secretReferenceProblem('env:1TOKEN')).toMatch(/environment variable name/);
    expect(secretReferenceProblem('ghp_abc123')).not.toContain('ghp_abc123');
  });

  it('checks the service fields', () => {
    expect(
      issues([{ name: 'Develop', target: local }], {
        team: 'Payments Team',
        image: 'ghcr.io/acme/checkout@sha256:abc',
        signing: { publicKey: 'not a key' },
        source: { repo: 'https://github.com/acme/shop', paths: [''] },
      }),
    ).toEqual([
      {
        path: ['spec', 'team'],
        message:
          '"Payments Team" is not a valid name: use 1-63 lowercase letters, digits and "-", starting and ending with a letter or digit; did you mean "payments-team"?',
      },
      { path: ['spec', 'image'], message: 'must not contain a digest; each release supplies it' },
      { path: ['spec', 'source', 'paths', 0], message: 'must not be empty' },
      {
        path: ['spec', 'signing', 'publicKey'],
        message: 'must be a PEM public key (-----BEGIN PUBLIC KEY----- ...) or file:<path>',
      },
      {
        path: ['spec', 'stages', 0, 'name'],
        message:
          '"Develop" is not a valid name: use 1-63 lowercase letters, digits and "-", starting and ending with a letter or digit; did you mean "develop"?',
      },
    ]);
    const pem =
      '-----BEGIN PUBLIC KEY-----\nMFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE\n-----END PUBLIC KEY-----\n';
    expect(parse([{ name: 'develop', target: local }], { signing: { publicKey: pem } }).signing).toEqual({
      publicKey: pem,
    });
  });

  it('reports unknown keys one by one, with a suggestion when one is close', () => {
    const result = checkServiceSpec({
      ...document([{ name: 'develop', promtion: 'auto', colour: 'red', target: local }]),
      extra: 1,
    });
    expect(result.success).toBe(false);
    expect(!result.success && result.issues).toEqual([
      {
        path: ['spec', 'stages', 0, 'promtion'],
        message: 'unknown key; did you mean "promotion"?',
        atKey: true,
      },
      {
        path: ['spec', 'stages', 0, 'colour'],
        message:
          'unknown key; expected one of name, preview, requires, promotion, approvals, gates, freeze, strategy, target, rollbackOnIncident, production',
        atKey: true,
      },
      {
        path: ['extra'],
        message: 'unknown key; expected one of apiVersion, kind, metadata, spec',
        atKey: true,
      },
    ]);
  });

  it('explains wrong types', () => {
    expect(
      issues(
        [
          {
            name: 'develop',
            requires: 'build',
            promotion: 'Auto',
            approvals: { required: 1.5, fourEyes: 'yes' },
            target: local,
          },
        ],
        {
          stages: undefined,
        },
      ),
    ).toEqual([{ path: ['spec', 'stages'], message: 'is required' }]);
    expect(
      issues([
        {
          name: 'develop',
          requires: 'build',
          promotion: 'Auto',
          approvals: { required: 1.5, fourEyes: 'yes' },
          target: local,
        },
      ]),
    ).toEqual([
      { path: ['spec', 'stages', 0, 'requires'], message: 'expected a list, got "build" (write [build])' },
      {
        path: ['spec', 'stages', 0, 'promotion'],
        message: '"Auto" is not one of auto, manual; did you mean "auto"?',
      },
      { path: ['spec', 'stages', 0, 'approvals', 'required'], message: 'expected a whole number, got 1.5' },
      { path: ['spec', 'stages', 0, 'approvals', 'fourEyes'], message: 'expected true or false, got "yes"' },
    ]);
    expect(issues([], { stages: [] })).toEqual([
      { path: ['spec', 'stages'], message: 'must list at least 1 item' },
    ]);
  });

  it('reads rollbackOnIncident: true, a window, or false (the same as leaving it out)', () => {
    const spec = parse([
      { name: 'develop', target: local, rollbackOnIncident: false },
      { name: 'staging', target: local, rollbackOnIncident: true },
      { name: 'prod', target: local, rollbackOnIncident: { window: '1h' } },
      { name: 'eu', target: local, requires: ['prod'], rollbackOnIncident: {} },
    ]);
    expect(spec.stages.map((stage) => stage.rollbackOnIncident)).toEqual([
      undefined,
      {},
      { window: { text: '1h', ms: 3_600_000 } },
      {},
    ]);
    const [problem] = issues([{ name: 'prod', target: local, rollbackOnIncident: { window: '0s' } }]);
    expect(problem).toEqual({
      path: ['spec', 'stages', 0, 'rollbackOnIncident', 'window'],
      message: 'must be longer than 0',
    });
    expect(issues([{ name: 'prod', target: local, rollbackOnIncident: 'yes' }])[0]?.path).toEqual([
      'spec',
      'stages',
      0,
      'rollbackOnIncident',
    ]);
  });

  it('throws a ValidationError with paths as people read them', () => {
    expect(() => parse([{ name: 'develop', promotion: 'automatic', target: local }])).toThrow(
      ValidationError,
    );
    expect(() => parse([{ name: 'develop', promotion: 'automatic', target: local }])).toThrow(
      'Invalid service spec: stages[0].promotion: "automatic" is not one of auto, manual',
    );
  });
});
