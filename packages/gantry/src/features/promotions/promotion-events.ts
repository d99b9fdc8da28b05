import type { PromotionPhase } from './promotion-state-machine.js';

/** Event types the promotion engine writes to the outbox. */
export const PromotionEvents = {
  requested: 'promotion.requested',
  phaseChanged: 'promotion.phase-changed',
  decisionRecorded: 'promotion.decision-recorded',
  /** A durable timer: look at the promotion again (a soak ended, a freeze lifted). */
  recheck: 'promotion.recheck',
} as const;

export interface PromotionRequested {
  promotionId: string;
  service: string;
  stage: string;
  releaseId: string;
  version: string;
  trigger: 'manual' | 'auto' | 'rollback';
  requestedBy: string;
}

export interface PromotionPhaseChanged {
  promotionId: string;
  service: string;
  stage: string;
  releaseId: string;
  version: string;
  trigger: 'manual' | 'auto' | 'rollback';
  from: PromotionPhase;
  to: PromotionPhase;
  actor: string;
  reason: string;
  at: string;
}

export interface PromotionRecheck {
  promotionId: string;
}
