import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReleaseDto } from '../features/releases/releases.dto.js';
import {
  describeEvidence,
  formatCreated,
  formatRelease,
  formatReleaseList,
  readEvidence,
} from './release.command.js';
import { UsageError } from './run-command.js';

const NOW = Date.parse('2026-11-20T13:00:00Z');
const DIGEST = `sha256:${'4b1c'.repeat(16)}`;

function release(overrides: Partial<ReleaseDto> = {}): ReleaseDto {
  return {
    id: '01934f0e-0000-7000-8000-000000000001',
    service: 'checkout',
    version: '2026.11.3',
    image: 'ghcr.io/acme/checkout',
    digest: DIGEST,
    commit: '9f1c2ab3d4e5f60718293a4b5c6d7e8f90a1b2c3',
    commitTime: '2026-11-20T09:58:00.000Z',
    createdBy: 'ci',
    createdAt: '2026-11-20T10:00:00.000Z',
    ...overrides,
  };
}

function evidence(kind: string, summary: Record<string, unknown>, source = 'report') {
  return { kind, source, attachedBy: 'ci', attachedAt: '2026-11-20T10:01:00.000Z', summary };
}

describe('formatCreated', () => {
  it('says created for 201 and exists for 200', () => {
    expect(formatCreated(release(), 201)).toBe('created checkout 2026.11.3');
    expect(formatCreated(release(), 200)).toBe('exists checkout 2026.11.3');
  });
});

describe('describeEvidence', () => {
  it.each([
    [
      evidence('tests', { total: 412, passed: 410, failures: 1, errors: 0, skipped: 1 }),
      '410/412 passed, 1 failures, 1 skipped',
    ],
    [evidence('tests', { total: 3, passed: 3, failures: 0, errors: 0, skipped: 0 }), '3/3 passed'],
    [
      evidence('coverage', { linePct: 71.2, linesCovered: 712, linesTotal: 1000 }),
      '71.2% of lines (712/1000)',
    ],
    [
      evidence('vulnerabilities', { critical: 0, high: 2, medium: 5, low: 1, unknown: 0 }),
      'critical 0, high 2, medium 5, low 1',
    ],
    [
      evidence('vulnerabilities', { critical: 1, high: 0, medium: 0, low: 0, unknown: 3 }),
      'critical 1, high 0, medium 0, low 0, unknown 3',
    ],
    [
      evidence('signature', { verified: true, algorithm: 'ecdsa-p256', keyFingerprint: '0123456789abcdef' }),
      'verified with ecdsa-p256 key 0123456789abcdef',
    ],
    [evidence('signature', { verified: true }), 'verified'],
    [evidence('migrationCheck', { result: 'failed' }), 'failed'],
    [evidence('sbom', { packages: 12 }), '{"packages":12}'],
  ])('%j reads %j', (entry, text) => {
    expect(describeEvidence(entry)).toBe(text);
  });
});

describe('formatRelease', () => {
  it('shows the release and a table of its evidence', () => {
    const lines = formatRelease(
      release({
        evidence: [
          evidence('tests', { total: 3, passed: 3, failures: 0, errors: 0, skipped: 0 }, 'junit.xml'),
          evidence(
            'coverage',
            { linePct: 81.5, linesCovered: 815, linesTotal: 1000 },
            'coverage-summary.json',
          ),
        ],
      }),
      NOW,
    );
    expect(lines).toEqual([
      'release checkout 2026.11.3',
      `  image    ghcr.io/acme/checkout@${DIGEST}`,
      '  commit   9f1c2ab3d4e5f60718293a4b5c6d7e8f90a1b2c3 (committed 2026-11-20T09:58:00Z)',
      '  created  2026-11-20T10:00:00Z (3h ago) by ci',
      '  id       01934f0e-0000-7000-8000-000000000001',
      '',
      'KIND      SOURCE                 SUMMARY                    ATTACHED',
      'tests     junit.xml              3/3 passed                 2h ago by ci',
      'coverage  coverage-summary.json  81.5% of lines (815/1000)  2h ago by ci',
    ]);
  });

  it('says how to attach evidence when there is none', () => {
    expect(formatRelease(release({ commitTime: null, evidence: [] }), NOW).slice(2)).toEqual([
      '  commit   9f1c2ab3d4e5f60718293a4b5c6d7e8f90a1b2c3',
      '  created  2026-11-20T10:00:00Z (3h ago) by ci',
      '  id       01934f0e-0000-7000-8000-000000000001',
      '',
      'No evidence attached. Attach some with: gantry release evidence checkout 2026.11.3 --junit junit.xml',
    ]);
  });
});

describe('formatReleaseList', () => {
  it('shortens digests and commits', () => {
    expect(formatReleaseList({ items: [release()], nextCursor: 'x' }, NOW)).toEqual([
      'SERVICE   VERSION    DIGEST               COMMIT        CREATED  BY',
      'checkout  2026.11.3  sha256:4b1c4b1c4b1c  9f1c2ab3d4e5  3h ago   ci',
      '(more: raise --limit to see them)',
    ]);
  });

  it('says where releases come from when there are none', () => {
    expect(formatReleaseList({ items: [] })).toEqual([
      'No releases yet. CI registers them with `gantry release create`.',
    ]);
  });
});

describe('readEvidence', () => {
  const directory = mkdtempSync(join(tmpdir(), 'gantry-evidence-'));
  const path = (name: string) => join(directory, name);
  writeFileSync(path('junit.xml'), '<testsuite tests="1"/>');
  writeFileSync(path('coverage-summary.json'), '{"total":{}}');
  writeFileSync(path('digest.sig'), 'MEUCIQD0c2lnbmF0dXJl\nAiA=\n');
  writeFileSync(path('raw.sig'), Buffer.from([0x30, 0x45, 0x02, 0x21, 0xff, 0x00]));
  writeFileSync(path('empty.sig'), '\n');

  it('sends files as text under their base name', async () => {
    expect(
      await readEvidence({
        junit: path('junit.xml'),
        coverage: path('coverage-summary.json'),
        migrationCheck: 'passed',
      }),
    ).toEqual({
      junit: { fileName: 'junit.xml', content: '<testsuite tests="1"/>' },
      coverage: { fileName: 'coverage-summary.json', content: '{"total":{}}' },
      migrationCheck: 'passed',
    });
  });

  it('sends a base64 signature as written (without line breaks) and encodes a binary one', async () => {
    expect(await readEvidence({ signature: path('digest.sig') })).toEqual({
      signature: 'MEUCIQD0c2lnbmF0dXJlAiA=',
    });
    expect(await readEvidence({ signature: path('raw.sig') })).toEqual({ signature: 'MEUCIf8A' });
  });

  it('is undefined without evidence flags', async () => {
    expect(await readEvidence({})).toBeUndefined();
  });

  it('names a missing or empty file in a usage error', async () => {
    await expect(readEvidence({ trivy: path('trivy.json') })).rejects.toThrow(
      new UsageError(`--trivy ${path('trivy.json')}: no such file (looked for ${path('trivy.json')})`),
    );
    await expect(readEvidence({ sarif: directory })).rejects.toThrow(
      /^--sarif .+: is a directory, not a file/,
    );
    await expect(readEvidence({ signature: path('empty.sig') })).rejects.toThrow(
      `--signature ${path('empty.sig')}: the file is empty`,
    );
  });
});
