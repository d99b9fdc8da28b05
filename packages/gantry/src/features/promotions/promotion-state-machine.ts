// The phases of a promotion (one release moving into one stage) and the only
// ways to move between them. The promotion engine persists the phase and feeds
// every outside fact (gates evaluated, an approval, the target's answer, the
// analysis verdict, an operator's abort) through `nextPhase`, so an impossible
// move is refused with a message instead of corrupting stored state.
//
//   Pending ──start──► WaitingForGates ◄── freezeStarted ───────┐
//   · freezeStarted:     · gatesBlocked, freezeStarted: stays   │
//     stays              ├── gatesFailed ──► Failed             │
//                        ├── gatesPassed {approvalsRequired} ─► WaitingForApproval
//                        │                                      · approved {not complete}: stays
//                        │                                      ├── rejected ──► Rejected
//                        │ gatesPassed {no approvals}           │ approved {approvalsComplete}
//                        ▼                                      │
//                     Applying ◄────────────────────────────────┘
//                        ├── applyFailed ──► Failed
//                        │ applied
//                        ▼
//                     Verifying
//                        ├── verificationFailed {rolledBack} ──────► RolledBack
//                        ├── verificationFailed {not rolled back} ─► Failed
//                        │ verified
//                        ▼
//                     Succeeded
//
//   aborted: every non-terminal phase ──► Aborted
//
// `gatesBlocked` means a gate is still undecided (evidence not attached yet, a
// soak still running, a freeze): the promotion keeps waiting. `gatesFailed`
// means a gate was decided against the release (failing tests, coverage below
// the minimum, a failed signature): it cannot pass here, so the promotion fails.
//
// Gates are evaluated before approvals, so approvals are never collected for a
// release that could not pass its gates. A freeze window that starts while a
// promotion waits for approval sends it back to WaitingForGates: the freeze is a
// gate, and approvals given so far stay on record for when it lifts. A freeze
// does not interrupt a promotion that is already Applying or Verifying; to stop
// one of those, abort it. Succeeded, Failed, Rejected, Aborted and RolledBack
// are terminal: they accept no trigger at all.

import { ConflictError } from '../../shared/errors.js';

export const PROMOTION_PHASES = [
  'Pending',
  'WaitingForGates',
  'WaitingForApproval',
  'Applying',
  'Verifying',
  'Succeeded',
  'Failed',
  'Rejected',
  'Aborted',
  'RolledBack',
] as const;

export type PromotionPhase = (typeof PROMOTION_PHASES)[number];

export const TERMINAL_PHASES = [
  'Succeeded',
  'Failed',
  'Rejected',
  'Aborted',
  'RolledBack',
] as const satisfies readonly PromotionPhase[];

export type TerminalPromotionPhase = (typeof TERMINAL_PHASES)[number];

export const ACTIVE_PHASES = [
  'Pending',
  'WaitingForGates',
  'WaitingForApproval',
  'Applying',
  'Verifying',
] as const satisfies readonly PromotionPhase[];

export type ActivePromotionPhase = (typeof ACTIVE_PHASES)[number];

export function isTerminal(phase: PromotionPhase): phase is TerminalPromotionPhase {
  return (TERMINAL_PHASES as readonly PromotionPhase[]).includes(phase);
}

export function isPromotionPhase(value: string): value is PromotionPhase {
  return (PROMOTION_PHASES as readonly string[]).includes(value);
}

export type PromotionTrigger =
  | { type: 'start' }
  | { type: 'gatesPassed'; approvalsRequired: boolean }
  | { type: 'gatesBlocked' }
  | { type: 'gatesFailed' }
  | { type: 'approved'; approvalsComplete: boolean }
  | { type: 'rejected' }
  | { type: 'applied' }
  | { type: 'applyFailed' }
  | { type: 'verified' }
  | { type: 'verificationFailed'; rolledBack: boolean }
  | { type: 'aborted' }
  | { type: 'freezeStarted' };

export type PromotionTriggerType = PromotionTrigger['type'];

export const PROMOTION_TRIGGER_TYPES = [
  'start',
  'gatesPassed',
  'gatesBlocked',
  'gatesFailed',
  'approved',
  'rejected',
  'applied',
  'applyFailed',
  'verified',
  'verificationFailed',
  'aborted',
  'freezeStarted',
] as const satisfies readonly PromotionTriggerType[];

/** The phases in which each trigger is accepted. Every other phase refuses it. */
export const ALLOWED_FROM: { readonly [T in PromotionTriggerType]: readonly ActivePromotionPhase[] } = {
  start: ['Pending'],
  gatesPassed: ['WaitingForGates'],
  gatesBlocked: ['WaitingForGates'],
  gatesFailed: ['WaitingForGates'],
  approved: ['WaitingForApproval'],
  rejected: ['WaitingForApproval'],
  applied: ['Applying'],
  applyFailed: ['Applying'],
  verified: ['Verifying'],
  verificationFailed: ['Verifying'],
  aborted: ACTIVE_PHASES,
  freezeStarted: ['Pending', 'WaitingForGates', 'WaitingForApproval'],
};

/** How each trigger reads in a refusal: as the subject of "… is only possible", and after "it cannot". */
const TRIGGER_WORDS: { readonly [T in PromotionTriggerType]: { action: string; cannot: string } } = {
  start: { action: 'start', cannot: 'be started' },
  gatesPassed: { action: 'passing gates', cannot: 'pass gates' },
  gatesBlocked: { action: 'waiting on gates', cannot: 'wait on gates' },
  gatesFailed: { action: 'failing at gates', cannot: 'fail at gates' },
  approved: { action: 'approve', cannot: 'be approved' },
  rejected: { action: 'reject', cannot: 'be rejected' },
  applied: { action: 'finishing the apply', cannot: 'finish an apply' },
  applyFailed: { action: 'failing the apply', cannot: 'fail to apply' },
  verified: { action: 'finishing verification', cannot: 'finish verification' },
  verificationFailed: { action: 'failing verification', cannot: 'fail verification' },
  aborted: { action: 'abort', cannot: 'be aborted' },
  freezeStarted: { action: 'holding for a freeze', cannot: 'be held by a freeze' },
};

/** A trigger arrived in a phase that does not accept it. Maps to HTTP 409. */
export class IllegalTransitionError extends ConflictError {
  override readonly code = 'illegal_transition';
  constructor(
    readonly phase: PromotionPhase,
    readonly trigger: PromotionTriggerType,
    readonly allowedFrom: readonly PromotionPhase[],
  ) {
    super(illegalTransitionMessage(phase, trigger, allowedFrom), { phase, trigger, allowedFrom });
  }
}

function illegalTransitionMessage(
  phase: PromotionPhase,
  trigger: PromotionTriggerType,
  allowedFrom: readonly PromotionPhase[],
): string {
  const words = TRIGGER_WORDS[trigger];
  if (isTerminal(phase)) return `promotion is ${phase} (finished); it cannot ${words.cannot}`;
  let message = `promotion is ${phase}; ${words.action} is only possible while ${joinOr(allowedFrom)}`;
  if (trigger === 'freezeStarted') {
    message += ' (a freeze does not interrupt a promotion that is already applying; abort it to stop it)';
  }
  return message;
}

function joinOr(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} or ${items[items.length - 1]}`;
}

/**
 * The phase a promotion moves to when `trigger` happens in `phase`.
 * Throws IllegalTransitionError when the phase does not accept the trigger.
 */
export function nextPhase(phase: PromotionPhase, trigger: PromotionTrigger): PromotionPhase {
  const allowedFrom: readonly PromotionPhase[] = ALLOWED_FROM[trigger.type];
  if (!allowedFrom.includes(phase)) throw new IllegalTransitionError(phase, trigger.type, allowedFrom);
  switch (trigger.type) {
    case 'start':
      return 'WaitingForGates';
    case 'gatesPassed':
      return trigger.approvalsRequired ? 'WaitingForApproval' : 'Applying';
    case 'gatesBlocked':
      return 'WaitingForGates';
    case 'gatesFailed':
      return 'Failed';
    case 'approved':
      return trigger.approvalsComplete ? 'Applying' : 'WaitingForApproval';
    case 'rejected':
      return 'Rejected';
    case 'applied':
      return 'Verifying';
    case 'applyFailed':
      return 'Failed';
    case 'verified':
      return 'Succeeded';
    case 'verificationFailed':
      return trigger.rolledBack ? 'RolledBack' : 'Failed';
    case 'aborted':
      return 'Aborted';
    case 'freezeStarted':
      // Not yet started, or still at the gates: stays where it is. Waiting for
      // approval: back to the gates, which now include the freeze.
      return phase === 'WaitingForApproval' ? 'WaitingForGates' : phase;
    default: {
      const _exhaustive: never = trigger;
      throw new Error(`unknown promotion trigger ${JSON.stringify(_exhaustive)}`);
    }
  }
}

/** Whether `phase` accepts `trigger` (without computing where it leads). */
export function canTransition(phase: PromotionPhase, trigger: PromotionTriggerType): boolean {
  return (ALLOWED_FROM[trigger] as readonly PromotionPhase[]).includes(phase);
}

/** The triggers a promotion in `phase` accepts; empty for terminal phases. */
export function allowedTriggers(phase: PromotionPhase): PromotionTriggerType[] {
  return PROMOTION_TRIGGER_TYPES.filter((trigger) => canTransition(phase, trigger));
}

/** A short human word for the phase, for the dashboard and the CLI. */
export function describePhase(phase: PromotionPhase): string {
  switch (phase) {
    case 'Pending':
      return 'queued';
    case 'WaitingForGates':
      return 'waiting for gates';
    case 'WaitingForApproval':
      return 'awaiting approval';
    case 'Applying':
      return 'applying';
    case 'Verifying':
      return 'verifying';
    case 'Succeeded':
      return 'succeeded';
    case 'Failed':
      return 'failed';
    case 'Rejected':
      return 'rejected';
    case 'Aborted':
      return 'aborted';
    case 'RolledBack':
      return 'rolled back';
    default: {
      const _exhaustive: never = phase;
      throw new Error(`unknown promotion phase ${String(_exhaustive)}`);
    }
  }
}
