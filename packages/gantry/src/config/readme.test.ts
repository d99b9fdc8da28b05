import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { SETTINGS, type SettingName } from './config.js';

// The README's configuration table is written by hand; this keeps it honest.
// Every setting must have a row with its default (or "unset"), and every row
// must name a setting that exists.

const README = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');

interface Row {
  name: string;
  default: string;
  meaning: string;
}

function configurationTable(markdown: string): Row[] {
  const section = /^## Configuration\s*$([\s\S]*?)(?=^## )/m.exec(markdown)?.[1];
  if (section === undefined) throw new Error('README.md has no "## Configuration" section');
  return section
    .split('\n')
    .filter((line) => /^\|\s*`[A-Z0-9_]+`\s*\|/.test(line))
    .map((line) => {
      const cells = line
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      return {
        name: (cells[0] ?? '').replaceAll('`', ''),
        default: cells[1] ?? '',
        meaning: cells[2] ?? '',
      };
    });
}

describe('README configuration table', () => {
  const rows = configurationTable(README);
  const byName = new Map(rows.map((row) => [row.name, row]));
  const names = Object.keys(SETTINGS) as SettingName[];

  it.each(names)('documents %s with its default', (name) => {
    const row = byName.get(name);
    expect(row, `README.md: add a row for ${name} to the Configuration table`).toBeDefined();
    const expected: string | undefined = (SETTINGS[name] as { default?: string }).default;
    expect(row!.default, `README.md: the default of ${name}`).toBe(
      expected === undefined ? 'unset' : `\`${expected}\``,
    );
    expect(row!.meaning.length, `README.md: say what ${name} means`).toBeGreaterThan(10);
  });

  it('documents only settings that exist, once each', () => {
    expect(rows.map((row) => row.name).filter((name) => !(name in SETTINGS))).toEqual([]);
    expect(rows.length).toBe(byName.size);
  });
});
