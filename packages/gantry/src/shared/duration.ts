// Durations as people write them in configuration: "500ms", "30s", "5m",
// "64h", "7d", or a combination such as "1h30m". A bare number is milliseconds.

const UNIT_MILLIS: Record<string, number> = {
  ms: 1,
  s: 1_000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/y;

export function parseDuration(text: string): number {
  const input = text.trim();
  if (/^\d+$/.test(input)) return Number(input);
  if (input === '') throw new Error('is empty; write a duration such as 30s, 5m or 7d');
  let total = 0;
  PART.lastIndex = 0;
  while (PART.lastIndex < input.length) {
    const start = PART.lastIndex;
    const match = PART.exec(input);
    if (!match) {
      const rest = start > 0 ? ` (cannot read "${input.slice(start)}")` : '';
      throw new Error(
        `is not a duration${rest}: write a number and a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 64h or 7d`,
      );
    }
    total += Number(match[1]) * UNIT_MILLIS[match[2]!]!;
  }
  return Math.round(total);
}

export function formatDuration(millis: number): string {
  if (millis < 1_000) return `${millis}ms`;
  const units: [string, number][] = [
    ['d', 86_400_000],
    ['h', 3_600_000],
    ['m', 60_000],
    ['s', 1_000],
  ];
  let rest = Math.round(millis);
  let out = '';
  for (const [unit, size] of units) {
    const count = Math.floor(rest / size);
    if (count > 0) {
      out += `${count}${unit}`;
      rest -= count * size;
    }
  }
  return rest > 0 ? `${out}${rest}ms` : out;
}
