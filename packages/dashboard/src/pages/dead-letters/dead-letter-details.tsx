import { useState } from 'react';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { DeadLetter } from '../../api/types';
import { ConfirmAction } from '../../components/confirm-action';
import { Loaded } from '../../components/status';
import { Ago } from '../../components/time';
import { useResource } from '../../data/use-resource';
import { KeyValueTable } from '../shared-list/key-value-table';
import { ListDetail } from '../shared-list/list-detail';
import { Moment } from '../shared-list/moment';
import { DeadLetterStatusBadge } from './dead-letter-status';
import { POLL_MS } from './poll';

/** The selected dead letter: its payload, headers and last error in full, and Replay (admins). */
export function DeadLetterDetails({
  id,
  closeHref,
  onChanged,
}: {
  id: string;
  closeHref: string;
  /** Called after a replay, so the list shows the new state too. */
  onChanged: () => void;
}) {
  const letter = useResource(
    (signal) => unwrap(api.GET('/api/v1/dead-letters/{id}', { params: { path: { id } }, signal })),
    [id],
    { pollMs: POLL_MS },
  );
  return (
    <ListDetail selected={id} label="Dead letter" closeHref={closeHref} closeLabel="← All dead letters">
      <Loaded resource={letter}>
        {(data) => (
          <DeadLetterFacts
            letter={data}
            onReplayed={() => {
              letter.reload();
              onChanged();
            }}
          />
        )}
      </Loaded>
    </ListDetail>
  );
}

function DeadLetterFacts({ letter, onReplayed }: { letter: DeadLetter; onReplayed: () => void }) {
  const [outcome, setOutcome] = useState<string | undefined>();
  return (
    <>
      <h2>
        <code>{letter.type}</code> <DeadLetterStatusBadge status={letter.status} />
      </h2>
      {letter.status !== 'resolved' && (
        <div className="actions">
          <ConfirmAction
            label="Replay"
            operation="replayDeadLetter"
            tone="primary"
            reason="none"
            consequence={
              `The event goes back to consumer group ${letter.consumerGroup}, which handles it again.` +
              (letter.status === 'replaying'
                ? ' It is being replayed already: this queues it once more.'
                : '')
            }
            onConfirm={async () => {
              const result = await unwrap(
                api.POST('/api/v1/dead-letters/{id}/replay', {
                  params: { path: { id: letter.id }, header: { 'Idempotency-Key': idempotencyKey() } },
                }),
              );
              setOutcome(
                result.queued
                  ? `Queued: consumer group ${letter.consumerGroup} handles the event again.`
                  : 'Nothing queued: the event had already been handled.',
              );
            }}
            onDone={onReplayed}
          />
        </div>
      )}
      {outcome && (
        <p role="status" className="notice">
          {outcome}
        </p>
      )}
      <dl className="detail-fields">
        <dt>Consumer group</dt>
        <dd>
          <code>{letter.consumerGroup}</code>
        </dd>
        <dt>Attempts</dt>
        <dd>{letter.attempts}</dd>
        <dt>Replays</dt>
        <dd>
          {letter.replayCount === 0 ? (
            <span className="muted">none</span>
          ) : (
            <>
              {letter.replayCount}
              {letter.lastReplayedAt && (
                <>
                  , last <Ago at={letter.lastReplayedAt} />
                </>
              )}
            </>
          )}
        </dd>
        <dt>Dead since</dt>
        <dd>
          <Moment at={letter.deadAt} />
        </dd>
        <dt>First failed</dt>
        <dd>
          <Moment at={letter.firstFailedAt} />
        </dd>
        <dt>Event occurred</dt>
        <dd>
          <Moment at={letter.occurredAt} />
        </dd>
        {letter.resolvedAt && (
          <>
            <dt>Resolved</dt>
            <dd>
              <Moment at={letter.resolvedAt} />
            </dd>
          </>
        )}
        <dt>Event key</dt>
        <dd>
          <code>{letter.key}</code>
        </dd>
        <dt>Event id</dt>
        <dd>
          <code>{letter.eventId}</code>
        </dd>
        <dt>Schema version</dt>
        <dd>{letter.schemaVersion}</dd>
      </dl>
      <h3>Last error</h3>
      <pre className="wrap">{letter.lastError}</pre>
      <div className="detail-columns">
        <div>
          <h3>Payload</h3>
          <pre>{JSON.stringify(letter.payload, null, 2)}</pre>
        </div>
        <div>
          <h3>Headers</h3>
          <KeyValueTable
            caption="Headers of the event"
            headers={['Header', 'Value']}
            entries={letter.headers}
            empty="No headers."
          />
        </div>
      </div>
    </>
  );
}
