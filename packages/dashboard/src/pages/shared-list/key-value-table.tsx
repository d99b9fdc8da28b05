import './shared-list.css';

/** Names and values (labels, headers) as a two-column table. */
export function KeyValueTable({
  caption,
  headers,
  entries,
  empty,
}: {
  caption: string;
  /** The two column headings: ['Label', 'Value']. */
  headers: readonly [string, string];
  entries: Record<string, string>;
  empty: string;
}) {
  const rows = Object.entries(entries);
  if (rows.length === 0) return <p className="muted">{empty}</p>;
  return (
    <div className="table-wrap key-values">
      <table>
        <caption className="visually-hidden">{caption}</caption>
        <thead>
          <tr>
            <th scope="col">{headers[0]}</th>
            <th scope="col">{headers[1]}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map(([name, value]) => (
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
  );
}
