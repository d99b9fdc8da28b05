import type { Release } from '../../api/types';
import type { Tone } from '../../components/phase';

// What CI proved about a release, read from the evidence summaries Gantry
// stores (tests, coverage, vulnerabilities, signature, migration check) into
// short facts with a tone. The gates judge against thresholds; these words
// only say what was attached.

export type EvidenceItem = NonNullable<Release['evidence']>[number];

export interface EvidenceFact {
  kind: 'tests' | 'coverage' | 'vulnerabilities' | 'signature' | 'migrationCheck';
  tone: Tone;
  /** A few words: "118 of 120 tests passed". */
  text: string;
  /** More, where there is more to say: the file, a signature's key or why it failed. */
  detail?: string;
}

const ORDER: EvidenceFact['kind'][] = ['tests', 'coverage', 'vulnerabilities', 'signature', 'migrationCheck'];

const MISSING: Record<EvidenceFact['kind'], string> = {
  tests: 'no test report',
  coverage: 'no coverage report',
  vulnerabilities: 'no vulnerability scan',
  signature: 'not signed',
  migrationCheck: 'no migration check',
};

function count(summary: Record<string, unknown>, key: string): number {
  const value = summary[key];
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function text(summary: Record<string, unknown>, key: string): string | undefined {
  const value = summary[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

function testsFact(summary: Record<string, unknown>): EvidenceFact {
  const total = count(summary, 'total');
  const failed = count(summary, 'failures') + count(summary, 'errors');
  const skipped = count(summary, 'skipped');
  const skippedText = skipped > 0 ? ` (${skipped} skipped)` : '';
  if (total === 0) return { kind: 'tests', tone: 'bad', text: 'no tests in the report' };
  if (failed > 0) {
    return { kind: 'tests', tone: 'bad', text: `${failed} of ${plural(total, 'test')} failed${skippedText}` };
  }
  const passed = count(summary, 'passed') || total - skipped;
  return {
    kind: 'tests',
    tone: 'ok',
    text: `${passed === total && total > 1 ? 'all ' : ''}${plural(passed, 'test')} passed${skippedText}`,
  };
}

function coverageFact(summary: Record<string, unknown>): EvidenceFact {
  const pct = count(summary, 'linePct');
  const lines = count(summary, 'linesTotal');
  return {
    kind: 'coverage',
    tone: 'neutral',
    text: `${pct} % line coverage`,
    detail: lines > 0 ? `${count(summary, 'linesCovered')} of ${lines} lines` : undefined,
  };
}

function vulnerabilitiesFact(summary: Record<string, unknown>): EvidenceFact {
  const levels = ['critical', 'high', 'medium', 'low', 'unknown'] as const;
  const found = levels.filter((level) => count(summary, level) > 0);
  const critical = count(summary, 'critical');
  const high = count(summary, 'high');
  return {
    kind: 'vulnerabilities',
    tone: critical > 0 ? 'bad' : high > 0 ? 'waiting' : 'ok',
    text:
      found.length === 0
        ? 'no known vulnerabilities'
        : found.map((level) => `${count(summary, level)} ${level}`).join(', '),
  };
}

function signatureFact(summary: Record<string, unknown>): EvidenceFact {
  if (summary.verified === true) {
    const key = text(summary, 'keyFingerprint');
    return {
      kind: 'signature',
      tone: 'ok',
      text: 'signature verified',
      detail: key ? `${text(summary, 'algorithm') ?? 'key'} ${key}` : undefined,
    };
  }
  return { kind: 'signature', tone: 'bad', text: 'signature not verified', detail: text(summary, 'reason') };
}

function migrationFact(summary: Record<string, unknown>): EvidenceFact {
  const passed = summary.result === 'passed';
  return {
    kind: 'migrationCheck',
    tone: passed ? 'ok' : 'bad',
    text: `migration check ${passed ? 'passed' : 'failed'}`,
  };
}

function factOf(item: EvidenceItem): EvidenceFact | undefined {
  const summary = item.summary;
  switch (item.kind) {
    case 'tests':
      return { ...testsFact(summary), detail: item.source };
    case 'coverage':
      return coverageFact(summary);
    case 'vulnerabilities':
      return { ...vulnerabilitiesFact(summary), detail: item.source };
    case 'signature':
      return signatureFact(summary);
    case 'migrationCheck':
      return migrationFact(summary);
    default:
      return undefined;
  }
}

/** The release's evidence as facts, in a fixed order; kinds it lacks are left out. */
export function evidenceFacts(evidence: readonly EvidenceItem[]): EvidenceFact[] {
  const facts = evidence.map(factOf).filter((fact): fact is EvidenceFact => fact !== undefined);
  return ORDER.flatMap((kind) => facts.filter((fact) => fact.kind === kind).slice(0, 1));
}

/** What the release has no evidence of, in words ("no coverage report", "not signed"). */
export function missingEvidence(evidence: readonly EvidenceItem[]): string[] {
  const present = new Set(evidence.map((item) => item.kind));
  return ORDER.filter((kind) => !present.has(kind)).map((kind) => MISSING[kind]);
}
