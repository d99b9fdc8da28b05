import type { ConsumerRegistry } from '../events/consumers/consumer-registry.js';

/** Event types the rollout runner writes to the outbox. */
export const RolloutEvents = {
  /** A durable timer: a rollout's pause ends; whichever Gantry handles it runs the rollout on. */
  due: 'rollout.due',
} as const;

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
