import type { StreamEvent } from '../../live/event-stream';

// Which streamed events are about one service: promotion and rollout events
// are keyed `<service>/<stage>` (a decision's payload does not name the
// service), release events name it in their payload.

export function isAboutService(event: StreamEvent, service: string): boolean {
  return event.payload.service === service || event.key.startsWith(`${service}/`);
}

/** A promotion of the service moved, or its rollout did. */
export function movesPromotion(event: StreamEvent, service: string): boolean {
  return (
    (event.type.startsWith('promotion.') || event.type === 'rollout.progressed') &&
    isAboutService(event, service)
  );
}
