import { SetMetadata } from '@nestjs/common';

export const ON_EVENT_METADATA = Symbol('gantry:on-event');

export interface OnEventMetadata {
  eventType: string;
  group: string;
}

/**
 * Declares a Nest provider method as the handler of `eventType` for consumer
 * group `group`. The method receives `(event: DeliveredEvent, tx: Tx)` and runs
 * in the transaction that records the event as processed for the group.
 *
 *   @OnEvent('release.registered', { group: 'promotion-engine' })
 *   async onReleaseRegistered(event: DeliveredEvent<ReleaseRegistered>, tx: Tx) { … }
 */
export function OnEvent(eventType: string, options: { group: string }): MethodDecorator {
  return SetMetadata<symbol, OnEventMetadata>(ON_EVENT_METADATA, { eventType, group: options.group });
}
