// Line coverage from Istanbul's coverage-summary.json (the json-summary
// reporter of Jest, Vitest, nyc, c8) or from Cobertura XML (coverage.py,
// Istanbul's cobertura reporter, Cobertura, gcovr). The format is told apart
// by the first character: JSON starts with "{", XML with "<".
//
// linePct is computed from the line counts, not copied from the report, so
// both formats round the same way. A report that measured no lines has
// linesTotal 0 and linePct 0 (Istanbul writes pct "Unknown" then); whether
// that passes a coverage gate is the gate's decision.

import type { CoverageEvidence } from './evidence.js';
import {
  describeJson,
  evidenceError,
  evidenceText,
  isCount,
  isRecord,
  parseJsonEvidence,
  type EvidenceSource,
} from './input.js';
import { childrenNamed, readXmlRoot, type XmlElement } from './xml.js';

const ISTANBUL_EXPECTED =
  "Istanbul's coverage-summary.json (an object with total.lines.total and total.lines.covered)";
const SUMMARY_HINT =
  'enable the json-summary reporter (e.g. jest --coverageReporters=json-summary, or coverage.reporter ' +
  "['json-summary'] in Vitest) and attach coverage/coverage-summary.json";

export function parseCoverage(content: string | Buffer, sourceName: string): CoverageEvidence {
  const from: EvidenceSource = { format: 'coverage', source: sourceName };
  const text = evidenceText(content, from);
  const start = text.trimStart();
  if (start.startsWith('{') || start.startsWith('[')) return parseIstanbulSummary(text, from);
  if (start.startsWith('<')) return parseCobertura(text, from);
  if (/^(TN|SF):/m.test(start.slice(0, 2048))) {
    throw evidenceError(
      from,
      'this is an LCOV tracefile (lcov.info); Gantry reads Istanbul coverage-summary.json or Cobertura XML — ' +
        SUMMARY_HINT,
    );
  }
  throw evidenceError(
    from,
    `expected Istanbul coverage-summary.json (JSON) or Cobertura XML, but the file starts with ${JSON.stringify(start.slice(0, 20))}`,
  );
}

function parseIstanbulSummary(text: string, from: EvidenceSource): CoverageEvidence {
  const summary = parseJsonEvidence(text, from, ISTANBUL_EXPECTED);
  const lines = isRecord(summary) && isRecord(summary.total) ? summary.total.lines : undefined;
  if (!isRecord(lines)) {
    const found = describeJson(summary);
    const hint = found === "Istanbul's coverage-final.json" ? `; ${SUMMARY_HINT}` : '';
    throw evidenceError(from, `expected ${ISTANBUL_EXPECTED}, found ${found}${hint}`);
  }
  const { total, covered } = lines;
  if (!isCount(total) || !isCount(covered)) {
    throw evidenceError(
      from,
      `total.lines.total and total.lines.covered must be whole numbers ≥ 0, found total=${shown(total)} and covered=${shown(covered)}`,
    );
  }
  if (covered > total) {
    throw evidenceError(from, `total.lines.covered (${covered}) is more than total.lines.total (${total})`);
  }
  return coverage('istanbul', covered, total, from);
}

function parseCobertura(text: string, from: EvidenceSource): CoverageEvidence {
  const root = readXmlRoot(text, from, {
    roots: ['coverage'],
    expected: 'a Cobertura <coverage> root element',
  });
  const covered = countAttribute(root, 'lines-covered', from);
  const valid = countAttribute(root, 'lines-valid', from);
  if (covered !== undefined && valid !== undefined) {
    if (covered > valid) {
      throw evidenceError(from, `<coverage> has lines-covered=${covered}, more than lines-valid=${valid}`);
    }
    return coverage('cobertura', covered, valid, from);
  }

  // Older writers leave the totals out; count the <line> elements of each class.
  const lines = countLines(root, from);
  if (lines.total === 0) {
    const rate = Number(root.attributes['line-rate'] ?? '0');
    if (rate > 0) {
      throw evidenceError(
        from,
        `<coverage> has line-rate=${root.attributes['line-rate']} but no lines-covered/lines-valid attributes ` +
          'and no <line> elements to count them from; attach the full Cobertura report',
      );
    }
  }
  return coverage('cobertura', lines.covered, lines.total, from);
}

function countLines(root: XmlElement, from: EvidenceSource): { covered: number; total: number } {
  const hitsByLine = new Map<string, boolean>();
  for (const packages of childrenNamed(root, 'packages')) {
    for (const pkg of childrenNamed(packages, 'package')) {
      for (const classes of childrenNamed(pkg, 'classes')) {
        for (const cls of childrenNamed(classes, 'class')) {
          const file = cls.attributes.filename ?? cls.attributes.name ?? '';
          for (const lines of childrenNamed(cls, 'lines')) {
            for (const line of childrenNamed(lines, 'line')) {
              const number = countAttribute(line, 'number', from);
              const hits = countAttribute(line, 'hits', from);
              if (number === undefined || hits === undefined) {
                throw evidenceError(from, `a <line> in ${file || 'a class'} has no number or hits attribute`);
              }
              const key = `${file}\n${number}`;
              hitsByLine.set(key, (hitsByLine.get(key) ?? false) || hits > 0);
            }
          }
        }
      }
    }
  }
  let covered = 0;
  for (const hit of hitsByLine.values()) if (hit) covered++;
  return { covered, total: hitsByLine.size };
}

function countAttribute(element: XmlElement, name: string, from: EvidenceSource): number | undefined {
  const raw = element.attributes[name];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  // Some writers print counts as decimals ("120.0").
  if (/^\d{1,15}(\.0+)?$/.test(text)) return Number(text);
  throw evidenceError(
    from,
    `<${element.name}> has ${name}=${JSON.stringify(raw.slice(0, 40))}, which is not a whole number`,
    { element: element.name, attribute: name, value: raw.slice(0, 40) },
  );
}

function coverage(
  format: CoverageEvidence['format'],
  linesCovered: number,
  linesTotal: number,
  from: EvidenceSource,
): CoverageEvidence {
  // Hundredths of a percent, rounded once, so 2/3 is 66.67 and never 66.66999….
  const linePct = linesTotal === 0 ? 0 : Math.round((linesCovered * 10_000) / linesTotal) / 100;
  return { kind: 'coverage', format, linePct, linesCovered, linesTotal, source: from.source };
}

function shown(value: unknown): string {
  if (value === undefined) return 'missing';
  return JSON.stringify(value)?.slice(0, 40) ?? typeof value;
}
