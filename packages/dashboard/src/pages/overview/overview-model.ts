import type { ServiceStatus, StageCell } from '../../api/types';
import { toneOf } from '../../components/phase';

// What the overview shows, worked out from GET /api/v1/status: the stage
// columns, which cells need someone's attention, the counts for the heading
// and the filters. Pure, so it is tested without rendering anything.

/** Why a stage needs a look: a promotion on its way, one that waits, one that failed, a freeze, a hold. */
export type Attention = 'failed' | 'blocked' | 'active' | 'frozen' | 'held';

const BLOCKED_PHASES = new Set(['WaitingForGates', 'WaitingForApproval']);

/** A promotion that waits for its gates or for an approval: its message says why. */
export function isBlocked(phase: string): boolean {
  return BLOCKED_PHASES.has(phase);
}

/** Everything about a stage that needs attention, the most urgent first. */
export function attentionOf(cell: StageCell): Attention[] {
  const found: Attention[] = [];
  const phase = cell.activePromotion?.phase;
  if (phase !== undefined) {
    if (toneOf(phase) === 'bad') found.push('failed');
    else if (isBlocked(phase)) found.push('blocked');
    else found.push('active');
  }
  if (cell.freeze) found.push('frozen');
  if (cell.autoHold) found.push('held');
  return found;
}

export function needsAttention(service: ServiceStatus): boolean {
  return service.stages.some((cell) => attentionOf(cell).length > 0);
}

/**
 * The stage columns: every stage of every service, in the order they are
 * first seen, keeping each pipeline's order. A stage not seen before goes
 * just before the first of its service's later stages already shown (so a
 * `staging` only some services have lands between `develop` and `prod`),
 * or at the end.
 */
export function stageColumns(items: readonly ServiceStatus[]): string[] {
  const columns: string[] = [];
  for (const service of items) {
    const names = service.stages.map((cell) => cell.stage);
    names.forEach((stage, index) => {
      if (columns.includes(stage)) return;
      const later = names.slice(index + 1).find((name) => columns.includes(name));
      const earlier = index > 0 ? columns.indexOf(names[index - 1]!) : -1;
      const at = later === undefined ? columns.length : Math.max(columns.indexOf(later), earlier + 1);
      columns.splice(at, 0, stage);
    });
  }
  return columns;
}

/** The teams that own the services, sorted, each once. */
export function teamsOf(items: readonly ServiceStatus[]): string[] {
  return [...new Set(items.map((item) => item.team))].sort((a, b) => a.localeCompare(b));
}

export interface OverviewFilter {
  /** Part of a service's or team's name, any case. */
  text: string;
  /** Only this team's services; empty for every team. */
  team: string;
  /** Only services with a stage that needs attention. */
  attention: boolean;
}

export const NO_FILTER: OverviewFilter = { text: '', team: '', attention: false };

export function isFiltered(filter: OverviewFilter): boolean {
  return filter.text.trim() !== '' || filter.team !== '' || filter.attention;
}

export function filterServices(items: readonly ServiceStatus[], filter: OverviewFilter): ServiceStatus[] {
  const text = filter.text.trim().toLowerCase();
  return items.filter(
    (item) =>
      (text === '' || item.service.toLowerCase().includes(text) || item.team.toLowerCase().includes(text)) &&
      (filter.team === '' || item.team === filter.team) &&
      (!filter.attention || needsAttention(item)),
  );
}

/** The filter as the URL's query string keeps it: ?q=…&team=…&attention=1. */
export function filterFromSearch(search: URLSearchParams): OverviewFilter {
  return {
    text: search.get('q') ?? '',
    team: search.get('team') ?? '',
    attention: search.get('attention') === '1',
  };
}

export function searchFromFilter(filter: OverviewFilter): URLSearchParams {
  const search = new URLSearchParams();
  if (filter.text) search.set('q', filter.text);
  if (filter.team) search.set('team', filter.team);
  if (filter.attention) search.set('attention', '1');
  return search;
}

export interface OverviewCounts {
  /** Promotions requested, applying or verifying. */
  inProgress: number;
  waitingForGates: number;
  waitingForApproval: number;
  failed: number;
  frozen: number;
  held: number;
}

export function countOverview(items: readonly ServiceStatus[]): OverviewCounts {
  const counts: OverviewCounts = {
    inProgress: 0,
    waitingForGates: 0,
    waitingForApproval: 0,
    failed: 0,
    frozen: 0,
    held: 0,
  };
  for (const service of items) {
    for (const cell of service.stages) {
      const phase = cell.activePromotion?.phase;
      if (phase === 'WaitingForGates') counts.waitingForGates += 1;
      else if (phase === 'WaitingForApproval') counts.waitingForApproval += 1;
      else if (phase !== undefined && toneOf(phase) === 'bad') counts.failed += 1;
      else if (phase !== undefined) counts.inProgress += 1;
      if (cell.freeze) counts.frozen += 1;
      if (cell.autoHold) counts.held += 1;
    }
  }
  return counts;
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

/** The heading's summary: "3 promotions in progress, 1 waiting for approval", or "nothing in progress". */
export function describeCounts(counts: OverviewCounts): string {
  const parts = [
    counts.inProgress > 0 && plural(counts.inProgress, 'promotion in progress', 'promotions in progress'),
    counts.waitingForGates > 0 && `${counts.waitingForGates} waiting for gates`,
    counts.waitingForApproval > 0 && `${counts.waitingForApproval} waiting for approval`,
    counts.failed > 0 && `${counts.failed} failed`,
    counts.frozen > 0 && plural(counts.frozen, 'stage frozen', 'stages frozen'),
    counts.held > 0 && `${counts.held} auto-promotion${counts.held === 1 ? '' : 's'} on hold`,
  ].filter((part): part is string => typeof part === 'string');
  return parts.length > 0 ? parts.join(', ') : 'nothing in progress';
}

/** A rollout's step, read from a promotion's message ("step 2 of 6: set weight 20% done"). */
export interface StepProgress {
  step: number;
  of: number;
  /** The message after "step n of m: ". */
  rest: string;
}

export function stepProgress(message: string | null): StepProgress | undefined {
  const match = message ? /^step (\d+) of (\d+)(?::\s*)?(.*)$/s.exec(message) : null;
  if (!match) return undefined;
  const step = Number(match[1]);
  const of = Number(match[2]);
  if (!(of > 0) || step > of) return undefined;
  return { step, of, rest: match[3] ?? '' };
}

/**
 * The new list with each service that did not change replaced by the object
 * shown before, so memoised rows re-render only where something changed.
 */
export function shareUnchanged(
  previous: readonly ServiceStatus[] | undefined,
  next: readonly ServiceStatus[],
): ServiceStatus[] {
  if (!previous) return [...next];
  const before = new Map(previous.map((item) => [item.service, item]));
  return next.map((item) => {
    const old = before.get(item.service);
    return old && JSON.stringify(old) === JSON.stringify(item) ? old : item;
  });
}
