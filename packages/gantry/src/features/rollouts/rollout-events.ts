import type { ConsumerRegistry } from '../events/consumers/consumer-registry.js';
import type { NewEvent } from '../events/event.js';
import { stageKey } from '../promotions/promotion-engine.js';
import type { Rollout } from './rollouts.repository.js';

/** Event types the rollout runner writes to the outbox. */
export const RolloutEvents = {
  /** A durable timer: a rollout's pause ends; whichever Gantry handles it runs the rollout on. */
  due: 'rollout.due',
  /**
   * The runner moved a rollout on: a step, a weight, a status, or an analysis
   * message with a new measurement. Nothing in Gantry acts on it; it is
   * there for the dashboard's stream and for outside consumers.
   */
  progressed: 'rollout.progressed',
} as const;

export interface RolloutProgressed {
  promotionId: string;
  service: string;
  stage: string;
  status: string;
  /** 1-based, as the API shows it. */
  step: number;
  weight: number;
  message: string | null;
}

/** The event that announces a rollout's new state, keyed like its promotion's events. */
export function rolloutProgressed(
  rollout: Pick<Rollout, 'id' | 'service' | 'stage' | 'status' | 'stepIndex' | 'weight' | 'message'>,
  message = rollout.message,
): NewEvent<RolloutProgressed> {
  return {
    type: RolloutEvents.progressed,
    key: stageKey(rollout),
    payload: {
      promotionId: rollout.id,
      service: rollout.service,
      stage: rollout.stage,
      status: rollout.status,
      step: rollout.stepIndex + 1,
      weight: rollout.weight,
      message,
    },
  };
}

export interface RolloutDue {
  promotionId: string;
}

export const ROLLOUT_GROUP = 'rollout-runner';

/** Wakes the rollout runner when a pause's timer fires, once the handler's transaction committed. */
export function registerRolloutConsumers(
  registry: ConsumerRegistry,
  runner: { kick(promotionId: string): void },
): void {
  registry.register<RolloutDue>({
    group: ROLLOUT_GROUP,
    eventType: RolloutEvents.due,
    handle: (event, _tx, context) => {
      context.afterCommit(() => runner.kick(event.payload.promotionId));
      return Promise.resolve();
    },
  });
}
