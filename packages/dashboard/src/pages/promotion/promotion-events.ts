import type { StreamEvent } from '../../live/event-stream';

// When the promotion page reloads: on every streamed event about this
// promotion, and, while its rollout verifies, on a timer as a safety net.

/** While a rollout verifies, reload this often even if no event arrives. */
export const VERIFYING_POLL_MS = 5000;

/** Streamed events that change what the page of promotion `id` shows. */
export function concernsPromotion(event: StreamEvent, id: string): boolean {
  return (
    (event.type.startsWith('promotion.') || event.type === 'rollout.progressed') &&
    event.payload.promotionId === id
  );
}
