import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { parseJunit } from './junit.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/junit/${name}`, import.meta.url));

function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('JUnit XML', () => {
  it('sums the suites of a jest-junit report, counting a suite that failed to run as an error', () => {
    expect(parseJunit(fixture('jest-junit.xml'), 'junit.xml')).toEqual({
      kind: 'tests',
      format: 'junit',
      total: 9,
      passed: 6,
      failures: 1,
      errors: 1,
      skipped: 1,
      passedAll: false,
      source: 'junit.xml',
    });
  });

  it('reads pytest --junitxml output (skip and xfail are skipped)', () => {
    expect(parseJunit(fixture('pytest.xml'), 'pytest.xml')).toMatchObject({
      total: 12,
      passed: 7,
      failures: 2,
      errors: 1,
      skipped: 2,
      passedAll: false,
    });
  });

  it('reads a single Surefire <testsuite>; a flaky test that passed on rerun has passed', () => {
    expect(parseJunit(fixture('surefire.xml'), 'TEST-com.example.gantry.CalVerTest.xml')).toMatchObject({
      total: 5,
      passed: 3,
      failures: 1,
      errors: 0,
      skipped: 1,
      source: 'TEST-com.example.gantry.CalVerTest.xml',
    });
  });

  it('reads go-junit-report output, including a package that failed to build', () => {
    expect(parseJunit(fixture('go-junit-report.xml'), 'report.xml')).toMatchObject({
      total: 7,
      passed: 4,
      failures: 1,
      errors: 1,
      skipped: 1,
    });
  });

  it('counts <testcase> children when the totals attributes are missing', () => {
    expect(parseJunit(fixture('no-totals.xml'), 'results.xml')).toMatchObject({
      total: 6,
      passed: 2,
      failures: 1,
      errors: 2,
      skipped: 1,
    });
  });

  it('counts what a suite leaves out from its test cases', () => {
    const xml = `<testsuite name="a" tests="3" failures="1">
      <testcase name="x"/><testcase name="y"><failure/></testcase><testcase name="z"><skipped/></testcase>
    </testsuite>`;
    expect(parseJunit(xml, 'a.xml')).toMatchObject({
      total: 3,
      passed: 1,
      failures: 1,
      errors: 0,
      skipped: 1,
    });
  });

  it('passes when nothing failed', () => {
    const xml =
      '<testsuites><testsuite name="a" tests="2" failures="0" errors="0"><testcase/><testcase/></testsuite></testsuites>';
    expect(parseJunit(xml, 'a.xml')).toMatchObject({ total: 2, passed: 2, passedAll: true });
  });

  it('accepts a report with no test cases, which has not passed', () => {
    expect(parseJunit(fixture('empty.xml'), 'junit.xml')).toMatchObject({
      total: 0,
      passed: 0,
      failures: 0,
      errors: 0,
      skipped: 0,
      passedAll: false,
    });
    expect(parseJunit('<testsuite name="none"/>', 'a.xml')).toMatchObject({ total: 0, passedAll: false });
  });

  it('refuses an HTML error page', () => {
    expect(rejection(() => parseJunit(fixture('nginx-502-saved-as-report.xml'), 'report.xml')).message).toBe(
      'junit report.xml: expected a <testsuites> or <testsuite> root element, found <html> (an HTML page, not a report; ' +
        'the CI step probably uploaded an error or login page instead of the file)',
    );
  });

  it('refuses a truncated report instead of counting what was read', () => {
    expect(rejection(() => parseJunit(fixture('truncated.xml'), 'junit.xml')).message).toBe(
      'junit junit.xml: the XML ends inside <failure> (open: <testsuites> › <testsuite> › <testcase> › <failure>); ' +
        'the file looks truncated — upload the complete report',
    );
    expect(rejection(() => parseJunit('<testsuites><testsuite name="a', 'junit.xml')).message).toBe(
      "junit junit.xml: not well-formed XML at line 1, column 23: Attributes for 'testsuite' have open quote; " +
        'the file looks truncated — upload the complete report',
    );
  });

  it('says where a report is not well-formed', () => {
    const xml =
      '<testsuites>\n  <testsuite name="a">\n    <testcase></testsuite>\n  </testsuite>\n</testsuites>\n';
    expect(rejection(() => parseJunit(xml, 'junit.xml')).message).toBe(
      "junit junit.xml: not well-formed XML at line 3, column 15: Expected closing tag 'testcase' (opened in line 3, col 5) instead of closing tag 'testsuite'",
    );
  });

  it('names the report it was given instead', () => {
    const cobertura = readFileSync(new URL('./fixtures/coverage/cobertura.xml', import.meta.url));
    expect(rejection(() => parseJunit(cobertura, 'coverage.xml')).message).toBe(
      'junit coverage.xml: expected a <testsuites> or <testsuite> root element, found <coverage> ' +
        '(a Cobertura coverage report; attach it as coverage)',
    );
    expect(
      rejection(() => parseJunit('{"numTotalTests": 3, "testResults": []}', 'results.json')).message,
    ).toBe(
      "junit results.json: expected XML with a <testsuites> or <testsuite> root element, found Jest's --json output",
    );
  });

  it('refuses a file with more than one root element', () => {
    expect(
      rejection(() => parseJunit('<testsuite name="a"/>\n<testsuite name="b"/>', 'cat.xml')).message,
    ).toBe(
      'junit cat.xml: has 2 top-level elements (<testsuite>, <testsuite>); an XML report has exactly one root, ' +
        'a <testsuites> or <testsuite> root element',
    );
  });

  it('refuses counts that are not whole numbers', () => {
    const error = rejection(() => parseJunit('<testsuite name="api" tests="many"/>', 'a.xml'));
    expect(error.message).toBe(
      'junit a.xml: <testsuite name="api"> has tests="many", which is not a whole number of tests; the report is damaged — regenerate it',
    );
    expect(error.details).toMatchObject({
      format: 'junit',
      source: 'a.xml',
      attribute: 'tests',
      value: 'many',
    });
  });

  it('refuses an empty file and text that is not XML', () => {
    expect(rejection(() => parseJunit(' \n', 'junit.xml')).message).toBe(
      'junit junit.xml: the file is empty; check that the CI step that writes it ran and wrote to this path',
    );
    expect(rejection(() => parseJunit('Tests: 3 passed', 'junit.xml')).message).toBe(
      'junit junit.xml: expected XML with a <testsuites> or <testsuite> root element, but the file starts with "Tests: 3 passed"',
    );
  });
});
