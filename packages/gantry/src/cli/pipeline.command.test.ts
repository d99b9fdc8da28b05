import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parsePipelineFile } from '../features/pipelines/pipeline-document.js';
import {
  describeStages,
  formatAppliedServices,
  formatServiceSummaries,
  inlineSigningKeys,
  readPipelineSource,
} from './pipeline.command.js';
import { UsageError } from './run-command.js';

const PEM = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({
  type: 'spki',
  format: 'pem',
});

function gantryYaml(publicKey: string, extraStage = ''): string {
  return `apiVersion: gantry.dev/v1alpha1
kind: Service
metadata:
  name: checkout
spec:
  team: payments
  image: ghcr.io/acme/checkout
  source:
    repo: https://github.com/acme/shop
  signing:
    publicKey: ${publicKey}   # cosign generate-key-pair
  stages:
    - name: develop
      promotion: auto
      target: { type: local, command: node, args: [server.js], port: 8080 }
    - name: staging
      target: { type: gitops, repository: https://github.com/acme/config, path: staging/kustomization.yaml, format: kustomize }
    - name: prod
      approvals: { required: 1 }
      target: { type: gitops, repository: https://github.com/acme/config, path: prod/kustomization.yaml, format: kustomize }
${extraStage}`;
}

function directoryWithKey(): string {
  const directory = mkdtempSync(join(tmpdir(), 'gantry-pipeline-'));
  mkdirSync(join(directory, 'keys'));
  writeFileSync(join(directory, 'keys', 'cosign.pub'), PEM);
  return directory;
}

describe('inlineSigningKeys', () => {
  it('replaces a relative file: key with its PEM on the same line, so every line keeps its number', async () => {
    const directory = directoryWithKey();
    const text = gantryYaml('file:./keys/cosign.pub');
    const result = await inlineSigningKeys(text, 'gantry.yaml', directory);
    expect(result.problems).toEqual([]);
    expect(result.inlined).toBe(1);
    expect(result.text.split('\n')).toHaveLength(text.split('\n').length);
    expect(result.text).toContain('# cosign generate-key-pair');
    const [spec] = parsePipelineFile(result.text, 'gantry.yaml');
    expect(spec!.signing!.publicKey).toBe(PEM);
  });

  it('keeps the line and column of later problems as they are in the file', async () => {
    const directory = directoryWithKey();
    const broken = '    - name: Canary!\n      target: { type: local, command: node }\n';
    const original = gantryYaml('file:./keys/cosign.pub', broken);
    const inlined = (await inlineSigningKeys(original, 'gantry.yaml', directory)).text;
    const problemsOf = (text: string) => {
      try {
        parsePipelineFile(text, 'gantry.yaml');
        return '';
      } catch (error) {
        return (error as Error).message;
      }
    };
    expect(problemsOf(inlined)).toMatch(/^gantry\.yaml:21:13 checkout stages\[3\]\.name: "Canary!"/);
    expect(problemsOf(inlined)).toBe(
      problemsOf(original.replace('file:./keys/cosign.pub', 'file:/etc/gantry/cosign.pub')),
    );
  });

  it('handles quoted references, several documents and several keys', async () => {
    const directory = directoryWithKey();
    const text = `${gantryYaml('"file:keys/cosign.pub"')}---\n${gantryYaml("'file:./keys/cosign.pub'").replace('name: checkout', 'name: cart')}`;
    const result = await inlineSigningKeys(text, 'gantry.yaml', directory);
    expect(result).toMatchObject({ inlined: 2, problems: [] });
    expect(parsePipelineFile(result.text, 'gantry.yaml').map((spec) => spec.signing?.publicKey)).toEqual([
      PEM,
      PEM,
    ]);
  });

  it('leaves absolute paths for the server, and keys outside signing alone', async () => {
    const text = `${gantryYaml('file:/etc/gantry/cosign.pub')}# publicKey: file:./x.pub\n`;
    const withOtherKey = text.replace('  team: payments', '  team: payments\n  publicKey: file:./x.pub');
    for (const input of [text, withOtherKey]) {
      const result = await inlineSigningKeys(input, 'gantry.yaml', '/nowhere');
      expect(result).toEqual({ text: input, inlined: 0, problems: [] });
    }
  });

  it('names the file, line and column of a key file that cannot be read', async () => {
    const directory = mkdtempSync(join(tmpdir(), 'gantry-pipeline-'));
    const result = await inlineSigningKeys(gantryYaml('file:./missing.pub'), 'deploy/gantry.yaml', directory);
    expect(result.inlined).toBe(0);
    expect(result.problems).toEqual([
      `deploy/gantry.yaml:11:16 signing.publicKey: file:./missing.pub: no such file (looked for ${join(directory, 'missing.pub')}; the path is relative to deploy/gantry.yaml)`,
    ]);
  });

  it('leaves a file that does not parse to the parser', async () => {
    const text = 'spec: [unclosed\n  signing: { publicKey: file:./k.pub }\n';
    expect(await inlineSigningKeys(text, 'gantry.yaml', '/nowhere')).toEqual({
      text,
      inlined: 0,
      problems: [],
    });
  });
});

describe('describeStages', () => {
  it('joins a straight pipeline with arrows and counts the stages', () => {
    expect(describeStages([{ name: 'develop' }, { name: 'staging' }, { name: 'prod' }])).toBe(
      'develop → staging → prod (3 stages)',
    );
    expect(describeStages([{ name: 'prod', requires: [] }])).toBe('prod (1 stage)');
  });

  it('puts stages that run side by side in one step', () => {
    expect(
      describeStages([
        { name: 'develop', requires: [] },
        { name: 'qa', requires: ['develop'] },
        { name: 'perf', requires: ['develop'] },
        { name: 'prod', requires: ['qa', 'perf'] },
        { name: 'pr-123', requires: [] },
      ]),
    ).toBe('develop, pr-123 → qa, perf → prod (5 stages)');
  });

  it('formats each service of a parsed file', () => {
    const specs = parsePipelineFile(gantryYaml('file:/etc/gantry/cosign.pub'), 'gantry.yaml');
    expect(formatServiceSummaries(specs)).toEqual(['checkout: develop → staging → prod (3 stages)']);
  });
});

describe('formatAppliedServices', () => {
  it('prints one aligned line per service', () => {
    expect(
      formatAppliedServices({
        dryRun: false,
        items: [
          { service: 'checkout', revision: 3, outcome: 'updated' },
          { service: 'cart', revision: 12, outcome: 'unchanged' },
        ],
      }),
    ).toEqual(['checkout  revision 3   updated', 'cart      revision 12  unchanged']);
  });

  it('says a dry run stored nothing', () => {
    expect(
      formatAppliedServices({
        dryRun: true,
        items: [{ service: 'checkout', revision: null, outcome: 'valid' }],
      }),
    ).toEqual(['checkout  valid', 'dry run: nothing was stored; run again without --dry-run to apply']);
  });
});

describe('readPipelineSource', () => {
  it('reads standard input for -f -, resolving key files from the working directory', async () => {
    const source = await readPipelineSource('-', { readStdin: () => Promise.resolve('kind: Service\n') });
    expect(source).toEqual({ fileName: 'stdin', content: 'kind: Service\n', directory: process.cwd() });
  });

  it('refuses a missing file as a usage error naming it', async () => {
    const error = await readPipelineSource('no/such/gantry.yaml').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as Error).message).toMatch(/^-f no\/such\/gantry\.yaml: no such file \(looked for \/.+\)$/);
  });

  it('resolves key files from the directory of the file', async () => {
    const directory = directoryWithKey();
    writeFileSync(join(directory, 'gantry.yaml'), 'x: 1\n');
    expect(await readPipelineSource(join(directory, 'gantry.yaml'))).toMatchObject({
      directory,
      content: 'x: 1\n',
    });
  });
});
