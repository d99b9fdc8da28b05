import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../shared/errors.js';
import {
  canonicalJson,
  canonicalServiceSpec,
  parsePipelineFile,
  PipelineFileError,
  specHash,
} from './pipeline-document.js';

const EXAMPLE = readFileSync(new URL('./testdata/checkout.gantry.yaml', import.meta.url), 'utf8');

/** The problems parsePipelineFile reports, one formatted line each. */
function problems(text: string, fileName = 'gantry.yaml'): string[] {
  try {
    parsePipelineFile(text, fileName);
  } catch (error) {
    if (error instanceof PipelineFileError) return error.message.split('\n');
    throw error;
  }
  throw new Error('expected the file to be refused');
}

/** A small valid service; `stages` is spliced in as written. */
function service(
  name: string,
  stages = '    - { name: develop, target: { type: local, command: ./run } }',
): string {
  return [
    'apiVersion: gantry.dev/v1alpha1',
    'kind: Service',
    `metadata: { name: ${name} }`,
    'spec:',
    '  team: payments',
    `  image: ghcr.io/acme/${name}`,
    '  source: { repo: https://github.com/acme/shop }',
    '  stages:',
    stages,
    '',
  ].join('\n');
}

describe('parsePipelineFile', () => {
  it('reads the documented example', () => {
    const [checkout, ...rest] = parsePipelineFile(EXAMPLE, 'gantry.yaml');
    expect(rest).toEqual([]);
    expect(checkout!.name).toBe('checkout');
    expect(checkout!.source).toEqual({
      repo: 'https://github.com/acme/shop',
      paths: ['services/checkout/**'],
    });
    expect(checkout!.signing).toEqual({ publicKey: 'file:./keys/cosign.pub' });
    expect(checkout!.stages.map((stage) => [stage.name, stage.requires, stage.promotion])).toEqual([
      ['develop', [], 'auto'],
      ['staging', ['develop'], 'auto'],
      ['prod', ['staging'], 'manual'],
    ]);
    const prod = checkout!.stages[2]!;
    expect(prod.approvals).toEqual({ required: 1, fourEyes: true });
    expect(prod.gates).toEqual({
      signature: 'required',
      soak: { text: '30m', ms: 1_800_000 },
      upstream: 'succeeded',
    });
    expect(prod.freeze).toEqual([
      {
        cron: '0 16 * * FRI',
        duration: { text: '64h', ms: 230_400_000 },
        timeZone: 'Europe/Madrid',
        reason: 'weekend',
      },
    ]);
    expect(prod.strategy).toEqual({ type: 'rolling' });
    expect(prod.target).toEqual({
      type: 'gitops',
      repository: 'file:///srv/git/deploy.git',
      branch: 'main',
      path: 'apps/checkout/values-prod.yaml',
      format: 'helm',
      key: 'image.tag',
    });
  });

  it('reads several documents, skipping empty ones', () => {
    const text = `# services of the shop\n${service('checkout')}---\n${service('cart')}---\n# nothing here\n---\n`;
    expect(parsePipelineFile(text, 'gantry.yaml').map((spec) => spec.name)).toEqual(['checkout', 'cart']);
  });

  it('reads a document that is a list of services', () => {
    const indent = (text: string): string =>
      text
        .trimEnd()
        .split('\n')
        .map((line, index) => (index === 0 ? `- ${line}` : `  ${line}`))
        .join('\n');
    const text = `${indent(service('checkout'))}\n${indent(service('cart'))}\n---\n${service('search')}`;
    expect(parsePipelineFile(text, 'gantry.yaml').map((spec) => spec.name)).toEqual([
      'checkout',
      'cart',
      'search',
    ]);
  });

  it('reports every problem with its line, column, service and path', () => {
    const text = `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: checkout
spec:
  team: payments
  image: ghcr.io/acme/checkout:1.2
  source: { repo: https://github.com/acme/shop }
  stages:
    - name: develop
      promtion: auto
      target:
        type: gitops
        repository: file:///srv/git/deploy.git
        path: ../shared/kustomization.yaml
        format: kustomise
    - name: staging
      requires: [develp]
      promotion: automatic
      gates: { soak: 30 minutes, coverage: { min: 180 } }
      freeze:
        - { cron: '0 16 * FRI', duration: 64h, timeZone: Europe/Madri }
      target: { type: gitops, repository: file:///srv/git/deploy.git, path: a.yaml }
    - name: prod
      strategy: canry
      target: { type: gitopz }
`;
    expect(problems(text)).toEqual([
      'gantry.yaml:7:10 checkout image: must not contain a tag; each release supplies the digest',
      'gantry.yaml:11:7 checkout stages[0].promtion: unknown key; did you mean "promotion"?',
      'gantry.yaml:15:15 checkout stages[0].target.path: must not contain ".."',
      'gantry.yaml:16:17 checkout stages[0].target.format: "kustomise" is not one of kustomize, helm; did you mean "kustomize"?',
      'gantry.yaml:18:18 checkout stages[1].requires[0]: "develp" is not a stage of this pipeline; did you mean "develop"?',
      'gantry.yaml:19:18 checkout stages[1].promotion: "automatic" is not one of auto, manual',
      'gantry.yaml:20:22 checkout stages[1].gates.soak: "30 minutes" is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 64h or 7d',
      'gantry.yaml:20:51 checkout stages[1].gates.coverage.min: must be at most 100',
      'gantry.yaml:22:19 checkout stages[1].freeze[0].cron: "0 16 * FRI" has 4 fields; a cron expression has 5: minute hour day-of-month month day-of-week',
      'gantry.yaml:22:58 checkout stages[1].freeze[0].timeZone: "Europe/Madri" is not a known time zone; did you mean "Europe/Madrid"?',
      'gantry.yaml:23:15 checkout stages[1].target.format: is required (one of kustomize, helm)',
      'gantry.yaml:25:17 checkout stages[2].strategy: "canry" is not a strategy; write rolling, blueGreen or { type: canary, steps: [...] }; did you mean "canary"?',
      'gantry.yaml:26:23 checkout stages[2].target.type: "gitopz" is not one of gitops, local; did you mean "gitops"?',
    ]);
  });

  it('points a missing key at the mapping that lacks it', () => {
    const text = service('checkout', '    - name: develop\n      promotion: auto\n').replace(
      '  team: payments\n',
      '',
    );
    expect(problems(text)).toEqual([
      'gantry.yaml:5:3 checkout team: is required',
      'gantry.yaml:8:7 checkout stages[0].target: is required',
    ]);
    expect(problems('apiVersion: gantry.dev/v1alpha1\nkind: Service\n')).toEqual([
      'gantry.yaml:1:1 document 1 metadata: is required',
      'gantry.yaml:1:1 document 1 spec: is required',
    ]);
  });

  it('points an empty value at its key', () => {
    const text = service(
      'checkout',
      '    - name: develop\n      promotion:\n      target: { type: local, command: ./run }',
    );
    expect(problems(text)).toEqual([
      'gantry.yaml:10:7 checkout stages[0].promotion: is empty; expected one of auto, manual',
    ]);
  });

  it('reports YAML syntax errors with their position', () => {
    const text = 'apiVersion: gantry.dev/v1alpha1\nkind: Service\nmetadata:\n  name: [checkout\n';
    expect(problems(text)).toHaveLength(1);
    expect(problems(text)[0]).toBe(
      'gantry.yaml:5:1 document 1: Flow sequence in block collection must be sufficiently indented and end with a ]',
    );
    expect(problems(`${service('checkout')}---\nkind: Service\nkind: Service\n`)).toEqual([
      'gantry.yaml:12:1 document 2: Map keys must be unique',
    ]);
  });

  it('refuses duplicate services, duplicate stages, unknown requires and cycles', () => {
    const stages = [
      '    - { name: develop, requires: [prod], target: { type: local, command: ./run } }',
      '    - { name: staging, target: { type: local, command: ./run } }',
      '    - { name: prod, target: { type: local, command: ./run } }',
      '    - { name: staging, requires: [qa], target: { type: local, command: ./run } }',
    ].join('\n');
    const text = `${service('checkout', stages)}---\n${service('cart')}---\n${service('checkout')}`;
    expect(problems(text)).toEqual([
      'gantry.yaml:9:35 checkout stages[0].requires[0]: "prod" makes a cycle: develop requires prod, which requires staging, which requires develop',
      'gantry.yaml:12:15 checkout stages[3].name: "staging" is already the name of stages[1]',
      'gantry.yaml:12:35 checkout stages[3].requires[0]: "qa" is not a stage of this pipeline',
      'gantry.yaml:26:19 checkout metadata.name: service "checkout" is already declared at gantry.yaml:3:19',
    ]);
  });

  it('refuses a literal secret without repeating it', () => {
    const stages = [
      '    - name: develop',
      '      target:',
      '        type: gitops',
      '        repository: https://x-access-token:ghp_abc123@github.com/acme/deploy.git',
      '        credentials: ghp_abc123',
      '        path: apps/checkout.yaml',
      '        format: helm',
    ].join('\n');
    const found = problems(service('checkout', stages));
    expect(found).toEqual([
      'gantry.yaml:12:21 checkout stages[0].target.repository: must not contain credentials; give them as credentials: env:NAME or file:/path',
      'gantry.yaml:13:22 checkout stages[0].target.credentials: must be a reference such as env:GIT_TOKEN or file:/run/secrets/git-token, never the secret itself',
    ]);
    expect(found.join('\n')).not.toContain('ghp_abc123');
  });

  it('points at the key when the key itself is wrong', () => {
    const stages = [
      '    - name: develop',
      '      target:',
      '        type: local',
      '        command: ./run',
      '        env: { LOG_LEVEL: info, log-format: json }',
      '        replica: 2',
    ].join('\n');
    expect(problems(service('checkout', stages))).toEqual([
      'gantry.yaml:13:33 checkout stages[0].target.env.log-format: "log-format" is not an environment variable name',
      'gantry.yaml:14:9 checkout stages[0].target.replica: unknown key; did you mean "replicas"?',
    ]);
  });

  it('follows anchors and merge keys to the node at fault', () => {
    const stages = [
      '    - name: develop',
      '      target: &deploy',
      '        type: gitops',
      '        repository: file:///srv/git/deploy.git',
      '        path: apps/develop.yaml',
      '        format: helmet',
      '    - name: prod',
      '      target: { <<: *deploy, path: apps/prod.yaml }',
    ].join('\n');
    expect(problems(service('checkout', stages))).toEqual([
      'gantry.yaml:14:17 checkout stages[0].target.format: "helmet" is not one of kustomize, helm; did you mean "helm"?',
      'gantry.yaml:14:17 checkout stages[1].target.format: "helmet" is not one of kustomize, helm; did you mean "helm"?',
    ]);
  });

  it('names services by metadata.name, or by their place in the file', () => {
    const text = [
      '- apiVersion: gantry.dev/v1alpha1',
      '  kind: Service',
      '  metadata: { name: Checkout }',
      '- apiVersion: gantry.dev/v1alpha1',
      '  kind: Service',
      '---',
      '42',
      '',
    ].join('\n');
    expect(problems(text)).toEqual([
      'gantry.yaml:1:3 Checkout spec: is required',
      'gantry.yaml:3:21 Checkout metadata.name: "Checkout" is not a valid name: use 1-63 lowercase letters, digits and "-", starting and ending with a letter or digit; did you mean "checkout"?',
      'gantry.yaml:4:3 document 1 item 2 metadata: is required',
      'gantry.yaml:4:3 document 1 item 2 spec: is required',
      'gantry.yaml:7:1 document 2: expected a Service (a mapping with apiVersion, kind, metadata and spec) or a list of them',
    ]);
  });

  it('refuses a file without services', () => {
    expect(problems('# only a comment\n', 'deploy/gantry.yaml')).toEqual([
      'deploy/gantry.yaml:1:1: declares no service; write a Service document (apiVersion: gantry.dev/v1alpha1, kind: Service)',
    ]);
  });

  it('throws a ValidationError whose details list the issues', () => {
    const text = service(
      'checkout',
      '    - { name: develop, promotion: automatic, target: { type: local, command: ./run } }',
    );
    let caught: unknown;
    try {
      parsePipelineFile(text, 'gantry.yaml');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ValidationError);
    expect((caught as PipelineFileError).status).toBe(400);
    expect((caught as PipelineFileError).details).toEqual({
      issues: [
        {
          file: 'gantry.yaml',
          line: 9,
          column: 35,
          service: 'checkout',
          path: 'stages[0].promotion',
          message: '"automatic" is not one of auto, manual',
        },
      ],
    });
  });
});

describe('analysis templates', () => {
  const template = (name: string, extra = '') => `apiVersion: gantry.dev/v1alpha1
kind: AnalysisTemplate
metadata: { name: ${name} }
spec:
  args: [{ name: limit }${extra}]
  metrics:
    - name: errors
      successCondition: result < args.limit
      provider: { builtin: { metric: errorRate } }
`;
  const canary = (templateName: string, args = '[{ name: limit, value: "0.1" }]') =>
    service(
      'shop',
      `    - name: prod
      target: { type: local, command: ./run, port: 8080 }
      strategy:
        type: canary
        steps:
          - setWeight: 10
          - analysis: { templates: [{ templateName: ${templateName} }], args: ${args} }`,
    );

  it('copies the templates a service names into its spec, and only those', () => {
    const [shop] = parsePipelineFile(
      `${template('error-rate')}---\n${template('unused')}---\n${canary('error-rate')}`,
      'g.yaml',
    );
    expect(Object.keys(shop!.analysisTemplates ?? {})).toEqual(['error-rate']);
    expect(shop!.analysisTemplates!['error-rate']!.metrics[0]!.successCondition).toBe('result < args.limit');
  });

  it('points at a template name that the file does not declare, with the nearest one', () => {
    expect(problems(`${template('error-rate')}---\n${canary('eror-rate')}`)).toEqual([
      expect.stringMatching(
        /^gantry\.yaml:\d+:\d+ shop stages\[0\]\.strategy\.steps\[1\]\.analysis\.templates\[0\]\.templateName: no analysis template "eror-rate" in this file; did you mean "error-rate"\?$/,
      ),
    ]);
  });

  it('refuses an analysis that leaves a template argument without a value', () => {
    expect(problems(`${template('error-rate')}---\n${canary('error-rate', '[]')}`)).toEqual([
      expect.stringContaining(
        'shop stages[0].strategy.steps[1].analysis: analysis template "error-rate" needs args.limit',
      ),
    ]);
  });

  it("reports a template's own problems at their line, under its name", () => {
    const broken = template('error-rate').replace('result < args.limit', 'reslt < args.limit');
    expect(problems(`${broken}---\n${canary('error-rate')}`)).toEqual([
      'gantry.yaml:8:25 analysis template error-rate metrics[0].successCondition: column 1: unknown name "reslt"; did you mean result?',
    ]);
  });
});

describe('canonical form', () => {
  const reordered = `# same declaration, other order, other style, defaults spelled out
kind: Service
apiVersion: "gantry.dev/v1alpha1"
spec:
  stages:
    - target:
        format: kustomize
        path: apps/checkout/overlays/develop/kustomization.yaml
        credentials: env:GIT_TOKEN
        repository: file:///srv/git/deploy.git
        type: gitops
        branch: main
        imageName: ghcr.io/acme/checkout
      promotion: auto
      name: develop
      requires: []
      strategy: { type: rolling }
    - name: staging
      promotion: auto
      target: { type: gitops, repository: file:///srv/git/deploy.git, path: apps/checkout/overlays/staging/kustomization.yaml, format: kustomize }
      gates: { upstream: succeeded, soak: 30m, migrationCheck: passed, signature: required, vulnerabilities: { high: 2, critical: 0 }, coverage: { min: 80 }, tests: passed }
    - name: prod
      gates: { soak: 30m, signature: required }
      approvals: { fourEyes: true }
      freeze: [{ timeZone: Europe/Madrid, duration: 64h, cron: "0 16 * * FRI", reason: weekend }]
      target: { type: gitops, repository: file:///srv/git/deploy.git, path: apps/checkout/values-prod.yaml, format: helm }
  signing: { publicKey: "file:./keys/cosign.pub" }
  source: { paths: [services/checkout/**], repo: https://github.com/acme/shop }
  image: ghcr.io/acme/checkout
  team: payments
metadata: { name: checkout }
`;

  it('is the same for the same declaration, whatever the key order, comments and spelled-out defaults', () => {
    const [original] = parsePipelineFile(EXAMPLE, 'gantry.yaml');
    const [same] = parsePipelineFile(reordered, 'gantry.yaml');
    expect(canonicalServiceSpec(same!)).toBe(canonicalServiceSpec(original!));
    expect(specHash(same!)).toBe(specHash(original!));
    expect(specHash(original!)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('changes when the declaration changes', () => {
    const [original] = parsePipelineFile(EXAMPLE, 'gantry.yaml');
    const [changed] = parsePipelineFile(EXAMPLE.replace('soak: 30m }', 'soak: 45m }'), 'gantry.yaml');
    expect(specHash(changed!)).not.toBe(specHash(original!));
  });

  it('sorts keys at every level and leaves out undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: true, y: null }], c: undefined } })).toBe(
      '{"a":{"d":[3,{"y":null,"z":true}]},"b":1}',
    );
    const [spec] = parsePipelineFile(EXAMPLE, 'gantry.yaml');
    expect(JSON.parse(canonicalServiceSpec(spec!))).toEqual(spec);
  });
});
