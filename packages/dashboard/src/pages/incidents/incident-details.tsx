import { Link } from 'wouter';
import { api, idempotencyKey, unwrap } from '../../api/client';
import type { Incident } from '../../api/types';
import { ConfirmAction } from '../../components/confirm-action';
import { Loaded } from '../../components/status';
import { Ago, exact } from '../../components/time';
import { useResource } from '../../data/use-resource';
import { ListDetail } from '../shared-list/list-detail';
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
  const labels = Object.entries(incident.labels);
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
          <time dateTime={incident.openedAt}>{exact(incident.openedAt)}</time> (<Ago at={incident.openedAt} />
          ) by {incident.openedBy}
        </dd>
        <dt>Resolved</dt>
        <dd>
          {incident.resolvedAt ? (
            <>
              <time dateTime={incident.resolvedAt}>{exact(incident.resolvedAt)}</time> (
              <Ago at={incident.resolvedAt} />) by {incident.resolvedBy ?? 'someone'}
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
      {labels.length === 0 ? (
        <p className="muted">No labels.</p>
      ) : (
        <div className="table-wrap">
          <table className="labels-table">
            <caption className="visually-hidden">Labels of the incident</caption>
            <thead>
              <tr>
                <th scope="col">Label</th>
                <th scope="col">Value</th>
              </tr>
            </thead>
            <tbody>
              {labels.map(([name, value]) => (
                <tr key={name}>
                  <th scope="row">
                    <code>{name}</code>
                  </th>
                  <td>{value}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
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
