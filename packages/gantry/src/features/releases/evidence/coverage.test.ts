import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { parseCoverage } from './coverage.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/coverage/${name}`, import.meta.url));

function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('coverage', () => {
  it("reads the line totals of Istanbul's coverage-summary.json", () => {
    expect(parseCoverage(fixture('coverage-summary.json'), 'coverage-summary.json')).toEqual({
      kind: 'coverage',
      format: 'istanbul',
      linePct: 81.2,
      linesCovered: 1002,
      linesTotal: 1234,
      source: 'coverage-summary.json',
    });
  });

  it('reports an Istanbul summary that measured no lines ("Unknown") as 0 of 0 lines, 0%', () => {
    expect(parseCoverage(fixture('coverage-summary-empty.json'), 'coverage-summary.json')).toMatchObject({
      format: 'istanbul',
      linePct: 0,
      linesCovered: 0,
      linesTotal: 0,
    });
  });

  it('reads the totals of a Cobertura report with a DOCTYPE (Istanbul cobertura reporter)', () => {
    expect(parseCoverage(fixture('cobertura.xml'), 'cobertura-coverage.xml')).toEqual({
      kind: 'coverage',
      format: 'cobertura',
      linePct: 81.25,
      linesCovered: 13,
      linesTotal: 16,
      source: 'cobertura-coverage.xml',
    });
  });

  it("reads coverage.py's Cobertura XML and rounds to hundredths", () => {
    expect(parseCoverage(fixture('coverage-py.xml'), 'coverage.xml')).toMatchObject({
      format: 'cobertura',
      linePct: 81.24,
      linesCovered: 2893,
      linesTotal: 3561,
    });
    const half = '<coverage lines-valid="4000" lines-covered="3249" line-rate="0.8123"/>';
    expect(parseCoverage(half, 'coverage.xml').linePct).toBe(81.23);
    expect(parseCoverage('<coverage lines-valid="3" lines-covered="2"/>', 'c.xml').linePct).toBe(66.67);
  });

  it('counts each source line once when the Cobertura totals are missing', () => {
    expect(parseCoverage(fixture('cobertura-no-totals.xml'), 'coverage.xml')).toMatchObject({
      format: 'cobertura',
      linePct: 66.67,
      linesCovered: 4,
      linesTotal: 6,
    });
  });

  it('points coverage-final.json, LCOV and JaCoCo to a format Gantry reads', () => {
    expect(
      rejection(() => parseCoverage(fixture('coverage-final.json'), 'coverage-final.json')).message,
    ).toBe(
      "coverage coverage-final.json: expected Istanbul's coverage-summary.json (an object with total.lines.total and " +
        "total.lines.covered), found Istanbul's coverage-final.json; enable the json-summary reporter (e.g. jest " +
        "--coverageReporters=json-summary, or coverage.reporter ['json-summary'] in Vitest) and attach coverage/coverage-summary.json",
    );
    expect(rejection(() => parseCoverage(fixture('lcov.info'), 'lcov.info')).message).toMatch(
      /^coverage lcov.info: this is an LCOV tracefile \(lcov.info\); Gantry reads Istanbul coverage-summary.json or Cobertura XML — enable the json-summary reporter/,
    );
    expect(rejection(() => parseCoverage(fixture('jacoco.xml'), 'jacoco.xml')).message).toBe(
      'coverage jacoco.xml: expected a Cobertura <coverage> root element, found <report> (this looks like a JaCoCo ' +
        'report; Gantry reads Cobertura XML, so convert it first (e.g. with cover2cover.py))',
    );
  });

  it('names the JSON of another tool', () => {
    const trivy = readFileSync(new URL('./fixtures/trivy/trivy-image.json', import.meta.url));
    expect(rejection(() => parseCoverage(trivy, 'coverage.json')).message).toBe(
      "coverage coverage.json: expected Istanbul's coverage-summary.json (an object with total.lines.total and " +
        'total.lines.covered), found a Trivy report (attach it as trivy)',
    );
  });

  it('refuses impossible counts', () => {
    const over = JSON.stringify({ total: { lines: { total: 10, covered: 11, pct: 110 } } });
    expect(rejection(() => parseCoverage(over, 's.json')).message).toBe(
      'coverage s.json: total.lines.covered (11) is more than total.lines.total (10)',
    );
    const text = JSON.stringify({ total: { lines: { total: '10', pct: 50 } } });
    expect(rejection(() => parseCoverage(text, 's.json')).message).toBe(
      'coverage s.json: total.lines.total and total.lines.covered must be whole numbers ≥ 0, found total="10" and covered=missing',
    );
    expect(
      rejection(() => parseCoverage('<coverage lines-valid="10" lines-covered="12"/>', 'c.xml')).message,
    ).toBe('coverage c.xml: <coverage> has lines-covered=12, more than lines-valid=10');
    expect(
      rejection(() => parseCoverage('<coverage lines-valid="ten" lines-covered="2"/>', 'c.xml')).message,
    ).toBe('coverage c.xml: <coverage> has lines-valid="ten", which is not a whole number');
    expect(
      rejection(() => parseCoverage('<coverage line-rate="0.8"><packages/></coverage>', 'c.xml')).message,
    ).toBe(
      'coverage c.xml: <coverage> has line-rate=0.8 but no lines-covered/lines-valid attributes and no <line> ' +
        'elements to count them from; attach the full Cobertura report',
    );
  });

  it('refuses a truncated summary and a file that is neither JSON nor XML', () => {
    const text = readFileSync(new URL('./fixtures/coverage/coverage-summary.json', import.meta.url), 'utf8');
    expect(rejection(() => parseCoverage(text.slice(0, 300), 'coverage-summary.json')).message).toBe(
      'coverage coverage-summary.json: the JSON ends early (the file looks truncated); upload the complete file; ' +
        "expected Istanbul's coverage-summary.json (an object with total.lines.total and total.lines.covered)",
    );
    expect(rejection(() => parseCoverage('Statements: 80%', 'coverage.txt')).message).toBe(
      'coverage coverage.txt: expected Istanbul coverage-summary.json (JSON) or Cobertura XML, but the file starts with "Statements: 80%"',
    );
  });
});
