// Trivy's JSON report (`trivy image|fs|repo --format json`, SchemaVersion 2,
// Trivy 0.20 and later). Each entry of Results[].Vulnerabilities[] is a
// finding, counted by its Severity; an entry repeated with the same target,
// vulnerability, package, version and path is counted once. A report without
// Results, or whose results have no Vulnerabilities, is a clean scan.
// Misconfigurations, secrets and licenses in the same report are not
// vulnerabilities and are not counted.

import type { VulnerabilityEvidence } from './evidence.js';
import {
  describeJson,
  evidenceError,
  evidenceText,
  isRecord,
  parseJsonEvidence,
  type EvidenceSource,
} from './input.js';
import { FindingTally, type Severity } from './severity.js';

const EXPECTED = 'a Trivy JSON report (trivy image --format json)';

const SEVERITIES: Record<string, Severity> = {
  CRITICAL: 'critical',
  HIGH: 'high',
  MEDIUM: 'medium',
  LOW: 'low',
  UNKNOWN: 'unknown',
};

export function parseTrivy(content: string | Buffer, sourceName: string): VulnerabilityEvidence {
  const from: EvidenceSource = { format: 'trivy', source: sourceName };
  const report = parseJsonEvidence(evidenceText(content, from), from, EXPECTED);

  if (Array.isArray(report) && report.some((item) => isRecord(item) && 'Target' in item)) {
    throw evidenceError(
      from,
      'this is the Trivy report format of versions before 0.20 (a JSON array); upgrade Trivy and write the report with --format json',
    );
  }
  if (!isRecord(report) || !('SchemaVersion' in report)) {
    throw evidenceError(from, `expected ${EXPECTED}, found ${describeJson(report)}`);
  }
  if (report.SchemaVersion !== 2) {
    throw evidenceError(
      from,
      `the report has SchemaVersion ${JSON.stringify(report.SchemaVersion)}; Gantry reads Trivy's SchemaVersion 2 (Trivy 0.20 and later)`,
    );
  }

  const tally = new FindingTally();
  const results = report.Results ?? [];
  if (!Array.isArray(results)) {
    throw evidenceError(from, `"Results" must be an array, found ${describeJson(results)}`);
  }
  results.forEach((result: unknown, r) => {
    if (!isRecord(result)) throw evidenceError(from, `Results[${r}] is not an object`);
    const vulnerabilities = result.Vulnerabilities ?? [];
    if (!Array.isArray(vulnerabilities)) {
      throw evidenceError(
        from,
        `Results[${r}].Vulnerabilities must be an array, found ${describeJson(vulnerabilities)}`,
      );
    }
    vulnerabilities.forEach((vulnerability: unknown, v) => {
      const where = `Results[${r}].Vulnerabilities[${v}]`;
      if (!isRecord(vulnerability)) throw evidenceError(from, `${where} is not an object`);
      const id = vulnerability.VulnerabilityID;
      if (typeof id !== 'string' || id === '') throw evidenceError(from, `${where} has no VulnerabilityID`);
      const severity =
        typeof vulnerability.Severity === 'string' ? SEVERITIES[vulnerability.Severity] : undefined;
      if (severity === undefined) {
        throw evidenceError(
          from,
          `${where} (${id}) has Severity ${JSON.stringify(vulnerability.Severity ?? null)}; expected CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN`,
        );
      }
      const key = JSON.stringify([
        result.Target ?? null,
        id,
        vulnerability.PkgID ?? vulnerability.PkgName ?? null,
        vulnerability.InstalledVersion ?? null,
        vulnerability.PkgPath ?? null,
      ]);
      tally.add(key, severity);
    });
  });
  return tally.evidence('trivy', sourceName);
}
