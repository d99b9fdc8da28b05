import { isFinal } from '../../components/phase';
import type { ConnectionState, StreamEvent } from '../../live/event-stream';

// When the promotion page reloads: on every streamed event about this
// promotion, and on a timer as a safety net while its rollout verifies, or
// while it is unfinished and the stream is not there to say it changed.

export const POLL_MS = 5000;

/** How often to reload without events, or undefined for never. */
export function pollInterval(phase: string | undefined, connection: ConnectionState): number | undefined {
  if (phase === undefined || isFinal(phase)) return undefined;
  return phase === 'Verifying' || connection !== 'live' ? POLL_MS : undefined;
}

/** Streamed events that change what the page of promotion `id` shows. */
export function concernsPromotion(event: StreamEvent, id: string): boolean {
  return (
    (event.type.startsWith('promotion.') || event.type === 'rollout.progressed') &&
    event.payload.promotionId === id
  );
}
