import type { Promotion } from '../../api/types';
import { isFinal } from '../../components/phase';

// Which actions a promotion offers in its current state, in the order the
// page shows them. The server decides in the end (and says why it refuses);
// this only keeps impossible buttons off the page.

export type PromotionAction =
  'approve' | 'reject' | 'resume' | 'promoteFull' | 'abort' | 'retry' | 'rollback';

/** Rollout statuses in which a person's hand comes too late (the server answers 409). */
const SETTLING = ['Promoting', 'RollingBack', 'Completed', 'RolledBack', 'Aborted'];

const RETRYABLE = ['Failed', 'Aborted', 'RolledBack', 'Rejected'];

export function promotionActions(promotion: Pick<Promotion, 'phase' | 'rollout'>): PromotionAction[] {
  const { phase, rollout } = promotion;
  if (phase === 'Succeeded') return ['rollback'];
  if (RETRYABLE.includes(phase)) return ['retry'];
  if (isFinal(phase)) return [];
  const actions: PromotionAction[] = [];
  if (phase === 'WaitingForApproval') actions.push('approve', 'reject');
  if (phase === 'Verifying' && rollout && !SETTLING.includes(rollout.status)) {
    // A rollout waits for a person (Paused) or for a timed pause to end: both can be resumed.
    if (rollout.status === 'Paused' || rollout.pausedUntil !== null) actions.push('resume');
    actions.push('promoteFull');
  }
  actions.push('abort');
  return actions;
}

type Subject = Pick<Promotion, 'service' | 'stage' | 'version' | 'phase' | 'rollout'>;

/** What happens when the action is confirmed, in one sentence (or two) for the confirmation. */
export function consequence(action: PromotionAction, promotion: Subject): string {
  const { service, stage, version, rollout } = promotion;
  switch (action) {
    case 'approve':
      return `${version} goes to ${stage}: your approval is recorded with your reason, and ${service} is applied there as soon as the stage has every approval it needs.`;
    case 'reject':
      return `${version} does not go to ${stage}: the promotion ends Rejected, with your reason.`;
    case 'resume': {
      const next = rollout ? rollout.steps[rollout.step] : undefined;
      return `The pause ends (or an inconclusive analysis counts as passed) and the rollout of ${version} in ${stage} goes on${
        next && rollout ? ` with step ${rollout.step + 1}: ${next}` : ' to its end'
      }.`;
    }
    case 'promoteFull': {
      const left = rollout ? Math.max(0, rollout.steps.length - rollout.step) : 0;
      return `${version} takes every request in ${stage} now${
        rollout ? ` (it takes ${rollout.weight} % now)` : ''
      }; ${left > 0 ? `the ${left} remaining step${left === 1 ? ' is' : 's are'} skipped, analyses included, and ` : ''}the old version drains.`;
    }
    case 'abort':
      return `The promotion of ${version} into ${stage} ends Aborted: ${
        rollout
          ? 'every request goes back to the stable version and the new replicas stop.'
          : promotion.phase === 'Applying'
            ? 'what was being applied is withdrawn.'
            : 'it stops waiting; nothing was applied.'
      }`;
    case 'retry':
      return `A new promotion of ${service} ${version} into ${stage} starts from the beginning (gates and approvals again); you are taken to it.`;
    case 'rollback':
      return `${stage} goes back from ${version} to the release of ${service} that ran there before it (if a later promotion replaced ${version}, from that one), through a new promotion marked as a rollback; you are taken to it.`;
  }
}
