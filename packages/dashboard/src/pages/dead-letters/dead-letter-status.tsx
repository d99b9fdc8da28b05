import { ToneBadge } from '../shared-list/tone-badge';
import { STATUS_TONES, type DeadLetterStatus } from './dead-letter-words';

export function DeadLetterStatusBadge({ status }: { status: DeadLetterStatus }) {
  return <ToneBadge tone={STATUS_TONES[status]}>{status}</ToneBadge>;
}
