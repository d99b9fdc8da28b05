import { readFileSync, readdirSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../shared/errors.js';
import {
  EVIDENCE_FILE_KINDS,
  MAX_EVIDENCE_BYTES,
  parseEvidence,
  parseMigrationCheck,
  type EvidenceFileKind,
} from './evidence.js';

const fixture = (path: string) => readFileSync(new URL(`./fixtures/${path}`, import.meta.url));

function rejection(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ValidationError);
    return error as ValidationError;
  }
  throw new Error('expected a ValidationError');
}

describe('parseEvidence', () => {
  it('dispatches on the kind and keeps the file name as source', () => {
    expect(parseEvidence('junit', fixture('junit/surefire.xml'), 'TEST-CalVerTest.xml')).toMatchObject({
      kind: 'tests',
      total: 5,
      source: 'TEST-CalVerTest.xml',
    });
    expect(parseEvidence('trivy', fixture('trivy/trivy-image.json'), 'trivy.json')).toMatchObject({
      kind: 'vulnerabilities',
      format: 'trivy',
      critical: 1,
    });
    expect(parseEvidence('sarif', fixture('sarif/codeql.sarif'), 'codeql.sarif')).toMatchObject({
      format: 'sarif',
    });
  });

  it('tells Istanbul JSON from Cobertura XML by itself', () => {
    expect(
      parseEvidence('coverage', fixture('coverage/coverage-summary.json'), 'coverage-summary.json'),
    ).toMatchObject({ format: 'istanbul', linePct: 81.2 });
    expect(parseEvidence('coverage', fixture('coverage/cobertura.xml'), 'cobertura.xml')).toMatchObject({
      format: 'cobertura',
      linePct: 81.25,
    });
  });

  it('refuses an unknown kind', () => {
    expect(rejection(() => parseEvidence('sbom' as EvidenceFileKind, '{}', 'sbom.json')).message).toBe(
      'sbom.json: unknown evidence format "sbom"; expected one of junit, coverage, trivy, sarif',
    );
  });

  it('refuses files over 20 MiB, as text or bytes', () => {
    const big = ' '.repeat(MAX_EVIDENCE_BYTES) + '<testsuites/>';
    const error = rejection(() => parseEvidence('junit', big, 'junit.xml'));
    expect(error.message).toBe(
      'junit junit.xml: the file is 20.1 MiB, over the 20 MiB limit for evidence files; attach a smaller report ' +
        '(for JUnit, leave captured stdout/stderr out of it; for scans, a summary format)',
    );
    expect(error.details).toMatchObject({ bytes: MAX_EVIDENCE_BYTES + 13, limitBytes: MAX_EVIDENCE_BYTES });
    expect(
      rejection(() => parseEvidence('trivy', Buffer.alloc(MAX_EVIDENCE_BYTES + 1, 0x20), 't.json')).message,
    ).toMatch(/^trivy t\.json: the file is 20\.1 MiB, over the 20 MiB limit/);
    // Multi-byte characters count as the bytes they take.
    const wide = '€'.repeat(Math.ceil(MAX_EVIDENCE_BYTES / 3) + 1);
    expect(rejection(() => parseEvidence('sarif', wide, 's.sarif')).message).toMatch(/over the 20 MiB limit/);
  });

  it('accepts a file of exactly 20 MiB', () => {
    const text = '{"SchemaVersion": 2}';
    const exact = text + ' '.repeat(MAX_EVIDENCE_BYTES - text.length);
    expect(parseEvidence('trivy', Buffer.from(exact), 'trivy.json')).toMatchObject({ critical: 0 });
  });

  it('reads UTF-8 with a byte order mark and refuses other encodings and archives', () => {
    const bom = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fixture('junit/surefire.xml')]);
    expect(parseEvidence('junit', bom, 'a.xml')).toMatchObject({ total: 5 });
    expect(
      parseEvidence('junit', `\uFEFF${fixture('junit/surefire.xml').toString()}`, 'a.xml'),
    ).toMatchObject({
      total: 5,
    });

    const utf16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('<testsuites/>', 'utf16le')]);
    expect(rejection(() => parseEvidence('junit', utf16, 'a.xml')).message).toBe(
      'junit a.xml: the file is UTF-16 text; write it as UTF-8 (in PowerShell: Out-File -Encoding utf8)',
    );
    expect(
      rejection(() => parseEvidence('trivy', gzipSync(fixture('trivy/trivy-clean.json')), 't.json.gz'))
        .message,
    ).toBe('trivy t.json.gz: the file is gzip-compressed; attach the uncompressed report');
    expect(
      rejection(() => parseEvidence('junit', Buffer.from('PK\x03\x04rest'), 'reports.zip')).message,
    ).toBe('junit reports.zip: the file is a zip archive; attach the report inside it, not the archive');
    expect(rejection(() => parseEvidence('sarif', Buffer.from([0x7b, 0xff, 0x7d]), 's.sarif')).message).toBe(
      'sarif s.sarif: the file is not UTF-8 text; attach the report as the tool wrote it',
    );
  });

  it('never expands entities declared in the document (billion laughs)', () => {
    const declarations = Array.from(
      { length: 9 },
      (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i === 0 ? '' : i};`.repeat(10)}">`,
    ).join('');
    const doctype = `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">${declarations}]>`;
    const inText = `${doctype}<testsuite name="a" tests="1"><testcase name="&lol9;">&lol9;</testcase></testsuite>`;
    expect(parseEvidence('junit', inText, 'lol.xml')).toMatchObject({ total: 1, passed: 1 });
    const inCount = `${doctype}<testsuite name="a" tests="&lol9;"/>`;
    expect(rejection(() => parseEvidence('junit', inCount, 'lol.xml')).message).toBe(
      'junit lol.xml: <testsuite name="a"> has tests="&lol9;", which is not a whole number of tests; the report is damaged — regenerate it',
    );
    const external = `<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file:///etc/passwd">]><coverage lines-valid="&x;" lines-covered="1"/>`;
    expect(rejection(() => parseEvidence('coverage', external, 'c.xml')).message).toBe(
      'coverage c.xml: declares an external entity in its DOCTYPE, which Gantry never reads; reports do not need one — remove the DOCTYPE',
    );
  });

  it('refuses elements nested absurdly deep', () => {
    const deep = `${'<testsuites>'.repeat(500)}${'</testsuites>'.repeat(500)}`;
    expect(rejection(() => parseEvidence('junit', deep, 'deep.xml')).message).toBe(
      'junit deep.xml: nests elements more than 100 levels deep, which no report format does; check that this is the right file',
    );
    const deepJson = `${'['.repeat(100_000)}${']'.repeat(100_000)}`;
    expect(rejection(() => parseEvidence('sarif', deepJson, 'deep.sarif'))).toBeInstanceOf(ValidationError);
  });

  it('only ever throws ValidationError for damaged fixtures, never a partial result', () => {
    const files = readdirSync(new URL('./fixtures/', import.meta.url), {
      recursive: true,
      withFileTypes: true,
    })
      .filter((entry) => entry.isFile())
      .map((entry) => `${entry.parentPath}/${entry.name}`);
    expect(files.length).toBeGreaterThan(20);
    let random = 42;
    const next = () => (random = (random * 1_103_515_245 + 12_345) % 2 ** 31);
    for (const file of files) {
      const bytes = readFileSync(file);
      const variants: Buffer[] = [];
      for (let i = 1; i <= 12; i++) variants.push(bytes.subarray(0, Math.floor((bytes.length * i) / 13)));
      for (let i = 0; i < 12; i++) {
        const copy = Buffer.from(bytes);
        for (let j = 0; j < 3; j++) copy[next() % copy.length] = next() % 256;
        variants.push(copy);
      }
      for (const kind of EVIDENCE_FILE_KINDS) {
        for (const variant of variants) {
          try {
            const evidence = parseEvidence(kind, variant, 'damaged');
            for (const value of Object.values(evidence)) {
              if (typeof value === 'number') expect(Number.isFinite(value) && value >= 0).toBe(true);
            }
          } catch (error) {
            if (!(error instanceof ValidationError)) {
              throw new Error(`${kind} on a damaged ${file} threw ${String(error)}`, { cause: error });
            }
          }
        }
      }
    }
  });
});

describe('parseMigrationCheck', () => {
  it('reads passed and failed', () => {
    expect(parseMigrationCheck('passed')).toEqual({ kind: 'migrationCheck', result: 'passed' });
    expect(parseMigrationCheck(' FAILED\n')).toEqual({ kind: 'migrationCheck', result: 'failed' });
  });

  it('refuses anything else', () => {
    expect(rejection(() => parseMigrationCheck('ok')).message).toBe(
      'migration check: expected "passed" or "failed", got "ok"',
    );
  });
});
