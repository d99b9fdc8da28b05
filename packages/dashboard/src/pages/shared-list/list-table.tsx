import { Fragment, useId, useState, type ReactNode } from 'react';
import { ApiError } from '../../api/client';
import { Ago } from '../../components/time';
import type { PagedList } from '../../data/use-paged-list';
import { count } from './text';
import './shared-list.css';

// A newest-first list as a table: the columns a page chooses, its load state
// in words (loading, failed, stale, empty), and "Load more" for older pages.

export interface Column<T> {
  header: string;
  cell: (item: T) => ReactNode;
  /** The cell that names the row (a `<th scope="row">`). */
  rowHeader?: boolean;
  className?: string;
}

export interface ListTableProps<T> {
  /** What the table holds, for its caption: "Promotions". */
  caption: string;
  noun: { one: string; many: string };
  columns: readonly Column<T>[];
  list: PagedList<T>;
  keyOf: (item: T) => string;
  /** Shown when nothing matches. */
  empty: ReactNode;
  rowClassName?: (item: T) => string | undefined;
  /** The row shown in detail beside the list. */
  isSelected?: (item: T) => boolean;
  /** What a row shows when expanded: rows with something to show get a "Details" toggle. */
  expand?: (item: T) => ReactNode | undefined;
}

export function ListTable<T>(props: ListTableProps<T>) {
  const { list, noun } = props;
  if (list.items.length === 0) {
    if (list.error) return <ListFailure error={list.error} noun={noun} onRetry={list.reload} />;
    if (list.loading)
      return (
        <p className="muted" role="status" aria-busy="true">
          Loading {noun.many}…
        </p>
      );
    return <p className="empty muted">{props.empty}</p>;
  }
  return (
    <>
      {list.error && (
        <div role="alert" className="notice warn">
          {list.loadedAt ? (
            <>
              Showing what was loaded <Ago at={list.loadedAt.toISOString()} />
            </>
          ) : (
            'Showing what was loaded before'
          )}
          : the last request failed ({list.error.message}).{' '}
          <button type="button" className="link-button" onClick={list.refresh}>
            Retry
          </button>
        </div>
      )}
      <Rows {...props} />
      <div className="list-footer">
        <p className="muted small" role="status">
          {count(list.items.length, noun)} shown{list.hasMore ? '; older ones on the next page' : ''}
          {list.loading ? ' · loading…' : ''}
        </p>
        {list.hasMore && (
          <button type="button" className="button plain" onClick={list.loadMore} disabled={list.loading}>
            Load more
          </button>
        )}
      </div>
    </>
  );
}

function Rows<T>({ caption, columns, list, keyOf, rowClassName, isSelected, expand }: ListTableProps<T>) {
  const [expanded, setExpanded] = useState<ReadonlySet<string>>(new Set());
  const baseId = useId();
  const toggle = (key: string) =>
    setExpanded((previous) => {
      const next = new Set(previous);
      if (!next.delete(key)) next.add(key);
      return next;
    });
  const width = columns.length + (expand ? 1 : 0);
  return (
    <div className="table-wrap">
      <table className="list-table">
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            {columns.map((column) => (
              <th key={column.header} scope="col" className={column.className}>
                {column.header}
              </th>
            ))}
            {expand && (
              <th scope="col">
                <span className="visually-hidden">Details</span>
              </th>
            )}
          </tr>
        </thead>
        <tbody>
          {list.items.map((item) => {
            const key = keyOf(item);
            const open = expanded.has(key);
            const selected = isSelected?.(item) ?? false;
            const detailsId = `${baseId}-${key}`;
            const details = expand?.(item);
            return (
              <Fragment key={key}>
                <tr
                  className={[rowClassName?.(item), selected ? 'selected' : undefined]
                    .filter(Boolean)
                    .join(' ')}
                  aria-current={selected ? 'true' : undefined}
                >
                  {columns.map((column) =>
                    column.rowHeader ? (
                      <th key={column.header} scope="row" className={column.className}>
                        {column.cell(item)}
                      </th>
                    ) : (
                      <td key={column.header} className={column.className}>
                        {column.cell(item)}
                      </td>
                    ),
                  )}
                  {expand && (
                    <td className="nowrap">
                      {details !== undefined && (
                        <button
                          type="button"
                          className="link-button"
                          aria-expanded={open}
                          aria-controls={open ? detailsId : undefined}
                          onClick={() => toggle(key)}
                        >
                          {open ? 'Hide details' : 'Details'}
                        </button>
                      )}
                    </td>
                  )}
                </tr>
                {open && details !== undefined && (
                  <tr className="expanded-row" id={detailsId}>
                    <td colSpan={width}>{details}</td>
                  </tr>
                )}
              </Fragment>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

/**
 * Nothing could be loaded: the server's words, with a retry only when trying
 * again can help (not when the token may not read this, or a filter is wrong).
 */
function ListFailure({
  error,
  noun,
  onRetry,
}: {
  error: Error;
  noun: { many: string };
  onRetry: () => void;
}) {
  if (error instanceof ApiError && error.status === 403) {
    return (
      <div role="alert" className="notice bad">
        <p>{error.message}</p>
      </div>
    );
  }
  if (error instanceof ApiError && error.status === 400) {
    return (
      <div role="alert" className="notice bad">
        <p>
          Gantry did not accept these filters: {error.message.replace(/\.$/, '')}. Change or remove the filter
          it names.
        </p>
      </div>
    );
  }
  return (
    <div role="alert" className="notice bad">
      <p>
        Could not load the {noun.many}: {error.message}
      </p>
      <button type="button" className="button plain" onClick={onRetry}>
        Try again
      </button>
    </div>
  );
}
