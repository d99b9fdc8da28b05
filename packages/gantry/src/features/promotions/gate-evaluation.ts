// Gates, approvals and freeze windows, evaluated into checks that always say
// why. A check is `passed`, `pending` (not yet decided: evidence not attached,
// soak time not over, approvals missing) or `blocked` (decided against: the
// evidence is there and fails, a rejection, an active freeze). Missing evidence
// is never a block, because CI may still attach it.
//
// Everything here is pure: the caller loads the stage's rules and the
// release's evidence, maps them into these shapes and passes `now`.

import { formatDuration } from '../../shared/duration.js';

// ── Inputs ──────────────────────────────────────────────────────────────────

export const VULNERABILITY_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;
export type VulnerabilitySeverity = (typeof VULNERABILITY_SEVERITIES)[number];

/** The gates a stage declares. An absent key is no gate. */
export interface GateRules {
  tests?: 'passed';
  coverage?: { min: number };
  /** Highest number of findings allowed per severity. */
  vulnerabilities?: Partial<Record<VulnerabilitySeverity, number>>;
  signature?: 'required';
  migrationCheck?: 'passed';
  /** How long the release must have run as current in every upstream stage. */
  soakMs?: number;
  upstream?: 'succeeded';
}

export interface ApprovalRule {
  /** Distinct approvers needed. */
  required: number;
  /** When set, neither the release's creator nor the promotion's requester can approve it. */
  fourEyes: boolean;
}

export interface TestEvidence {
  total: number;
  passed: number;
  failures: number;
  errors: number;
  skipped: number;
  source: string;
  attachedAt: Date;
}

export interface CoverageEvidence {
  linePct: number;
  source: string;
  attachedAt: Date;
}

export interface VulnerabilityEvidence {
  critical: number;
  high: number;
  medium: number;
  low: number;
  unknown: number;
  source: string;
  attachedAt: Date;
}

export interface SignatureEvidence {
  verified: boolean;
  algorithm: string;
  attachedAt: Date;
  reason?: string;
}

export interface MigrationCheckEvidence {
  result: 'passed' | 'failed';
  attachedAt: Date;
}

/** What CI attached to the release so far. An absent key is evidence not attached yet. */
export interface EvidenceSummary {
  tests?: TestEvidence;
  coverage?: CoverageEvidence;
  vulnerabilities?: VulnerabilityEvidence;
  signature?: SignatureEvidence;
  migrationCheck?: MigrationCheckEvidence;
}

/** This release in one stage upstream of the stage it is being promoted into. */
export interface UpstreamState {
  stage: string;
  /** When this release's promotion into that upstream stage succeeded. */
  succeededAt?: Date;
  /** Whether it is still that stage's current (healthy) release. */
  stillCurrent: boolean;
}

export interface FreezeWindow {
  start: Date;
  end: Date;
  cron: string;
  timeZone: string;
  reason?: string;
}

export interface FreezeState {
  /** The freeze window covering `now`, if any. */
  active?: FreezeWindow;
  override?: { actor: string; reason: string };
}

export interface Approval {
  actor: string;
  at: Date;
  comment?: string;
}

export interface Rejection {
  actor: string;
  at: Date;
  reason: string;
}

export interface ApprovalState {
  approvals: Approval[];
  rejection?: Rejection;
  releaseCreatedBy: string;
  promotionRequestedBy: string;
}

// ── Output ──────────────────────────────────────────────────────────────────

export type CheckState = 'passed' | 'pending' | 'blocked';
export type GateVerdict = 'pass' | 'pending' | 'blocked';

export interface GateCheck {
  kind: 'gate' | 'approval' | 'freeze';
  /** The rule's name: tests, coverage, vulnerabilities, signature, migrationCheck, upstream, soak, approvals, freeze. */
  name: string;
  state: CheckState;
  reason: string;
  /** The upstream stage an `upstream` or `soak` check is about. */
  stage?: string;
}

export interface GateReport {
  verdict: GateVerdict;
  items: GateCheck[];
}

// ── Formatting ──────────────────────────────────────────────────────────────

/** A timestamp for a reason: ISO 8601 in UTC to the minute, e.g. `2026-11-20T10:02Z`. */
export function formatTimestamp(date: Date): string {
  if (Number.isNaN(date.getTime())) return 'an unknown time';
  return `${date.toISOString().slice(0, 16)}Z`;
}

/** A check as one line: `pending: no coverage report attached yet`; a passed check is its reason alone. */
export function formatGateCheck(check: GateCheck): string {
  return check.state === 'passed' ? check.reason : `${check.state}: ${check.reason}`;
}

/** Blocked if anything blocks, else pending if anything is undecided, else pass. */
export function verdictOf(items: readonly GateCheck[]): GateVerdict {
  if (items.some((item) => item.state === 'blocked')) return 'blocked';
  if (items.some((item) => item.state === 'pending')) return 'pending';
  return 'pass';
}

function formatNumber(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(4)));
}

/**
 * A percentage with one decimal, or more when one decimal would round it onto
 * the other side of `threshold` (79.96 against 80 reads 79.96%, not 80.0%).
 */
function formatPercent(value: number, threshold: number): string {
  for (let digits = 1; digits < 4; digits++) {
    const text = value.toFixed(digits);
    if (Number(text) >= threshold === value >= threshold) return `${text}%`;
  }
  return `${value.toFixed(4)}%`;
}

/**
 * A duration rounded to whole seconds, for elapsed, remaining and window times.
 * Whole days read as days (7d); anything else longer than an hour reads in hours
 * (64h, 36h30m), which is how people talk about freeze windows and soak times.
 */
export function formatSpan(millis: number): string {
  const seconds = Math.max(0, Math.round(millis / 1000));
  if (seconds === 0) return '0s';
  const rounded = seconds * 1000;
  const hour = 3_600_000;
  if (rounded < hour || rounded % (24 * hour) === 0) return formatDuration(rounded);
  const hours = Math.floor(rounded / hour);
  const rest = rounded - hours * hour;
  return rest === 0 ? `${hours}h` : `${hours}h${formatDuration(rest)}`;
}

function attached(source: string, at: Date): string {
  return `${source} attached ${formatTimestamp(at)}`;
}

function plural(count: number, word: string): string {
  return `${count} ${word}${count === 1 ? '' : 's'}`;
}

function gate(name: string, state: CheckState, reason: string, stage?: string): GateCheck {
  return stage === undefined
    ? { kind: 'gate', name, state, reason }
    : { kind: 'gate', name, state, reason, stage };
}

// ── Gates ───────────────────────────────────────────────────────────────────

export interface GateInput {
  rules: GateRules;
  evidence: EvidenceSummary;
  /** The release in each stage upstream of the target stage; empty for a pipeline's first stage. */
  upstream: UpstreamState[];
  now: Date;
}

/** One check per declared gate (per upstream stage for `upstream` and `soak`), in a fixed order. */
export function evaluateGates({ rules, evidence, upstream, now }: GateInput): GateCheck[] {
  const checks: GateCheck[] = [];
  if (rules.tests !== undefined) checks.push(testsGate(evidence.tests));
  if (rules.coverage !== undefined) checks.push(coverageGate(rules.coverage.min, evidence.coverage));
  if (rules.vulnerabilities !== undefined) {
    checks.push(vulnerabilitiesGate(rules.vulnerabilities, evidence.vulnerabilities));
  }
  if (rules.signature !== undefined) checks.push(signatureGate(evidence.signature));
  if (rules.migrationCheck !== undefined) checks.push(migrationCheckGate(evidence.migrationCheck));
  if (rules.upstream !== undefined) checks.push(...upstreamGates(upstream));
  if (rules.soakMs !== undefined) checks.push(...soakGates(rules.soakMs, upstream, now));
  return checks;
}

function testsGate(tests: TestEvidence | undefined): GateCheck {
  if (!tests) return gate('tests', 'pending', 'no test report attached yet');
  const broken = tests.failures + tests.errors;
  if (broken > 0) {
    const parts: string[] = [];
    if (tests.failures > 0) parts.push(`${tests.failures} failed`);
    if (tests.errors > 0) parts.push(`${tests.errors} errored`);
    return gate(
      'tests',
      'blocked',
      `${parts.join(', ')} of ${plural(tests.total, 'test')} (${attached(tests.source, tests.attachedAt)})`,
    );
  }
  if (tests.total === 0) {
    return gate('tests', 'blocked', `no tests ran (${attached(tests.source, tests.attachedAt)})`);
  }
  if (tests.skipped >= tests.total) {
    return gate(
      'tests',
      'blocked',
      `no tests ran: all ${plural(tests.total, 'test')} skipped (${attached(tests.source, tests.attachedAt)})`,
    );
  }
  const skipped = tests.skipped > 0 ? `, ${tests.skipped} skipped` : '';
  return gate(
    'tests',
    'passed',
    `${tests.passed} passed${skipped} of ${plural(tests.total, 'test')} (${tests.source})`,
  );
}

function coverageGate(min: number, coverage: CoverageEvidence | undefined): GateCheck {
  if (!coverage) return gate('coverage', 'pending', 'no coverage report attached yet');
  const pct = formatPercent(coverage.linePct, min);
  if (coverage.linePct < min) {
    return gate(
      'coverage',
      'blocked',
      `coverage ${pct} < ${formatNumber(min)}% (${attached(coverage.source, coverage.attachedAt)})`,
    );
  }
  return gate('coverage', 'passed', `coverage ${pct} ≥ ${formatNumber(min)}% (${coverage.source})`);
}

function vulnerabilitiesGate(
  limits: Partial<Record<VulnerabilitySeverity, number>>,
  found: VulnerabilityEvidence | undefined,
): GateCheck {
  if (!found) return gate('vulnerabilities', 'pending', 'no vulnerability scan attached yet');
  const compared = VULNERABILITY_SEVERITIES.flatMap((severity) => {
    const limit = limits[severity];
    return limit === undefined ? [] : [{ severity, count: found[severity], limit }];
  });
  if (compared.length === 0) {
    return gate('vulnerabilities', 'passed', `scan attached, no severity limits set (${found.source})`);
  }
  const exceeded = compared.filter(({ count, limit }) => count > limit);
  if (exceeded.length > 0) {
    const list = exceeded.map(
      ({ severity, count, limit }) => `${severity} ${count} > ${formatNumber(limit)}`,
    );
    return gate(
      'vulnerabilities',
      'blocked',
      `${list.join(', ')} (${attached(found.source, found.attachedAt)})`,
    );
  }
  const list = compared.map(({ severity, count, limit }) => `${severity} ${count} ≤ ${formatNumber(limit)}`);
  return gate('vulnerabilities', 'passed', `${list.join(', ')} (${found.source})`);
}

function signatureGate(signature: SignatureEvidence | undefined): GateCheck {
  if (!signature) return gate('signature', 'pending', 'no signature attached yet');
  if (!signature.verified) {
    const why = signature.reason ? `: ${signature.reason}` : '';
    return gate(
      'signature',
      'blocked',
      `signature (${signature.algorithm}) did not verify${why} (attached ${formatTimestamp(signature.attachedAt)})`,
    );
  }
  return gate('signature', 'passed', `signature verified (${signature.algorithm})`);
}

function migrationCheckGate(check: MigrationCheckEvidence | undefined): GateCheck {
  if (!check) return gate('migrationCheck', 'pending', 'no migration check attached yet');
  switch (check.result) {
    case 'failed':
      return gate(
        'migrationCheck',
        'blocked',
        `migration check failed (attached ${formatTimestamp(check.attachedAt)})`,
      );
    case 'passed':
      return gate('migrationCheck', 'passed', 'migration check passed');
    default: {
      const _exhaustive: never = check.result;
      throw new Error(`unknown migration check result ${String(_exhaustive)}`);
    }
  }
}

function upstreamGates(upstream: readonly UpstreamState[]): GateCheck[] {
  if (upstream.length === 0) return [gate('upstream', 'passed', 'no upstream stage')];
  return upstream.map(({ stage, succeededAt }) =>
    succeededAt
      ? gate('upstream', 'passed', `promoted to ${stage} ${formatTimestamp(succeededAt)}`, stage)
      : gate('upstream', 'pending', `not yet promoted to ${stage}`, stage),
  );
}

function soakGates(soakMs: number, upstream: readonly UpstreamState[], now: Date): GateCheck[] {
  if (upstream.length === 0) return [gate('soak', 'passed', 'no upstream stage to soak in')];
  const needed = formatSpan(soakMs);
  return upstream.map(({ stage, succeededAt, stillCurrent }) => {
    if (!succeededAt)
      return gate(
        'soak',
        'pending',
        `not yet promoted to ${stage}; the ${needed} soak starts when it is`,
        stage,
      );
    if (!stillCurrent) return gate('soak', 'blocked', `${stage} now runs another release`, stage);
    const elapsed = Math.max(0, now.getTime() - succeededAt.getTime());
    if (elapsed >= soakMs) {
      return gate('soak', 'passed', `soaked in ${stage} for ${formatSpan(elapsed)} (≥ ${needed})`, stage);
    }
    // Whole seconds, with the remainder rounded up, so "to go" never reads 0s while pending.
    const remaining = Math.ceil((soakMs - elapsed) / 1000) * 1000;
    return gate(
      'soak',
      'pending',
      `soaking in ${stage}: ${formatSpan(soakMs - remaining)} of ${needed}, ${formatSpan(remaining)} to go`,
      stage,
    );
  });
}

// ── Approvals ───────────────────────────────────────────────────────────────

/** Actors compare case-insensitively, so four eyes cannot be sidestepped by spelling a name differently. */
function sameActor(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

/** Whether `actor` may approve under `rule`, and if not, why (for the reason text). */
function fourEyesConflict(rule: ApprovalRule, state: ApprovalState, actor: string): string | undefined {
  if (!rule.fourEyes) return undefined;
  const roles: string[] = [];
  if (sameActor(actor, state.releaseCreatedBy)) roles.push('created this release');
  if (sameActor(actor, state.promotionRequestedBy)) roles.push('requested this promotion');
  return roles.length === 0 ? undefined : `${actor} ${roles.join(' and ')}`;
}

/** The approvals check: blocked by a rejection, passed once enough distinct eligible people approved. */
export function evaluateApprovals(rule: ApprovalRule, state: ApprovalState): GateCheck {
  const check = (checkState: CheckState, reason: string): GateCheck => ({
    kind: 'approval',
    name: 'approvals',
    state: checkState,
    reason,
  });
  if (state.rejection) {
    const { actor, at, reason } = state.rejection;
    return check('blocked', `rejected by ${actor} at ${formatTimestamp(at)}: ${reason}`);
  }
  if (rule.required <= 0) return check('passed', 'no approvals required');

  const seen: string[] = [];
  const counted: string[] = [];
  const notCounted: string[] = [];
  for (const { actor } of state.approvals) {
    // The same person approving twice is one approval.
    if (seen.some((other) => sameActor(other, actor))) continue;
    seen.push(actor);
    const conflict = fourEyesConflict(rule, state, actor);
    if (conflict) notCounted.push(`${actor}'s approval does not count: ${conflict} (four eyes)`);
    else counted.push(actor);
  }
  const who = counted.length > 0 ? ` (${counted.join(', ')})` : '';
  const tally =
    counted.length <= rule.required
      ? `${counted.length} of ${plural(rule.required, 'approval')}${who}`
      : `${plural(counted.length, 'approval')}, ${rule.required} required${who}`;
  return check(counted.length >= rule.required ? 'passed' : 'pending', [tally, ...notCounted].join('; '));
}

// ── Freeze ──────────────────────────────────────────────────────────────────

/** The freeze check: blocked while a freeze window is active, unless someone overrode it. */
export function evaluateFreeze(state: FreezeState): GateCheck {
  const check = (checkState: CheckState, reason: string): GateCheck => ({
    kind: 'freeze',
    name: 'freeze',
    state: checkState,
    reason,
  });
  const window = state.active;
  if (!window) return check('passed', 'no freeze window active');
  if (state.override) {
    return check('passed', `freeze overridden by ${state.override.actor}: ${state.override.reason}`);
  }
  const length = formatSpan(window.end.getTime() - window.start.getTime());
  const why = window.reason ? `: ${window.reason}` : '';
  return check(
    'blocked',
    `frozen until ${formatTimestamp(window.end)} (cron ${window.cron}, ${window.timeZone}, ${length})${why}`,
  );
}

// ── Together ────────────────────────────────────────────────────────────────

export interface PromotionExplanationInput extends GateInput {
  /** The stage's approval rule and what approvers did so far; omit when the stage needs no approvals. */
  approval?: { rule: ApprovalRule; state: ApprovalState };
  /** The stage's freeze state; omit when the stage has no freeze windows. */
  freeze?: FreezeState;
}

/** Every gate, the approvals and the freeze as one report with a verdict. */
export function explainPromotion(input: PromotionExplanationInput): GateReport {
  const items = evaluateGates(input);
  if (input.approval) items.push(evaluateApprovals(input.approval.rule, input.approval.state));
  if (input.freeze) items.push(evaluateFreeze(input.freeze));
  return { verdict: verdictOf(items), items };
}
