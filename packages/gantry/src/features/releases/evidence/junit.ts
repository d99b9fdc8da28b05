// JUnit XML as Jest (jest-junit), pytest, Maven Surefire and go-junit-report
// write it. The root is <testsuites> (with or without totals) or a single
// <testsuite>; totals are summed over the test suites.
//
// A suite's own totals attributes are used when it has a `tests` attribute;
// a count it leaves out (go-junit-report omits skipped="0") and every count
// of a suite without `tests` comes from its <testcase> elements, each counted
// once as error, failure, skipped or passed, in that order. Surefire's
// <flakyFailure>/<rerunFailure> are not failures by themselves: a flaky test
// that passed on a rerun has passed.
//
// A suite whose failures, errors and skipped add up to more than its `tests`
// (jest-junit reports a test file that failed to load as tests="0"
// errors="1") counts those as its tests, so a broken suite never vanishes.

import type { TestEvidence } from './evidence.js';
import { evidenceError, evidenceText, type EvidenceSource } from './input.js';
import { childrenNamed, hasChild, readXmlRoot, type XmlElement } from './xml.js';

interface Counts {
  total: number;
  failures: number;
  errors: number;
  skipped: number;
}

const ZERO: Counts = { total: 0, failures: 0, errors: 0, skipped: 0 };

export function parseJunit(content: string | Buffer, sourceName: string): TestEvidence {
  const from: EvidenceSource = { format: 'junit', source: sourceName };
  const root = readXmlRoot(evidenceText(content, from), from, {
    roots: ['testsuites', 'testsuite'],
    expected: 'a <testsuites> or <testsuite> root element',
  });
  const counts = root.name === 'testsuite' ? suiteCounts(root, from) : containerCounts(root, from);
  const passed = counts.total - counts.failures - counts.errors - counts.skipped;
  return {
    kind: 'tests',
    format: 'junit',
    total: counts.total,
    passed,
    failures: counts.failures,
    errors: counts.errors,
    skipped: counts.skipped,
    passedAll: counts.failures + counts.errors === 0 && counts.total > 0,
    source: sourceName,
  };
}

/** <testsuites>: the sum of its suites (and of any test cases directly inside it). */
function containerCounts(element: XmlElement, from: EvidenceSource): Counts {
  let counts = caseCounts(childrenNamed(element, 'testcase'));
  for (const suite of childrenNamed(element, 'testsuite')) counts = add(counts, suiteCounts(suite, from));
  for (const nested of childrenNamed(element, 'testsuites'))
    counts = add(counts, containerCounts(nested, from));
  return counts;
}

function suiteCounts(suite: XmlElement, from: EvidenceSource): Counts {
  const tests = countAttribute(suite, 'tests', from);
  if (tests === undefined) return containerCounts(suite, from);

  let counted: Counts | undefined;
  const fromCases = () => (counted ??= containerCounts(suite, from));
  const failures = countAttribute(suite, 'failures', from) ?? fromCases().failures;
  const errors = countAttribute(suite, 'errors', from) ?? fromCases().errors;
  const skipped = countAttribute(suite, 'skipped', from) ?? fromCases().skipped;
  return { total: Math.max(tests, failures + errors + skipped), failures, errors, skipped };
}

function caseCounts(cases: XmlElement[]): Counts {
  const counts = { ...ZERO };
  for (const testcase of cases) {
    counts.total++;
    if (hasChild(testcase, 'error')) counts.errors++;
    else if (hasChild(testcase, 'failure')) counts.failures++;
    else if (hasChild(testcase, 'skipped')) counts.skipped++;
  }
  return counts;
}

function add(a: Counts, b: Counts): Counts {
  return {
    total: a.total + b.total,
    failures: a.failures + b.failures,
    errors: a.errors + b.errors,
    skipped: a.skipped + b.skipped,
  };
}

function countAttribute(suite: XmlElement, name: string, from: EvidenceSource): number | undefined {
  const raw = suite.attributes[name];
  if (raw === undefined) return undefined;
  const text = raw.trim();
  if (/^\d{1,15}$/.test(text)) return Number(text);
  const suiteName = suite.attributes.name;
  const which = suiteName === undefined ? '<testsuite>' : `<testsuite name=${JSON.stringify(suiteName)}>`;
  throw evidenceError(
    from,
    `${which} has ${name}=${JSON.stringify(raw.slice(0, 40))}, which is not a whole number of tests; ` +
      'the report is damaged — regenerate it',
    { suite: suiteName, attribute: name, value: raw.slice(0, 40) },
  );
}
