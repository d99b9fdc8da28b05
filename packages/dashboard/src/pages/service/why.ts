import type { StageCell, Why } from '../../api/types';
import { isFinal, type Tone } from '../../components/phase';

// A release's gates for one stage (GET …/why, the same answer as `gantry why`)
// in the words and tones the service page shows, and which promote action
// fits: none while it runs or moves there, a plain one when nothing blocks,
// one through the freeze when only a freeze window blocks.

export type WhyItem = Why['items'][number];

export const VERDICT_WORDS: Record<Why['verdict'], string> = {
  pass: 'pass: nothing stands in the way',
  pending: 'pending: waiting for the checks below',
  blocked: 'blocked',
};

const TONES: Record<Why['verdict'] | WhyItem['state'], Tone> = {
  pass: 'ok',
  passed: 'ok',
  pending: 'waiting',
  blocked: 'bad',
};

export function verdictTone(verdict: Why['verdict'] | WhyItem['state']): Tone {
  return TONES[verdict];
}

export type PromoteOffer =
  /** This release is what runs in the stage. */
  | { kind: 'runs-here' }
  /** A promotion of this release into the stage is on its way. */
  | { kind: 'on-its-way'; promotionId: string }
  /** Another promotion is active in the stage: one at a time. */
  | { kind: 'stage-busy'; promotionId: string; version: string }
  /** Nothing blocks (approvals may still be needed once it is requested). */
  | { kind: 'promote' }
  /** Only a freeze window blocks: an approver may go through it, with a reason. */
  | { kind: 'through-freeze'; freeze: WhyItem }
  /** A gate blocks: its reason says what to do. */
  | { kind: 'blocked' };

export function promoteOffer(why: Why, cell: StageCell | undefined): PromoteOffer {
  if (why.promotionId && why.phase && !isFinal(why.phase)) {
    return { kind: 'on-its-way', promotionId: why.promotionId };
  }
  if (cell?.currentVersion === why.version && !cell.activePromotion) return { kind: 'runs-here' };
  if (cell?.activePromotion) {
    return {
      kind: 'stage-busy',
      promotionId: cell.activePromotion.id,
      version: cell.activePromotion.version,
    };
  }
  const blocking = why.items.filter((item) => item.state === 'blocked');
  if (blocking.length === 0) return { kind: 'promote' };
  if (blocking.every((item) => item.kind === 'freeze'))
    return { kind: 'through-freeze', freeze: blocking[0]! };
  return { kind: 'blocked' };
}

/** True when both are dotted numbers (CalVer 2026.11.3) and `a` comes before `b`. */
export function isOlder(a: string, b: string): boolean {
  const numeric = /^\d+(\.\d+)*$/;
  if (!numeric.test(a) || !numeric.test(b)) return false;
  const left = a.split('.').map(Number);
  const right = b.split('.').map(Number);
  for (let i = 0; i < Math.max(left.length, right.length); i++) {
    const difference = (left[i] ?? 0) - (right[i] ?? 0);
    if (difference !== 0) return difference < 0;
  }
  return false;
}

/** What promoting does, in one sentence for the confirmation (saying so when it goes back to an older release). */
export function promoteConsequence(why: Why, cell: StageCell | undefined): string {
  const current = cell?.currentVersion;
  const replacing = current
    ? `, replacing ${isOlder(why.version, current) ? 'the newer ' : ''}${current}`
    : '';
  const waiting = why.items.filter((item) => item.state === 'pending').map((item) => item.reason);
  const then = waiting.length > 0 ? ` It then waits for: ${waiting.join('; ')}.` : '';
  return `${why.service} ${why.version} goes into ${why.stage}${replacing}.${then}`;
}
