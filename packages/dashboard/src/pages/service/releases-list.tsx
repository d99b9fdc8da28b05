import { Link } from 'wouter';
import type { Release } from '../../api/types';
import { Empty } from '../../components/status';
import { Ago } from '../../components/time';
import type { PagedList } from '../../data/use-paged-list';
import { ReleaseEvidence } from './evidence-summary';

// The service's releases, newest first, each with what CI proved about it.
// A release's version selects it (in the URL, so the selection survives a reload).

export function ReleasesList({
  service,
  releases,
  selected,
}: {
  service: string;
  releases: PagedList<Release>;
  selected: string | undefined;
}) {
  const { items, error, loading, hasMore, loadMore, reload } = releases;
  if (items.length === 0) {
    if (error) {
      return (
        <div role="alert" className="notice bad">
          <p>Could not load the releases: {error.message}</p>
          <button type="button" className="button plain" onClick={reload}>
            Try again
          </button>
        </div>
      );
    }
    if (loading) {
      return (
        <p className="muted" role="status">
          Loading releases…
        </p>
      );
    }
    return (
      <Empty>
        No releases yet. CI registers them with <code>gantry release create</code>.
      </Empty>
    );
  }
  return (
    <>
      {error && (
        <div role="alert" className="notice warn">
          The last refresh of the releases failed ({error.message}); the list may be out of date.{' '}
          <button type="button" className="link-button" onClick={reload}>
            Retry
          </button>
        </div>
      )}
      <div className="table-wrap">
        <table className="releases">
          <caption className="visually-hidden">Releases of {service}, newest first</caption>
          <thead>
            <tr>
              <th scope="col">Version</th>
              <th scope="col">Commit</th>
              <th scope="col">Created</th>
              <th scope="col">Evidence</th>
            </tr>
          </thead>
          <tbody>
            {items.map((release) => (
              <ReleaseRow
                key={release.id}
                service={service}
                release={release}
                selected={release.version === selected}
              />
            ))}
          </tbody>
        </table>
      </div>
      {hasMore && (
        <div className="actions">
          <button type="button" className="button plain" onClick={loadMore} disabled={loading}>
            {loading ? 'Loading…' : 'Load more releases'}
          </button>
        </div>
      )}
    </>
  );
}

function ReleaseRow({
  service,
  release,
  selected,
}: {
  service: string;
  release: Release;
  selected: boolean;
}) {
  return (
    <tr className={selected ? 'selected' : undefined}>
      <th scope="row">
        <Link
          href={`/services/${encodeURIComponent(service)}?release=${encodeURIComponent(release.version)}`}
          aria-current={selected ? 'true' : undefined}
        >
          {release.version}
        </Link>
      </th>
      <td>
        <code title={release.commit}>{release.commit.slice(0, 7)}</code>
      </td>
      <td>
        <span className="release-created">
          <Ago at={release.createdAt} />
        </span>
        <span className="muted small"> by {release.createdBy}</span>
      </td>
      <td>
        <ReleaseEvidence release={release} />
      </td>
    </tr>
  );
}
