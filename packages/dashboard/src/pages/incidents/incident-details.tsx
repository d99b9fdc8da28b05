import { Link } from 'wouter';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { Incident } from '../../api/types';
import { ConfirmAction } from '../../components/confirm-action';
import { Loaded } from '../../components/status';
import { useResource } from '../../data/use-resource';
import { KeyValueTable } from '../shared-list/key-value-table';
import { ListDetail } from '../shared-list/list-detail';
import { Moment } from '../shared-list/moment';
import { shortId, webLink } from '../shared-list/text';
import { IncidentRollbackOutcome } from './incident-rollback';
import { IncidentStatus } from './incident-status';

/** The selected incident (`/incidents/<id>`): everything known about it, and Resolve while it is open. */
export function IncidentDetails({
  id,
  closeHref,
  onChanged,
}: {
  id: string;
  closeHref: string;
  /** Called after the incident was resolved here, so the list shows it too. */
  onChanged: () => void;
}) {
  const incident = useResource(
    (signal) => unwrap(api.GET('/api/v1/incidents/{id}', { params: { path: { id } }, signal })),
    [id],
    { refreshOn: (event) => event.type.startsWith('incident.') },
  );
  return (
    <ListDetail selected={id} label="Incident" closeHref={closeHref} closeLabel="← All incidents">
      <Loaded resource={incident}>
        {(data) => (
          <IncidentFacts
            incident={data}
            onResolved={() => {
              incident.reload();
              onChanged();
            }}
          />
        )}
      </Loaded>
    </ListDetail>
  );
}

function IncidentFacts({ incident, onResolved }: { incident: Incident; onResolved: () => void }) {
  return (
    <>
      <h2>
        {incident.title} <IncidentStatus status={incident.status} />
      </h2>
      {incident.status === 'open' && (
        <div className="actions">
          <ConfirmAction
            label="Resolve"
            operation="resolveIncident"
            stage={incident.stage ?? undefined}
            tone="primary"
            reason="optional"
            consequence={resolveConsequence(incident)}
            onConfirm={(reason) =>
              unwrap(
                api.POST('/api/v1/incidents/{id}/resolve', {
                  params: { path: { id: incident.id }, header: { 'Idempotency-Key': idempotencyKey() } },
                  body: reason ? { reason } : {},
                }),
              )
            }
            onDone={onResolved}
          />
        </div>
      )}
      <dl className="detail-fields">
        <dt>Severity</dt>
        <dd>{incident.severity ?? <span className="muted">not given</span>}</dd>
        <dt>Service / stage</dt>
        <dd>
          {incident.service ?? <span className="muted">no service</span>}
          {' / '}
          {incident.stage ?? <span className="muted">every stage</span>}
        </dd>
        <dt>Opened</dt>
        <dd>
          <Moment at={incident.openedAt} /> by {incident.openedBy}
        </dd>
        <dt>Resolved</dt>
        <dd>
          {incident.resolvedAt ? (
            <>
              <Moment at={incident.resolvedAt} /> by {incident.resolvedBy ?? 'someone'}
            </>
          ) : (
            <span className="muted">not yet</span>
          )}
        </dd>
        <dt>Caused by</dt>
        <dd>
          {incident.promotionId ? (
            <Link href={`/promotions/${encodeURIComponent(incident.promotionId)}`}>
              promotion <code>{shortId(incident.promotionId)}</code>
            </Link>
          ) : (
            <span className="muted">no promotion linked</span>
          )}
        </dd>
        <dt>What Gantry did</dt>
        <dd>
          <IncidentRollbackOutcome rollback={incident.rollback} />
        </dd>
        <dt>Source</dt>
        <dd>{incident.source}</dd>
        {incident.url && (
          <>
            <dt>More</dt>
            <dd>
              <ExternalLink url={incident.url} />
            </dd>
          </>
        )}
        <dt>Fingerprint</dt>
        <dd>
          <code>{incident.fingerprint}</code>
        </dd>
      </dl>
      <h3>Labels</h3>
      <KeyValueTable
        caption="Labels of the incident"
        headers={['Label', 'Value']}
        entries={incident.labels}
        empty="No labels."
      />
    </>
  );
}

/** A link out of Gantry (the alert, the runbook), in a new tab; shown as text unless it is http(s). */
function ExternalLink({ url }: { url: string }) {
  const href = webLink(url);
  if (!href) return <code>{url}</code>;
  return (
    <a href={href} target="_blank" rel="noopener noreferrer">
      {url}
      <span className="visually-hidden"> (opens in a new tab)</span>
    </a>
  );
}

function resolveConsequence(incident: Incident): string {
  const pending =
    incident.rollback?.action === 'pending'
      ? ' The rollback still waiting for its promotion to finish is called off.'
      : '';
  return `“${incident.title}” is marked resolved now, and its time to restore ends here.${pending}`;
}
