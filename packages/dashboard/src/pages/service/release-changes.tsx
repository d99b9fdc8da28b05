import { api, unwrap } from '../../api/client';
import type { paths } from '../../api/schema.gen';
import { Ago } from '../../components/time';
import { useResource } from '../../data/use-resource';

// The commits a release brings since the production release before it, as a
// list that opens on demand.

type Changes =
  paths['/api/v1/releases/{service}/{version}/changes']['get']['responses'][200]['content']['application/json'];

export function ReleaseChanges({ service, version }: { service: string; version: string }) {
  const changes = useResource(
    (signal) =>
      unwrap(
        api.GET('/api/v1/releases/{service}/{version}/changes', {
          params: { path: { service, version } },
          signal,
        }),
      ),
    [service, version],
  );
  if (changes.error && !changes.data) {
    return <p className="small error-text">Could not load the changes: {changes.error.message}</p>;
  }
  if (!changes.data) {
    return (
      <p className="muted small" role="status">
        Loading the changes…
      </p>
    );
  }
  return <ChangeList changes={changes.data} />;
}

function ChangeList({ changes }: { changes: Changes }) {
  const { commits, previous, historyKnown } = changes;
  if (commits.length === 0) return <p className="muted small">No commits recorded for this release.</p>;
  const count = `${commits.length} commit${commits.length === 1 ? '' : 's'}`;
  const since = previous ? ` since ${previous.version} in production` : '';
  return (
    <details className="release-changes">
      <summary>
        {historyKnown ? `${count}${since}` : `Its own commit only: the history${since} is not known`}
      </summary>
      {!historyKnown && <p className="muted small">{changes.reason}</p>}
      <ol className="commits">
        {commits.map((commit) => (
          <li key={commit.sha}>
            <code title={commit.sha}>{commit.sha.slice(0, 7)}</code>{' '}
            {commit.title ?? <span className="muted">(no title recorded)</span>}
            {(commit.authorName || commit.committedAt) && (
              <span className="muted small">
                {commit.authorName && ` · ${commit.authorName}`}
                {commit.committedAt && (
                  <>
                    {' · '}
                    <Ago at={commit.committedAt} />
                  </>
                )}
              </span>
            )}
          </li>
        ))}
      </ol>
    </details>
  );
}
