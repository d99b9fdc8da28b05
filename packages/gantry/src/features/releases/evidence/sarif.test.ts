import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { parseSarif } from './sarif.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/sarif/${name}`, import.meta.url));

function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

function log(results: unknown[], rules: unknown[] = []): string {
  return JSON.stringify({
    version: '2.1.0',
    runs: [{ tool: { driver: { name: 'scanner', rules } }, results }],
  });
}

describe('SARIF 2.1.0', () => {
  it("grades Trivy's results by the rules' security-severity", () => {
    expect(parseSarif(fixture('trivy.sarif'), 'trivy.sarif')).toEqual({
      kind: 'vulnerabilities',
      format: 'sarif',
      critical: 1,
      high: 2,
      medium: 1,
      low: 1,
      unknown: 1,
      source: 'trivy.sarif',
    });
  });

  it("finds CodeQL's rules in its query-pack extension, falls back to the level and skips suppressed results", () => {
    expect(parseSarif(fixture('codeql.sarif'), 'javascript.sarif')).toMatchObject({
      critical: 1,
      high: 2,
      medium: 1,
      low: 1,
      unknown: 0,
    });
  });

  it("prefers the result's security-severity to its rule's", () => {
    const rules = [{ id: 'R1', properties: { 'security-severity': '9.1' } }];
    expect(
      parseSarif(
        log(
          [{ ruleId: 'R1', ruleIndex: 0, properties: { 'security-severity': 3.5 }, message: { text: 'a' } }],
          rules,
        ),
        's.sarif',
      ),
    ).toMatchObject({ critical: 0, low: 1 });
  });

  it('maps levels without a score: error high, warning medium, note low, none unknown, warning by default', () => {
    const rules = [{ id: 'N', defaultConfiguration: { level: 'note' } }];
    const results = [
      { ruleId: 'E', level: 'error', message: { text: '1' } },
      { ruleId: 'W', level: 'warning', message: { text: '2' } },
      { ruleId: 'N', message: { text: '3' } },
      { ruleId: 'X', level: 'none', message: { text: '4' } },
      { ruleId: 'D', message: { text: '5' } },
    ];
    expect(parseSarif(log(results, rules), 's.sarif')).toMatchObject({
      high: 1,
      medium: 2,
      low: 1,
      unknown: 1,
    });
  });

  it('counts a finding reported twice once, and leaves out passes and fixed results', () => {
    const result = {
      ruleId: 'R',
      level: 'error',
      message: { text: 'same' },
      locations: [{ physicalLocation: { artifactLocation: { uri: 'a.js' }, region: { startLine: 3 } } }],
    };
    const results = [
      result,
      result,
      {
        ...result,
        locations: [{ physicalLocation: { artifactLocation: { uri: 'b.js' }, region: { startLine: 3 } } }],
      },
      { ...result, kind: 'pass', message: { text: 'passed' } },
      { ...result, baselineState: 'absent', message: { text: 'fixed' } },
      {
        ...result,
        suppressions: [{ kind: 'external', status: 'rejected' }],
        message: { text: 'rejected suppression' },
      },
    ];
    expect(parseSarif(log(results), 's.sarif')).toMatchObject({ high: 3 });
  });

  it('reads a log without runs results as a clean scan', () => {
    expect(parseSarif('{"version": "2.1.0", "runs": []}', 's.sarif')).toMatchObject({
      critical: 0,
      high: 0,
      unknown: 0,
    });
    expect(parseSarif(log([]), 's.sarif')).toMatchObject({ high: 0 });
  });

  it('refuses SARIF 2.0 and logs that are not SARIF', () => {
    expect(rejection(() => parseSarif(fixture('sarif-2.0.sarif'), 'old.sarif')).message).toBe(
      'sarif old.sarif: the log has version "2.0.0"; Gantry reads SARIF 2.1.0 — have the scanner write SARIF 2.1.0 ' +
        '(current releases of Trivy, CodeQL, Grype and Semgrep do)',
    );
    const trivy = readFileSync(new URL('./fixtures/trivy/trivy-image.json', import.meta.url));
    expect(rejection(() => parseSarif(trivy, 'trivy.json')).message).toBe(
      'sarif trivy.json: expected a SARIF 2.1.0 log (an object with "version": "2.1.0" and "runs"), found a Trivy report (attach it as trivy)',
    );
    expect(rejection(() => parseSarif('{"version": "2.1.0", "runs": {}}', 's.sarif')).message).toBe(
      'sarif s.sarif: "runs" must be an array of runs, found an empty JSON object',
    );
  });

  it('refuses a run that failed and malformed severities', () => {
    const failed = JSON.stringify({
      version: '2.1.0',
      runs: [
        {
          tool: { driver: { name: 'Semgrep OSS' } },
          invocations: [{ executionSuccessful: false }],
          results: [],
        },
      ],
    });
    expect(rejection(() => parseSarif(failed, 's.sarif')).message).toBe(
      'sarif s.sarif: Semgrep OSS reports that its run did not succeed (executionSuccessful: false), so its results are incomplete; fix the scan step and attach a new report',
    );
    const rules = [{ id: 'R', properties: { 'security-severity': 'high' } }];
    expect(
      rejection(() => parseSarif(log([{ ruleId: 'R', message: { text: 'x' } }], rules), 's.sarif')).message,
    ).toBe(
      'sarif s.sarif: runs[0].results[0] (R) has security-severity "high", which is not a CVSS score from 0 to 10',
    );
    expect(rejection(() => parseSarif(log([{ ruleId: 'R', level: 'fatal' }]), 's.sarif')).message).toBe(
      'sarif s.sarif: runs[0].results[0] (R) has level "fatal"; SARIF levels are error, warning, note and none',
    );
    expect(
      rejection(() => parseSarif('{"version": "2.1.0", "runs": [{"results": []}]}', 's.sarif')).message,
    ).toBe('sarif s.sarif: runs[0] has no tool.driver; every SARIF run names its tool');
  });
});
