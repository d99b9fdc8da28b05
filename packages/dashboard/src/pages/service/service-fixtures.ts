import type { Release, Why } from '../../api/types';
import type { EvidenceItem } from './evidence';

// Releases and gate answers for tests, as Gantry's API answers them.

export function release(version: string, evidence?: EvidenceItem[]): Release {
  return {
    id: `r-${version}`,
    service: 'checkout',
    version,
    image: 'ghcr.io/acme/checkout',
    digest: `sha256:${'ab'.repeat(32)}`,
    commit: `c0ffee${version.replaceAll('.', '')}0000000000000000000000000000000`.slice(0, 40),
    commitTime: null,
    createdBy: 'ci',
    createdAt: '2026-11-30T08:00:00Z',
    ...(evidence ? { evidence } : {}),
  };
}

export function evidence(
  kind: string,
  summary: Record<string, unknown>,
  source = `${kind}.xml`,
): EvidenceItem {
  return { kind, source, attachedBy: 'ci', attachedAt: '2026-11-30T08:01:00Z', summary };
}

/** Tests 118 of 120 passed, coverage 84.2 %, 1 critical and 2 high vulnerabilities, a verified signature. */
export const FULL_EVIDENCE: EvidenceItem[] = [
  evidence('tests', {
    kind: 'tests',
    total: 120,
    passed: 118,
    failures: 0,
    errors: 0,
    skipped: 2,
    passedAll: true,
  }),
  evidence('coverage', { kind: 'coverage', linePct: 84.2, linesCovered: 842, linesTotal: 1000 }),
  evidence('vulnerabilities', {
    kind: 'vulnerabilities',
    critical: 1,
    high: 2,
    medium: 0,
    low: 5,
    unknown: 0,
  }),
  evidence('signature', {
    kind: 'signature',
    verified: true,
    algorithm: 'ecdsa-p256',
    keyFingerprint: 'SHA256:abc',
  }),
];

export function why(stage: string, version: string, overrides: Partial<Why> = {}): Why {
  return {
    service: 'checkout',
    version,
    stage,
    promotionId: null,
    phase: null,
    verdict: 'pass',
    items: [],
    autoHold: null,
    ...overrides,
  };
}
