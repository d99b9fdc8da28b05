import { describe, expect, it } from 'vitest';
import { ConflictError } from '../../shared/errors.js';
import {
  ACTIVE_PHASES,
  allowedTriggers,
  canTransition,
  describePhase,
  IllegalTransitionError,
  isPromotionPhase,
  isTerminal,
  nextPhase,
  PROMOTION_PHASES,
  PROMOTION_TRIGGER_TYPES,
  type PromotionPhase,
  type PromotionTrigger,
  TERMINAL_PHASES,
} from './promotion-state-machine.js';

/** Every trigger, with each variant of its payload. */
const ALL_TRIGGERS: PromotionTrigger[] = [
  { type: 'start' },
  { type: 'gatesPassed', approvalsRequired: true },
  { type: 'gatesPassed', approvalsRequired: false },
  { type: 'gatesBlocked' },
  { type: 'gatesFailed' },
  { type: 'approved', approvalsComplete: true },
  { type: 'approved', approvalsComplete: false },
  { type: 'rejected' },
  { type: 'applied' },
  { type: 'applyFailed' },
  { type: 'verified' },
  { type: 'verificationFailed', rolledBack: true },
  { type: 'verificationFailed', rolledBack: false },
  { type: 'aborted' },
  { type: 'freezeStarted' },
];

/** The complete transition table: every legal (phase, trigger) pair and where it leads. */
const LEGAL: Array<[PromotionPhase, PromotionTrigger, PromotionPhase]> = [
  ['Pending', { type: 'start' }, 'WaitingForGates'],
  ['Pending', { type: 'freezeStarted' }, 'Pending'],
  ['Pending', { type: 'aborted' }, 'Aborted'],

  ['WaitingForGates', { type: 'gatesPassed', approvalsRequired: true }, 'WaitingForApproval'],
  ['WaitingForGates', { type: 'gatesPassed', approvalsRequired: false }, 'Applying'],
  ['WaitingForGates', { type: 'gatesBlocked' }, 'WaitingForGates'],
  ['WaitingForGates', { type: 'gatesFailed' }, 'Failed'],
  ['WaitingForGates', { type: 'freezeStarted' }, 'WaitingForGates'],
  ['WaitingForGates', { type: 'aborted' }, 'Aborted'],

  ['WaitingForApproval', { type: 'approved', approvalsComplete: true }, 'Applying'],
  ['WaitingForApproval', { type: 'approved', approvalsComplete: false }, 'WaitingForApproval'],
  ['WaitingForApproval', { type: 'rejected' }, 'Rejected'],
  ['WaitingForApproval', { type: 'freezeStarted' }, 'WaitingForGates'],
  ['WaitingForApproval', { type: 'aborted' }, 'Aborted'],

  ['Applying', { type: 'applied' }, 'Verifying'],
  ['Applying', { type: 'applyFailed' }, 'Failed'],
  ['Applying', { type: 'aborted' }, 'Aborted'],

  ['Verifying', { type: 'verified' }, 'Succeeded'],
  ['Verifying', { type: 'verificationFailed', rolledBack: true }, 'RolledBack'],
  ['Verifying', { type: 'verificationFailed', rolledBack: false }, 'Failed'],
  ['Verifying', { type: 'aborted' }, 'Aborted'],
];

function key(phase: PromotionPhase, trigger: PromotionTrigger): string {
  return `${phase} ${JSON.stringify(trigger)}`;
}

const LEGAL_KEYS = new Set(LEGAL.map(([phase, trigger]) => key(phase, trigger)));

const ILLEGAL: Array<[PromotionPhase, PromotionTrigger]> = PROMOTION_PHASES.flatMap((phase) =>
  ALL_TRIGGERS.filter((trigger) => !LEGAL_KEYS.has(key(phase, trigger))).map(
    (trigger): [PromotionPhase, PromotionTrigger] => [phase, trigger],
  ),
);

describe('promotion phases', () => {
  it('splits every phase into exactly one of active or terminal', () => {
    expect([...ACTIVE_PHASES, ...TERMINAL_PHASES].sort()).toEqual([...PROMOTION_PHASES].sort());
    for (const phase of ACTIVE_PHASES) expect(isTerminal(phase)).toBe(false);
    for (const phase of TERMINAL_PHASES) expect(isTerminal(phase)).toBe(true);
  });

  it('recognises stored phase names', () => {
    expect(isPromotionPhase('WaitingForApproval')).toBe(true);
    expect(isPromotionPhase('waitingforapproval')).toBe(false);
    expect(isPromotionPhase('Done')).toBe(false);
  });

  it.each([
    ['Pending', 'queued'],
    ['WaitingForGates', 'waiting for gates'],
    ['WaitingForApproval', 'awaiting approval'],
    ['Applying', 'applying'],
    ['Verifying', 'verifying'],
    ['Succeeded', 'succeeded'],
    ['Failed', 'failed'],
    ['Rejected', 'rejected'],
    ['Aborted', 'aborted'],
    ['RolledBack', 'rolled back'],
  ] as const)('describes %s as "%s"', (phase, word) => {
    expect(describePhase(phase)).toBe(word);
  });
});

describe('nextPhase', () => {
  it.each(LEGAL)('%s + %o → %s', (phase, trigger, expected) => {
    expect(nextPhase(phase, trigger)).toBe(expected);
    expect(canTransition(phase, trigger.type)).toBe(true);
  });

  it.each(ILLEGAL)('%s refuses %o', (phase, trigger) => {
    expect(() => nextPhase(phase, trigger)).toThrow(IllegalTransitionError);
    expect(canTransition(phase, trigger.type)).toBe(false);
  });

  it('covers every phase and trigger pair in one of the two tables', () => {
    expect(LEGAL.length + ILLEGAL.length).toBe(PROMOTION_PHASES.length * ALL_TRIGGERS.length);
    expect(new Set(ALL_TRIGGERS.map((t) => t.type))).toEqual(new Set(PROMOTION_TRIGGER_TYPES));
  });

  it.each(TERMINAL_PHASES)('terminal phase %s accepts nothing', (phase) => {
    expect(allowedTriggers(phase)).toEqual([]);
    for (const trigger of ALL_TRIGGERS) {
      expect(() => nextPhase(phase, trigger)).toThrow(/\(finished\); it cannot /);
    }
  });

  it('lists what each active phase accepts', () => {
    expect(allowedTriggers('Pending')).toEqual(['start', 'aborted', 'freezeStarted']);
    expect(allowedTriggers('WaitingForGates')).toEqual([
      'gatesPassed',
      'gatesBlocked',
      'gatesFailed',
      'aborted',
      'freezeStarted',
    ]);
    expect(allowedTriggers('WaitingForApproval')).toEqual([
      'approved',
      'rejected',
      'aborted',
      'freezeStarted',
    ]);
    expect(allowedTriggers('Applying')).toEqual(['applied', 'applyFailed', 'aborted']);
    expect(allowedTriggers('Verifying')).toEqual(['verified', 'verificationFailed', 'aborted']);
  });

  it('walks the whole way with approvals', () => {
    let phase: PromotionPhase = 'Pending';
    const steps: PromotionTrigger[] = [
      { type: 'start' },
      { type: 'gatesBlocked' },
      { type: 'gatesPassed', approvalsRequired: true },
      { type: 'approved', approvalsComplete: false },
      { type: 'freezeStarted' },
      { type: 'gatesPassed', approvalsRequired: true },
      { type: 'approved', approvalsComplete: true },
      { type: 'applied' },
      { type: 'verified' },
    ];
    const visited = steps.map((trigger) => (phase = nextPhase(phase, trigger)));
    expect(visited).toEqual([
      'WaitingForGates',
      'WaitingForGates',
      'WaitingForApproval',
      'WaitingForApproval',
      'WaitingForGates',
      'WaitingForApproval',
      'Applying',
      'Verifying',
      'Succeeded',
    ]);
  });
});

describe('IllegalTransitionError', () => {
  it.each<[PromotionPhase, PromotionTrigger, string]>([
    ['Succeeded', { type: 'aborted' }, 'promotion is Succeeded (finished); it cannot be aborted'],
    [
      'Applying',
      { type: 'approved', approvalsComplete: true },
      'promotion is Applying; approve is only possible while WaitingForApproval',
    ],
    [
      'WaitingForApproval',
      { type: 'gatesFailed' },
      'promotion is WaitingForApproval; failing at gates is only possible while WaitingForGates',
    ],
    ['RolledBack', { type: 'start' }, 'promotion is RolledBack (finished); it cannot be started'],
    [
      'Rejected',
      { type: 'approved', approvalsComplete: true },
      'promotion is Rejected (finished); it cannot be approved',
    ],
    [
      'WaitingForGates',
      { type: 'start' },
      'promotion is WaitingForGates; start is only possible while Pending',
    ],
    [
      'WaitingForGates',
      { type: 'rejected' },
      'promotion is WaitingForGates; reject is only possible while WaitingForApproval',
    ],
    [
      'Pending',
      { type: 'gatesPassed', approvalsRequired: false },
      'promotion is Pending; passing gates is only possible while WaitingForGates',
    ],
    [
      'Verifying',
      { type: 'applied' },
      'promotion is Verifying; finishing the apply is only possible while Applying',
    ],
    [
      'Applying',
      { type: 'verificationFailed', rolledBack: true },
      'promotion is Applying; failing verification is only possible while Verifying',
    ],
    [
      'Verifying',
      { type: 'freezeStarted' },
      'promotion is Verifying; holding for a freeze is only possible while Pending, WaitingForGates or ' +
        'WaitingForApproval (a freeze does not interrupt a promotion that is already applying; abort it to stop it)',
    ],
    ['Failed', { type: 'freezeStarted' }, 'promotion is Failed (finished); it cannot be held by a freeze'],
  ])('%s + %o says: %s', (phase, trigger, message) => {
    expect(() => nextPhase(phase, trigger)).toThrow(message);
  });

  it('is a conflict with its own code and the facts attached', () => {
    let caught: unknown;
    try {
      nextPhase('Aborted', { type: 'applied' });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ConflictError);
    const error = caught as IllegalTransitionError;
    expect(error.status).toBe(409);
    expect(error.code).toBe('illegal_transition');
    expect(error.name).toBe('IllegalTransitionError');
    expect(error.phase).toBe('Aborted');
    expect(error.trigger).toBe('applied');
    expect(error.allowedFrom).toEqual(['Applying']);
    expect(error.details).toEqual({ phase: 'Aborted', trigger: 'applied', allowedFrom: ['Applying'] });
  });
});
