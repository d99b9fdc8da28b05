// XML evidence (JUnit, Cobertura) read into a small element tree. The text is
// checked for well-formedness first, because the parser itself is lenient and
// would turn a truncated file into a partial tree.
//
// Entities: `processEntities` is off, so neither the five predefined entities
// nor any declared in a DOCTYPE are ever expanded; a "billion laughs" document
// costs no more than its own bytes. External DTDs are never fetched, and a
// document declaring an external entity is refused. The parsers here only
// read element names and numeric attributes, which need no entity decoding.

import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { describeJson, evidenceError, isRecord, type EvidenceSource } from './input.js';

export interface XmlElement {
  readonly name: string;
  /** Attribute values as written, entities not decoded. */
  readonly attributes: Readonly<Record<string, string>>;
  /** Child elements in document order; text, comments and CDATA are dropped. */
  readonly children: readonly XmlElement[];
}

export interface XmlExpectation {
  /** Root element names the format allows. */
  readonly roots: readonly string[];
  /** What the format needs, for messages: "a <coverage> root element". */
  readonly expected: string;
}

/** What a root element name says about a file attached as the wrong kind. */
const ROOT_HINTS: Record<string, string> = {
  html: 'an HTML page, not a report; the CI step probably uploaded an error or login page instead of the file',
  coverage: 'a Cobertura coverage report; attach it as coverage',
  testsuites: 'a JUnit report; attach it as junit',
  testsuite: 'a JUnit report; attach it as junit',
  report:
    'this looks like a JaCoCo report; Gantry reads Cobertura XML, so convert it first (e.g. with cover2cover.py)',
};

const MAX_DEPTH = 100;

const PARSER_OPTIONS = {
  preserveOrder: true,
  ignoreAttributes: false,
  attributeNamePrefix: '',
  allowBooleanAttributes: false,
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  htmlEntities: false,
  ignoreDeclaration: true,
  ignorePiTags: true,
  maxNestedTags: MAX_DEPTH,
} as const;

/** Parse `text` as XML and return its root element, which must be one of `expectation.roots`. */
export function readXmlRoot(text: string, from: EvidenceSource, expectation: XmlExpectation): XmlElement {
  const first = text.trimStart()[0];
  if (first === '{' || first === '[') {
    throw evidenceError(from, `expected XML with ${expectation.expected}, found ${jsonDescription(text)}`);
  }
  if (first !== '<') {
    const start = JSON.stringify(text.trimStart().slice(0, 30));
    throw evidenceError(from, `expected XML with ${expectation.expected}, but the file starts with ${start}`);
  }

  let validation: ReturnType<typeof XMLValidator.validate>;
  try {
    validation = XMLValidator.validate(text, { allowBooleanAttributes: false });
  } catch (error) {
    throw evidenceError(from, `could not be read as XML (${errorText(error)})`);
  }
  if (validation !== true) {
    if (looksLikeHtml(text)) throw wrongRoot('html', from, expectation);
    throw syntaxError(text, validation.err, from);
  }

  let parsed: unknown;
  try {
    parsed = new XMLParser(PARSER_OPTIONS).parse(text);
  } catch (error) {
    if (/nested tags/i.test(errorText(error))) {
      throw evidenceError(
        from,
        `nests elements more than ${MAX_DEPTH} levels deep, which no report format does; check that this is the right file`,
      );
    }
    if (/external entit/i.test(errorText(error))) {
      throw evidenceError(
        from,
        'declares an external entity in its DOCTYPE, which Gantry never reads; reports do not need one — remove the DOCTYPE',
      );
    }
    throw evidenceError(from, `could not be read as XML (${errorText(error)})`);
  }
  const top = elementsOf(parsed);
  const root = top[0];
  if (!root) throw evidenceError(from, `contains no XML element; expected ${expectation.expected}`);
  if (top.length > 1) {
    const names = top.slice(0, 3).map((element) => `<${element.name}>`);
    throw evidenceError(
      from,
      `has ${top.length} top-level elements (${names.join(', ')}); an XML report has exactly one root, ${expectation.expected}`,
    );
  }
  if (!expectation.roots.includes(root.name)) throw wrongRoot(root.name, from, expectation);
  return root;
}

/** Child elements named `name`. */
export function childrenNamed(element: XmlElement, name: string): XmlElement[] {
  return element.children.filter((child) => child.name === name);
}

export function hasChild(element: XmlElement, name: string): boolean {
  return element.children.some((child) => child.name === name);
}

function wrongRoot(name: string, from: EvidenceSource, expectation: XmlExpectation) {
  const hint = ROOT_HINTS[name.toLowerCase()];
  return evidenceError(from, `expected ${expectation.expected}, found <${name}>${hint ? ` (${hint})` : ''}`, {
    root: name,
  });
}

function looksLikeHtml(text: string): boolean {
  const head = text.slice(0, 2048).toLowerCase();
  return /^\s*(<\?xml[^>]*>\s*)?(<!--[\s\S]*?-->\s*)*(<!doctype\s+html|<html[\s>])/.test(head);
}

interface ValidatorError {
  code: string;
  msg: string;
  line: number;
  col?: number;
}

function syntaxError(text: string, err: ValidatorError, from: EvidenceSource) {
  const details = { line: err.line, column: err.col };
  const open = /^Invalid '(\[[\s\S]*\])' found\.$/.exec(err.msg);
  if (open) {
    const names = unclosedNames(open[1] ?? '');
    const inner = names[names.length - 1];
    if (inner !== undefined) {
      const path = names.map((name) => `<${name}>`).join(' › ');
      return evidenceError(
        from,
        `the XML ends inside <${inner}> (open: ${path}); the file looks truncated — upload the complete report`,
        { unclosed: names },
      );
    }
  }
  if (err.msg === 'Start tag expected.') {
    return evidenceError(
      from,
      'the XML has no root element; the file looks truncated — upload the complete report',
    );
  }
  const position = err.col === undefined ? `line ${err.line}` : `line ${err.line}, column ${err.col}`;
  const message = err.msg.replace(/\.$/, '');
  const truncated =
    err.msg.startsWith('Unclosed tag') || (err.line >= lastLineNumber(text) && !text.trimEnd().endsWith('>'))
      ? '; the file looks truncated — upload the complete report'
      : '';
  return evidenceError(from, `not well-formed XML at ${position}: ${message}${truncated}`, details);
}

function unclosedNames(list: string): string[] {
  try {
    const names: unknown = JSON.parse(list);
    return Array.isArray(names) ? names.filter((name): name is string => typeof name === 'string') : [];
  } catch {
    return [];
  }
}

function lastLineNumber(text: string): number {
  const end = text.trimEnd().length;
  let line = 1;
  for (let i = 0; i < end; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

function jsonDescription(text: string): string {
  try {
    return describeJson(JSON.parse(text));
  } catch {
    return 'JSON-like text';
  }
}

function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The parser's preserveOrder output: [{ tag: [children], ':@': { attr: value } }, { '#text': … }]. */
function elementsOf(nodes: unknown): XmlElement[] {
  if (!Array.isArray(nodes)) return [];
  const elements: XmlElement[] = [];
  for (const node of nodes as unknown[]) {
    if (!isRecord(node)) continue;
    for (const [key, value] of Object.entries(node)) {
      if (key === ':@' || key === '#text') continue;
      elements.push({ name: key, attributes: attributesOf(node[':@']), children: elementsOf(value) });
    }
  }
  return elements;
}

function attributesOf(value: unknown): Record<string, string> {
  const attributes: Record<string, string> = Object.create(null) as Record<string, string>;
  if (!isRecord(value)) return attributes;
  for (const [name, raw] of Object.entries(value)) {
    if (typeof raw === 'string') attributes[name] = raw;
    else if (typeof raw === 'number' || typeof raw === 'boolean') attributes[name] = String(raw);
  }
  return attributes;
}
