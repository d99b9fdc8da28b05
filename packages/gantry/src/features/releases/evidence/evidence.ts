// Evidence CI attaches to a release, read from the files real tools write
// into small typed summaries that gates compare against. Every parser either
// returns a complete summary or throws a ValidationError whose message names
// the format, the file and what to change: a malformed file never yields a
// partial count.

import { ValidationError } from '../../../shared/errors.js';
import { parseCoverage } from './coverage.js';
import { parseJunit } from './junit.js';
import type { MigrationCheckEvidence } from './migration-check.js';
import { parseSarif } from './sarif.js';
import type { SignatureEvidence } from './signature.js';
import { parseTrivy } from './trivy.js';

export { MAX_EVIDENCE_BYTES } from './input.js';
export { parseMigrationCheck, type MigrationCheckEvidence } from './migration-check.js';
export {
  describePublicKey,
  verifyDigestSignature,
  type DigestSignature,
  type PublicKeyDescription,
  type SignatureAlgorithm,
  type SignatureEvidence,
} from './signature.js';
export { parseCoverage, parseJunit, parseSarif, parseTrivy };

/** Test results from a JUnit XML report. */
export interface TestEvidence {
  kind: 'tests';
  format: 'junit';
  total: number;
  passed: number;
  failures: number;
  errors: number;
  skipped: number;
  /** No failures and no errors, and at least one test in the report. */
  passedAll: boolean;
  /** The file name CI attached. */
  source: string;
}

/**
 * Line coverage. A report that measured no lines (linesTotal 0; Istanbul
 * writes pct "Unknown" then) has linePct 0: whether an empty report passes
 * is the gate's decision, not the parser's.
 */
export interface CoverageEvidence {
  kind: 'coverage';
  format: 'istanbul' | 'cobertura';
  /** 0–100, rounded to 2 decimals. */
  linePct: number;
  linesCovered: number;
  linesTotal: number;
  source: string;
}

/** Distinct findings of a vulnerability scan, by severity. */
export interface VulnerabilityEvidence {
  kind: 'vulnerabilities';
  format: 'trivy' | 'sarif';
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  source: string;
}

export type Evidence =
  TestEvidence | CoverageEvidence | VulnerabilityEvidence | SignatureEvidence | MigrationCheckEvidence;

/** Evidence that arrives as a file, by the format it is attached as. */
export const EVIDENCE_FILE_KINDS = ['junit', 'coverage', 'trivy', 'sarif'] as const;
export type EvidenceFileKind = (typeof EVIDENCE_FILE_KINDS)[number];

export type FileEvidence = TestEvidence | CoverageEvidence | VulnerabilityEvidence;

/**
 * Parse an evidence file. `kind` is the format it was attached as (coverage
 * tells Istanbul JSON from Cobertura XML by itself); `sourceName` is the file
 * name, kept in the summary so gate explanations can cite it.
 */
export function parseEvidence(kind: 'junit', content: string | Buffer, sourceName: string): TestEvidence;
export function parseEvidence(
  kind: 'coverage',
  content: string | Buffer,
  sourceName: string,
): CoverageEvidence;
export function parseEvidence(
  kind: 'trivy' | 'sarif',
  content: string | Buffer,
  sourceName: string,
): VulnerabilityEvidence;
export function parseEvidence(
  kind: EvidenceFileKind,
  content: string | Buffer,
  sourceName: string,
): FileEvidence;
export function parseEvidence(
  kind: EvidenceFileKind,
  content: string | Buffer,
  sourceName: string,
): FileEvidence {
  switch (kind) {
    case 'junit':
      return parseJunit(content, sourceName);
    case 'coverage':
      return parseCoverage(content, sourceName);
    case 'trivy':
      return parseTrivy(content, sourceName);
    case 'sarif':
      return parseSarif(content, sourceName);
    default: {
      const unknownKind: never = kind;
      throw new ValidationError(
        `${sourceName}: unknown evidence format ${JSON.stringify(unknownKind)}; expected one of ${EVIDENCE_FILE_KINDS.join(', ')}`,
        { kind: unknownKind, source: sourceName },
      );
    }
  }
}
