// Severity counts shared by the vulnerability scan parsers.

import type { VulnerabilityEvidence } from './evidence.js';

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'unknown';

export type SeverityCounts = Record<Severity, number>;

/** Counts each distinct finding once, by a key that identifies it. */
export class FindingTally {
  private readonly seen = new Set<string>();
  private readonly counts: SeverityCounts = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };

  add(key: string, severity: Severity): void {
    if (this.seen.has(key)) return;
    this.seen.add(key);
    this.counts[severity]++;
  }

  evidence(format: VulnerabilityEvidence['format'], source: string): VulnerabilityEvidence {
    return { kind: 'vulnerabilities', format, ...this.counts, source };
  }
}
