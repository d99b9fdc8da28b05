import { describe, expect, it } from 'vitest';
import { evidenceFacts, missingEvidence } from './evidence';
import { evidence, FULL_EVIDENCE } from './service-fixtures';

describe('evidenceFacts', () => {
  it('says what each kind of evidence proved, in a fixed order', () => {
    expect(evidenceFacts([...FULL_EVIDENCE].reverse())).toEqual([
      { kind: 'tests', tone: 'ok', text: '118 tests passed (2 skipped)', detail: 'tests.xml' },
      { kind: 'coverage', tone: 'neutral', text: '84.2 % line coverage', detail: '842 of 1000 lines' },
      {
        kind: 'vulnerabilities',
        tone: 'bad',
        text: '1 critical, 2 high, 5 low',
        detail: 'vulnerabilities.xml',
      },
      { kind: 'signature', tone: 'ok', text: 'signature verified', detail: 'ecdsa-p256 SHA256:abc' },
    ]);
  });

  it('counts errors as failures, and says when no test ran', () => {
    const tests = (summary: Record<string, unknown>) => evidenceFacts([evidence('tests', summary)])[0];
    expect(tests({ total: 10, passed: 7, failures: 2, errors: 1, skipped: 0 })).toMatchObject({
      tone: 'bad',
      text: '3 of 10 tests failed',
    });
    expect(tests({ total: 1, passed: 1, failures: 0, errors: 0, skipped: 0 })).toMatchObject({
      tone: 'ok',
      text: '1 test passed',
    });
    expect(tests({ total: 4, passed: 4, failures: 0, errors: 0, skipped: 0 })).toMatchObject({
      text: 'all 4 tests passed',
    });
    expect(tests({ total: 0 })).toMatchObject({ tone: 'bad', text: 'no tests in the report' });
  });

  it('tells a clean scan, a failed signature and a failed migration check', () => {
    expect(
      evidenceFacts([
        evidence('vulnerabilities', { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 }),
        evidence('signature', {
          verified: false,
          algorithm: 'unknown',
          reason: 'the signature does not match',
        }),
        evidence('migrationCheck', { result: 'failed' }, 'migration check'),
      ]),
    ).toEqual([
      {
        kind: 'vulnerabilities',
        tone: 'ok',
        text: 'no known vulnerabilities',
        detail: 'vulnerabilities.xml',
      },
      {
        kind: 'signature',
        tone: 'bad',
        text: 'signature not verified',
        detail: 'the signature does not match',
      },
      { kind: 'migrationCheck', tone: 'bad', text: 'migration check failed' },
    ]);
  });

  it('ignores kinds it does not know', () => {
    expect(evidenceFacts([evidence('sbom', { packages: 12 })])).toEqual([]);
  });
});

describe('missingEvidence', () => {
  it('names what was not attached', () => {
    expect(missingEvidence(FULL_EVIDENCE)).toEqual(['no migration check']);
    expect(missingEvidence([])).toEqual([
      'no test report',
      'no coverage report',
      'no vulnerability scan',
      'not signed',
      'no migration check',
    ]);
  });
});
