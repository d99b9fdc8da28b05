import type { ReactNode } from 'react';
import type { Resource } from '../data/use-resource';
import { Ago } from './time';

/** A page's load state: a spinner first, the error when nothing could be loaded, a stale warning when a reload failed. */
export function Loaded<T>({
  resource,
  children,
}: {
  resource: Resource<T>;
  children: (data: T) => ReactNode;
}) {
  const { data, error, loading, loadedAt, reload } = resource;
  if (data === undefined) {
    if (error) {
      return (
        <div role="alert" className="notice bad">
          <p>Could not load this: {error.message}</p>
          <button type="button" className="button plain" onClick={reload}>
            Try again
          </button>
        </div>
      );
    }
    return (
      <p className="muted" role="status" aria-busy={loading}>
        Loading…
      </p>
    );
  }
  return (
    <>
      {error && loadedAt && (
        <div role="alert" className="notice warn">
          Showing what was loaded <Ago at={loadedAt.toISOString()} />: the last refresh failed (
          {error.message}).{' '}
          <button type="button" className="link-button" onClick={reload}>
            Retry
          </button>
        </div>
      )}
      {children(data)}
    </>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <p className="empty muted">{children}</p>;
}
