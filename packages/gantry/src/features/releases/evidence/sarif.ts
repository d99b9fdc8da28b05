// SARIF 2.1.0 logs as scanners write them (Trivy, CodeQL, Grype, Snyk,
// Semgrep). Each result of each run is a finding. Its severity is the CVSS
// score in properties["security-severity"] of the result, else of its rule
// (≥ 9 critical, ≥ 7 high, ≥ 4 medium, > 0 low, 0 unknown); without a score,
// the SARIF level of the result, else of its rule's default configuration
// (error → high, warning → medium, note → low, none → unknown).
//
// Not findings, so not counted: results of kind pass, notApplicable or
// informational; results suppressed with status accepted (or no status);
// results whose baselineState is absent (fixed since the baseline). Identical
// results (same rule, location, message and fingerprints) count once. Any
// other result counts, whatever its rule is about: Trivy's SARIF also carries
// secrets and misconfigurations (its JSON report keeps them apart), and grades
// vulnerabilities by their CVSS v3 score where its JSON uses the vendor's
// severity, so the two formats of one scan can count differently.
//
// Rules are looked up as SARIF references them: result.rule.toolComponent
// names an extension (CodeQL keeps its rules in query-pack extensions), the
// index comes from rule.index or ruleIndex, and failing those, by rule id.

import type { VulnerabilityEvidence } from './evidence.js';
import {
  describeJson,
  evidenceError,
  evidenceText,
  isCount,
  isRecord,
  parseJsonEvidence,
  type EvidenceSource,
} from './input.js';
import { FindingTally, type Severity } from './severity.js';

type JsonObject = Record<string, unknown>;

const EXPECTED = 'a SARIF 2.1.0 log (an object with "version": "2.1.0" and "runs")';

const LEVEL_SEVERITY: Record<string, Severity> = {
  error: 'high',
  warning: 'medium',
  note: 'low',
  none: 'unknown',
};

const NOT_FINDINGS = new Set(['pass', 'notApplicable', 'informational']);

export function parseSarif(content: string | Buffer, sourceName: string): VulnerabilityEvidence {
  const from: EvidenceSource = { format: 'sarif', source: sourceName };
  const log = parseJsonEvidence(evidenceText(content, from), from, EXPECTED);
  if (!isRecord(log) || (!('version' in log) && !('runs' in log))) {
    throw evidenceError(from, `expected ${EXPECTED}, found ${describeJson(log)}`);
  }
  if (log.version !== '2.1.0') {
    const version = log.version === undefined ? 'no "version"' : `version ${JSON.stringify(log.version)}`;
    throw evidenceError(
      from,
      `the log has ${version}; Gantry reads SARIF 2.1.0 — have the scanner write SARIF 2.1.0 (current releases of Trivy, CodeQL, Grype and Semgrep do)`,
    );
  }
  if (!Array.isArray(log.runs)) {
    throw evidenceError(from, `"runs" must be an array of runs, found ${describeJson(log.runs)}`);
  }

  const tally = new FindingTally();
  log.runs.forEach((run: unknown, r) => {
    if (!isRecord(run)) throw evidenceError(from, `runs[${r}] is not an object`);
    const tool = isRecord(run.tool) ? run.tool : undefined;
    const driver = tool && isRecord(tool.driver) ? tool.driver : undefined;
    if (!tool || !driver) {
      throw evidenceError(from, `runs[${r}] has no tool.driver; every SARIF run names its tool`);
    }
    const toolName = typeof driver.name === 'string' ? driver.name : `runs[${r}]`;

    if (Array.isArray(run.invocations)) {
      const failed = run.invocations.some(
        (invocation) => isRecord(invocation) && invocation.executionSuccessful === false,
      );
      if (failed) {
        throw evidenceError(
          from,
          `${toolName} reports that its run did not succeed (executionSuccessful: false), so its results are incomplete; fix the scan step and attach a new report`,
        );
      }
    }

    const results = run.results ?? [];
    if (!Array.isArray(results)) {
      throw evidenceError(from, `runs[${r}].results must be an array, found ${describeJson(results)}`);
    }
    const rules = new RuleIndex(tool, driver);
    results.forEach((result: unknown, i) => {
      const where = `runs[${r}].results[${i}]`;
      if (!isRecord(result)) throw evidenceError(from, `${where} is not an object`);
      if (!isFinding(result)) return;
      const rule = rules.find(result);
      const ruleId = ruleIdOf(result) ?? (typeof rule?.id === 'string' ? rule.id : undefined);
      const label = ruleId === undefined ? where : `${where} (${ruleId})`;
      const severity = severityOf(result, rule, label, from);
      tally.add(findingKey(result, ruleId, severity), severity);
    });
  });
  return tally.evidence('sarif', sourceName);
}

function isFinding(result: JsonObject): boolean {
  if (typeof result.kind === 'string' && NOT_FINDINGS.has(result.kind)) return false;
  if (result.baselineState === 'absent') return false;
  if (Array.isArray(result.suppressions)) {
    const accepted = result.suppressions.some(
      (suppression) =>
        isRecord(suppression) && (suppression.status === undefined || suppression.status === 'accepted'),
    );
    if (accepted) return false;
  }
  return true;
}

function severityOf(
  result: JsonObject,
  rule: JsonObject | undefined,
  label: string,
  from: EvidenceSource,
): Severity {
  const score = securitySeverity(result) ?? (rule ? securitySeverity(rule) : undefined);
  if (score !== undefined) {
    const value =
      typeof score === 'number'
        ? score
        : typeof score === 'string' && score.trim() !== ''
          ? Number(score)
          : NaN;
    if (!Number.isFinite(value) || value < 0 || value > 10) {
      throw evidenceError(
        from,
        `${label} has security-severity ${JSON.stringify(score)}, which is not a CVSS score from 0 to 10`,
      );
    }
    if (value >= 9) return 'critical';
    if (value >= 7) return 'high';
    if (value >= 4) return 'medium';
    if (value > 0) return 'low';
    return 'unknown';
  }

  const configuration = rule && isRecord(rule.defaultConfiguration) ? rule.defaultConfiguration : undefined;
  const level =
    result.level ??
    configuration?.level ??
    (result.kind === undefined || result.kind === 'fail' ? 'warning' : 'none');
  const severity = typeof level === 'string' ? LEVEL_SEVERITY[level] : undefined;
  if (severity === undefined) {
    throw evidenceError(
      from,
      `${label} has level ${JSON.stringify(level)}; SARIF levels are error, warning, note and none`,
    );
  }
  return severity;
}

function securitySeverity(holder: JsonObject): unknown {
  const properties = holder.properties;
  return isRecord(properties) ? properties['security-severity'] : undefined;
}

function ruleIdOf(result: JsonObject): string | undefined {
  if (typeof result.ruleId === 'string') return result.ruleId;
  if (isRecord(result.rule) && typeof result.rule.id === 'string') return result.rule.id;
  return undefined;
}

/** What makes two results the same finding. */
function findingKey(result: JsonObject, ruleId: string | undefined, severity: Severity): string {
  const location = Array.isArray(result.locations) ? primaryLocation(result.locations[0]) : null;
  const message = isRecord(result.message) ? (result.message.text ?? result.message.id ?? null) : null;
  return JSON.stringify([
    ruleId ?? null,
    severity,
    location,
    message,
    result.fingerprints ?? null,
    result.partialFingerprints ?? null,
  ]);
}

function primaryLocation(location: unknown): unknown {
  if (!isRecord(location) || !isRecord(location.physicalLocation)) return null;
  const physical = location.physicalLocation;
  const artifact = isRecord(physical.artifactLocation) ? physical.artifactLocation : {};
  const region = isRecord(physical.region) ? physical.region : {};
  return [
    artifact.uri ?? null,
    artifact.uriBaseId ?? null,
    region.startLine ?? null,
    region.startColumn ?? null,
    region.endLine ?? null,
    region.endColumn ?? null,
  ];
}

/** The rules of one run: the driver's and each extension's. */
class RuleIndex {
  private readonly driverRules: unknown[];
  private readonly extensionRules: unknown[][];
  private byId: Map<string, JsonObject> | undefined;

  constructor(tool: JsonObject, driver: JsonObject) {
    this.driverRules = Array.isArray(driver.rules) ? (driver.rules as unknown[]) : [];
    const extensions: unknown[] = Array.isArray(tool.extensions) ? tool.extensions : [];
    this.extensionRules = extensions.map((extension) =>
      isRecord(extension) && Array.isArray(extension.rules) ? (extension.rules as unknown[]) : [],
    );
  }

  find(result: JsonObject): JsonObject | undefined {
    const reference = isRecord(result.rule) ? result.rule : undefined;
    const index = isCount(reference?.index)
      ? reference.index
      : isCount(result.ruleIndex)
        ? result.ruleIndex
        : undefined;
    const component = reference && isRecord(reference.toolComponent) ? reference.toolComponent : undefined;
    const rules =
      component && isCount(component.index) ? (this.extensionRules[component.index] ?? []) : this.driverRules;
    const indexed = index === undefined ? undefined : rules[index];
    const id = ruleIdOf(result);
    if (isRecord(indexed) && (id === undefined || indexed.id === undefined || indexed.id === id)) {
      return indexed;
    }
    return id === undefined ? undefined : this.ruleById(id);
  }

  private ruleById(id: string): JsonObject | undefined {
    if (!this.byId) {
      this.byId = new Map();
      for (const rules of [this.driverRules, ...this.extensionRules]) {
        for (const rule of rules) {
          if (isRecord(rule) && typeof rule.id === 'string' && !this.byId.has(rule.id))
            this.byId.set(rule.id, rule);
        }
      }
    }
    return this.byId.get(id);
  }
}
