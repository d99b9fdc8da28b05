// Reading an evidence file before a format parser sees it: refuse files that
// are too large, empty, compressed or not UTF-8, and turn JSON syntax errors
// into messages that say where the file broke. Every failure is a
// ValidationError whose message starts with "<format> <file name>:".

import { ValidationError } from '../../../shared/errors.js';

/** Largest evidence file accepted, in bytes (20 MiB). */
export const MAX_EVIDENCE_BYTES = 20 * 1024 * 1024;

const MIB = 1024 * 1024;

/** Who is reading what: the format label and the file name, for messages. */
export interface EvidenceSource {
  /** The format or kind as the person attached it: junit, coverage, trivy, sarif. */
  readonly format: string;
  /** The file name CI gave, shown in messages and gate explanations. */
  readonly source: string;
}

export function evidenceError(from: EvidenceSource, problem: string, details?: object): ValidationError {
  return new ValidationError(`${from.format} ${from.source}: ${problem}`, {
    format: from.format,
    source: from.source,
    ...details,
  });
}

/**
 * The text of an evidence file. A Buffer must be UTF-8 (a UTF-8 byte order
 * mark is dropped); a string is taken as it is.
 */
export function evidenceText(content: string | Buffer, from: EvidenceSource): string {
  let text: string;
  if (typeof content === 'string') {
    refuseIfTooLarge(Buffer.byteLength(content, 'utf8'), from);
    text = content;
  } else if (Buffer.isBuffer(content)) {
    refuseIfTooLarge(content.length, from);
    text = decodeUtf8(content, from);
  } else {
    throw evidenceError(from, `expected the file's content as text or bytes, got ${typeof content}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  if (text.trim() === '') {
    throw evidenceError(
      from,
      'the file is empty; check that the CI step that writes it ran and wrote to this path',
    );
  }
  return text;
}

function refuseIfTooLarge(bytes: number, from: EvidenceSource): void {
  if (bytes <= MAX_EVIDENCE_BYTES) return;
  const size = Math.ceil((bytes / MIB) * 10) / 10;
  throw evidenceError(
    from,
    `the file is ${size.toFixed(1)} MiB, over the ${MAX_EVIDENCE_BYTES / MIB} MiB limit for evidence files; ` +
      'attach a smaller report (for JUnit, leave captured stdout/stderr out of it; for scans, a summary format)',
    { bytes, limitBytes: MAX_EVIDENCE_BYTES },
  );
}

function decodeUtf8(bytes: Buffer, from: EvidenceSource): string {
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    throw evidenceError(
      from,
      'the file is UTF-16 text; write it as UTF-8 (in PowerShell: Out-File -Encoding utf8)',
    );
  }
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    throw evidenceError(from, 'the file is gzip-compressed; attach the uncompressed report');
  }
  if (bytes[0] === 0x50 && bytes[1] === 0x4b && bytes[2] === 0x03 && bytes[3] === 0x04) {
    throw evidenceError(from, 'the file is a zip archive; attach the report inside it, not the archive');
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw evidenceError(from, 'the file is not UTF-8 text; attach the report as the tool wrote it');
  }
}

/** Parse JSON, or explain where and how the text stops being JSON. */
export function parseJsonEvidence(text: string, from: EvidenceSource, expected: string): unknown {
  const first = text.trimStart()[0];
  if (first === '<') {
    const what = /^\s*(<!doctype html|<html)/i.test(text.slice(0, 1024)) ? 'an HTML page' : 'XML';
    throw evidenceError(from, `expected ${expected}, found ${what} (the file starts with "<")`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw evidenceError(from, `${jsonSyntaxProblem(text, error)}; expected ${expected}`);
  }
}

function jsonSyntaxProblem(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : '';
  if (/Unexpected end of JSON input|Unterminated string/i.test(message)) {
    return 'the JSON ends early (the file looks truncated); upload the complete file';
  }
  const position = /at position (\d+)/.exec(message);
  if (position) {
    const offset = Number(position[1]);
    const { line, column } = lineAndColumn(text, offset);
    if (offset >= text.trimEnd().length) {
      return 'the JSON ends early (the file looks truncated); upload the complete file';
    }
    return `not valid JSON at line ${line}, column ${column}`;
  }
  const token = /Unexpected token '(.)'/.exec(message);
  if (token) return `not valid JSON (unexpected ${JSON.stringify(token[1])})`;
  if (error instanceof RangeError) return 'the JSON is nested too deeply to read';
  return 'not valid JSON';
}

function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let i = 0; i < end; i++) {
    if (text.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Name the tool that wrote a JSON document when it is a well-known one, so a
 * file attached as the wrong kind gets a message that says what it is.
 */
export function describeJson(value: unknown): string {
  if (Array.isArray(value)) return 'a JSON array';
  if (!isRecord(value)) return `a JSON ${value === null ? 'null' : typeof value}`;
  if (typeof value.version === 'string' && Array.isArray(value.runs)) {
    return `a SARIF ${value.version} log (attach it as sarif)`;
  }
  if ('SchemaVersion' in value && ('ArtifactName' in value || 'Results' in value)) {
    return 'a Trivy report (attach it as trivy)';
  }
  if (Array.isArray(value.matches) && isRecord(value.descriptor)) {
    const name = typeof value.descriptor.name === 'string' ? value.descriptor.name : 'Grype';
    return `a ${name === 'grype' ? 'Grype' : name} report`;
  }
  if ('auditReportVersion' in value) return 'an npm audit report';
  if (isRecord(value.total) && isRecord(value.total.lines)) {
    return 'an Istanbul coverage summary (attach it as coverage)';
  }
  if (Object.values(value).some((file) => isRecord(file) && 'statementMap' in file)) {
    return "Istanbul's coverage-final.json";
  }
  if ('numTotalTests' in value && 'testResults' in value) return "Jest's --json output";
  const keys = Object.keys(value);
  if (keys.length === 0) return 'an empty JSON object';
  const shown = keys.slice(0, 5).map((key) => `"${key}"`);
  return `a JSON object with keys ${shown.join(', ')}${keys.length > 5 ? ', …' : ''}`;
}

/** A count as tools write it: a whole number ≥ 0. */
export function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
