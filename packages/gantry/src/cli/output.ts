/** Prints rows as an aligned plain-text table (no colours: output is often piped). */
export function printTable(rows: readonly Record<string, string>[], columns: readonly string[]): void {
  if (rows.length === 0) return;
  const widths = columns.map((column) =>
    Math.max(column.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, index) => (index === cells.length - 1 ? cell : cell.padEnd(widths[index]!)))
      .join('  ')
      .trimEnd();
  process.stdout.write(`${line(columns.map((column) => column.toUpperCase()))}\n`);
  for (const row of rows) process.stdout.write(`${line(columns.map((column) => row[column] ?? ''))}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}

/** "3m ago", "2h ago": how long ago an ISO time was. */
export function ago(iso: string | null | undefined, now: number = Date.now()): string {
  if (!iso) return '-';
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) return `${seconds}s ago`;
  if (seconds < 3_600) return `${Math.floor(seconds / 60)}m ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3_600)}h ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}
