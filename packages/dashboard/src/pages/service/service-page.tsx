import { useEffect, useState } from 'react';
import { useSearchParams } from 'wouter';
import { api, unwrap } from '../../api/client';
import { Loaded } from '../../components/status';
import { usePagedList } from '../../data/use-paged-list';
import { useResource } from '../../data/use-resource';
import type { StreamEvent } from '../../live/event-stream';
import { ReleaseDetail } from './release-detail';
import { movesPromotion } from './service-events';
import { ReleasesList } from './releases-list';
import { StageCards } from './stage-cards';
import './service.css';

// One service: what runs in each of its stages (with a rollback), its
// releases with their evidence, and for the selected release (?release=…,
// the newest by default) the gates of every stage with a promote action.

const RELEASES_PAGE = 20;
const FREEZE_CHECK_MS = 60_000;

export function ServicePage({ service }: { service: string }) {
  const status = useResource(
    (signal) => unwrap(api.GET('/api/v1/status', { params: { query: { service } }, signal })),
    [service],
    {
      refreshOn: (event: StreamEvent) => movesPromotion(event, service),
      pollMs: FREEZE_CHECK_MS,
    },
  );
  const releases = usePagedList(
    (cursor, signal) =>
      unwrap(
        api.GET('/api/v1/releases', { params: { query: { service, limit: RELEASES_PAGE, cursor } }, signal }),
      ),
    [service],
    {
      keyOf: (release) => release.id,
      // The list carries each release's evidence.
      refreshOn: (event) =>
        (event.type === 'release.registered' || event.type === 'release.evidence-attached') &&
        event.payload.service === service,
    },
  );
  const [search] = useSearchParams();
  const newest = useFirstNewest(service, releases.items[0]?.version);
  const selected = search.get('release') ?? newest;
  const serviceStatus = status.data?.items.find((item) => item.service === service);

  return (
    <>
      <header className="service-header">
        <h1>{service}</h1>
        {serviceStatus && (
          <p className="muted">
            Team <strong>{serviceStatus.team}</strong>
          </p>
        )}
      </header>
      <section aria-labelledby="service-stages">
        <h2 id="service-stages">Stages</h2>
        <Loaded resource={status}>
          {() =>
            serviceStatus ? (
              <StageCards status={serviceStatus} />
            ) : (
              <p className="muted">Gantry does not know a service called {service}.</p>
            )
          }
        </Loaded>
      </section>
      <div className="service-releases">
        <section aria-labelledby="service-releases">
          <h2 id="service-releases">Releases</h2>
          <ReleasesList service={service} releases={releases} selected={selected} />
        </section>
        {selected && <ReleaseDetail service={service} version={selected} stages={serviceStatus?.stages} />}
      </div>
    </>
  );
}

/**
 * The newest release when the page opened. A release registered later shows
 * in the list but does not replace the one being read.
 */
function useFirstNewest(service: string, newest: string | undefined): string | undefined {
  const [first, setFirst] = useState<{ service: string; version: string } | undefined>();
  const current = first?.service === service ? first.version : undefined;
  useEffect(() => {
    if (newest && current === undefined) setFirst({ service, version: newest });
  }, [service, newest, current]);
  return current ?? newest;
}
