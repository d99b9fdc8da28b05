import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import { parseTrivy } from './trivy.js';

const fixture = (name: string) => readFileSync(new URL(`./fixtures/trivy/${name}`, import.meta.url));

function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('Trivy JSON', () => {
  it('counts every vulnerability of every result by severity', () => {
    expect(parseTrivy(fixture('trivy-image.json'), 'trivy.json')).toEqual({
      kind: 'vulnerabilities',
      format: 'trivy',
      critical: 1,
      high: 4,
      medium: 3,
      low: 2,
      unknown: 1,
      source: 'trivy.json',
    });
  });

  it('reads a clean scan, with or without Results, as zero findings', () => {
    const zero = { critical: 0, high: 0, medium: 0, low: 0, unknown: 0 };
    expect(parseTrivy(fixture('trivy-clean.json'), 'trivy.json')).toMatchObject(zero);
    expect(parseTrivy(fixture('trivy-no-results.json'), 'trivy.json')).toMatchObject(zero);
    expect(parseTrivy('{"SchemaVersion": 2, "Results": null}', 'trivy.json')).toMatchObject(zero);
  });

  it('counts a repeated entry once', () => {
    const finding = {
      VulnerabilityID: 'CVE-2024-1',
      PkgName: 'zlib',
      InstalledVersion: '1.3',
      Severity: 'HIGH',
    };
    const report = {
      SchemaVersion: 2,
      Results: [
        {
          Target: 'img (alpine 3.20)',
          Vulnerabilities: [finding, finding, { ...finding, PkgName: 'zlib-dev' }],
        },
        { Target: 'app/package-lock.json', Vulnerabilities: [finding] },
      ],
    };
    expect(parseTrivy(JSON.stringify(report), 'trivy.json')).toMatchObject({ high: 3 });
  });

  it('names the report of another tool', () => {
    expect(rejection(() => parseTrivy(fixture('grype.json'), 'scan.json')).message).toBe(
      'trivy scan.json: expected a Trivy JSON report (trivy image --format json), found a Grype report',
    );
    const sarif = readFileSync(new URL('./fixtures/sarif/trivy.sarif', import.meta.url));
    expect(rejection(() => parseTrivy(sarif, 'trivy.sarif')).message).toBe(
      'trivy trivy.sarif: expected a Trivy JSON report (trivy image --format json), found a SARIF 2.1.0 log (attach it as sarif)',
    );
    expect(
      rejection(() => parseTrivy('[{"Target": "alpine:3.12", "Vulnerabilities": []}]', 'old.json')).message,
    ).toBe(
      'trivy old.json: this is the Trivy report format of versions before 0.20 (a JSON array); upgrade Trivy and write the report with --format json',
    );
  });

  it('refuses malformed entries instead of skipping them', () => {
    const severity = {
      SchemaVersion: 2,
      Results: [{ Vulnerabilities: [{ VulnerabilityID: 'CVE-2024-9', Severity: 'SEVERE' }] }],
    };
    expect(rejection(() => parseTrivy(JSON.stringify(severity), 't.json')).message).toBe(
      'trivy t.json: Results[0].Vulnerabilities[0] (CVE-2024-9) has Severity "SEVERE"; expected CRITICAL, HIGH, MEDIUM, LOW or UNKNOWN',
    );
    expect(rejection(() => parseTrivy('{"SchemaVersion": 2, "Results": {}}', 't.json')).message).toBe(
      'trivy t.json: "Results" must be an array, found an empty JSON object',
    );
    expect(
      rejection(() => parseTrivy('{"SchemaVersion": 2, "Results": [{"Vulnerabilities": [null]}]}', 't.json'))
        .message,
    ).toBe('trivy t.json: Results[0].Vulnerabilities[0] is not an object');
    expect(rejection(() => parseTrivy('{"SchemaVersion": 1, "Results": []}', 't.json')).message).toBe(
      "trivy t.json: the report has SchemaVersion 1; Gantry reads Trivy's SchemaVersion 2 (Trivy 0.20 and later)",
    );
  });

  it('refuses a truncated report and an HTML page', () => {
    const text = readFileSync(new URL('./fixtures/trivy/trivy-image.json', import.meta.url), 'utf8');
    expect(rejection(() => parseTrivy(text.slice(0, 2000), 'trivy.json')).message).toBe(
      'trivy trivy.json: the JSON ends early (the file looks truncated); upload the complete file; expected a Trivy JSON report (trivy image --format json)',
    );
    const html = readFileSync(new URL('./fixtures/junit/nginx-502-saved-as-report.xml', import.meta.url));
    expect(rejection(() => parseTrivy(html, 'trivy.json')).message).toBe(
      'trivy trivy.json: expected a Trivy JSON report (trivy image --format json), found an HTML page (the file starts with "<")',
    );
    expect(rejection(() => parseTrivy('{"SchemaVersion": 2,\n "Results": [}', 'trivy.json')).message).toBe(
      'trivy trivy.json: not valid JSON (unexpected "}"); expected a Trivy JSON report (trivy image --format json)',
    );
  });
});
