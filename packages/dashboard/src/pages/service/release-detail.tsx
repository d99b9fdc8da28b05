import { useEffect, useId, useRef } from 'react';
import type { Release, StageCell } from '../../api/types';
import { Loaded } from '../../components/status';
import { Ago, exact } from '../../components/time';
import { EvidenceSummary, useRelease } from './evidence-summary';
import { ReleaseChanges } from './release-changes';
import { StageGates } from './stage-gates';

// The selected release: what it is, what CI proved, whether it may enter each
// stage and why (with the promote action), and the commits it brings.

export function ReleaseDetail({
  service,
  version,
  stages,
}: {
  service: string;
  version: string;
  /** The service's stages, once loaded. */
  stages: StageCell[] | undefined;
}) {
  const release = useRelease(service, version);
  const headingId = useId();
  const section = useRef<HTMLElement>(null);
  const shown = useRef<string | undefined>(undefined);
  useEffect(() => {
    // Another release was picked: bring its detail into view (it sits below the list on narrow screens).
    if (shown.current !== undefined && shown.current !== version) {
      section.current?.scrollIntoView?.({ block: 'nearest' });
    }
    shown.current = version;
  }, [version]);
  return (
    <section className="release-detail" aria-labelledby={headingId} ref={section}>
      <h2 id={headingId}>
        Release <code>{version}</code>
      </h2>
      <Loaded resource={release}>
        {(data) =>
          data && (
            <>
              <ReleaseFacts release={data} />
              <h3>Evidence</h3>
              <EvidenceSummary evidence={data.evidence ?? []} full />
              <h3>Gates per stage</h3>
              {!stages ? (
                <p className="muted">The gates show once the service's stages are loaded.</p>
              ) : stages.length === 0 ? (
                <p className="muted">The service has no stages.</p>
              ) : (
                <ol className="stage-gates-list">
                  {stages.map((cell) => (
                    <StageGates key={cell.stage} service={service} version={version} cell={cell} />
                  ))}
                </ol>
              )}
              <h3>Changes</h3>
              <ReleaseChanges service={service} version={version} />
            </>
          )
        }
      </Loaded>
    </section>
  );
}

function ReleaseFacts({ release }: { release: Release }) {
  return (
    <dl className="release-facts">
      <dt>Image</dt>
      <dd>
        <code>{release.image}</code>
      </dd>
      <dt>Digest</dt>
      <dd>
        <code className="digest">{release.digest}</code>
      </dd>
      <dt>Commit</dt>
      <dd>
        <code>{release.commit}</code>
        {release.commitTime && (
          <span className="muted small">
            {' '}
            · committed <Ago at={release.commitTime} />
          </span>
        )}
      </dd>
      <dt>Created</dt>
      <dd>
        by {release.createdBy} ·{' '}
        <time dateTime={release.createdAt} title={exact(release.createdAt)}>
          {exact(release.createdAt)}
        </time>
      </dd>
    </dl>
  );
}
