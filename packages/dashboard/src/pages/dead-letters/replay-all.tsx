import { api, idempotencyKey, unwrap } from '../../api/client';
import { ConfirmAction } from '../../components/confirm-action';
import { replayAllConsequence, replayedWords, type DeadLetterFilters } from './dead-letter-words';

/** "Replay all matching": every letter still dead in the current group and type filters (admins). */
export function ReplayAll({
  filters,
  shown,
  moreNotLoaded,
  onReplayed,
}: {
  filters: DeadLetterFilters;
  /** How many the list shows. */
  shown: number;
  moreNotLoaded: boolean;
  /** Called with the outcome in words. */
  onReplayed: (outcome: string) => void;
}) {
  return (
    <ConfirmAction
      label="Replay all matching"
      operation="replayDeadLetters"
      tone="plain"
      reason="none"
      consequence={replayAllConsequence(filters, shown, moreNotLoaded)}
      onConfirm={async () => {
        const result = await unwrap(
          api.POST('/api/v1/dead-letters/replay', {
            params: { header: { 'Idempotency-Key': idempotencyKey() } },
            body: {
              ...(filters.group ? { group: filters.group } : {}),
              ...(filters.type ? { type: filters.type } : {}),
            },
          }),
        );
        onReplayed(replayedWords(result.items));
      }}
    />
  );
}
