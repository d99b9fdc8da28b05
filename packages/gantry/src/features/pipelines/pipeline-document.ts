// Reading gantry.yaml: one or more Service documents, separated by `---`, or a
// document that is a list of them. Every problem in the file is reported at
// once, each with the line and column of the node it is about, as
//
//   gantry.yaml:14:18 checkout stages[2].promotion: "automatic" is not one of auto, manual
//
// An unknown key points at the key; a missing key at the mapping that lacks it;
// anything else at the offending value.

import { createHash } from 'node:crypto';
import {
  isAlias,
  isMap,
  isScalar,
  isSeq,
  LineCounter,
  parseAllDocuments,
  type Document,
  type YAMLError,
} from 'yaml';
import { ValidationError } from '../../shared/errors.js';
import {
  ANALYSIS_TEMPLATE_KIND,
  checkAnalysisTemplate,
  type AnalysisTemplateSpec,
} from '../analysis/analysis-template-spec.js';
import { closestMatch } from './did-you-mean.js';
import { checkServiceSpec, displayPath, type AnalysisRef, type ServiceSpec } from './pipeline-spec.js';

export interface PipelineFileIssue {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** The service's metadata.name when it can be read, else `document 2` (or `document 1 item 3` in a list). */
  service: string;
  /** Path inside the Service document, `spec.` left out: `stages[2].promotion`; '' for the document itself. */
  path: string;
  message: string;
}

/** A gantry.yaml that cannot be applied; `details.issues` lists every problem. */
export class PipelineFileError extends ValidationError {
  declare readonly details: { issues: PipelineFileIssue[] };

  constructor(readonly issues: PipelineFileIssue[]) {
    super(issues.map(formatPipelineIssue).join('\n'), { issues });
  }
}

/** `gantry.yaml:14:18 checkout stages[2].promotion: …` */
export function formatPipelineIssue(issue: PipelineFileIssue): string {
  const subject = [issue.service, issue.path].filter((part) => part !== '').join(' ');
  return `${issue.file}:${issue.line}:${issue.column}${subject ? ` ${subject}` : ''}: ${issue.message}`;
}

type Path = readonly (string | number)[];

/**
 * The services declared in a gantry.yaml, validated and normalised, in file
 * order. Throws a PipelineFileError listing every problem: YAML syntax,
 * schema violations, duplicate service or stage names, unknown requires and
 * cycles. `fileName` is only used in messages.
 */
export function parsePipelineFile(text: string, fileName: string): ServiceSpec[] {
  const lineCounter = new LineCounter();
  const documents = parseAllDocuments(text, { lineCounter, merge: true, prettyErrors: true });
  const issues: PipelineFileIssue[] = [];
  const specs: ServiceSpec[] = [];
  const declared = new Map<string, string>();
  const templates = new Map<string, AnalysisTemplateSpec>();
  // Declared with problems (already reported): references to them are not reported again.
  const invalidTemplates = new Set<string>();
  // Where each service was read, to point at its analysis references.
  const origins = new Map<ServiceSpec, { document: Document; prefix: Path }>();

  const report = (offset: number, service: string, path: string, message: string): void => {
    const { line, col } = lineCounter.linePos(offset);
    issues.push({ file: fileName, line, column: col, service, path, message });
  };

  const checkService = (document: Document, value: unknown, prefix: Path, fallbackSubject: string): void => {
    const name = readName(value);
    const service = name ?? fallbackSubject;
    const result = checkServiceSpec(value);
    if (result.success) {
      specs.push(result.spec);
      origins.set(result.spec, { document, prefix });
    } else {
      for (const issue of result.issues) {
        const offset = locate(document, [...prefix, ...issue.path], issue.atKey);
        report(offset, service, displayPath(issue.path), issue.message);
      }
    }
    if (name !== undefined) {
      const offset = locate(document, [...prefix, 'metadata', 'name'], false);
      const { line, col } = lineCounter.linePos(offset);
      const earlier = declared.get(name);
      if (earlier !== undefined) {
        report(offset, service, 'metadata.name', `service "${name}" is already declared at ${earlier}`);
      } else {
        declared.set(name, `${fileName}:${line}:${col}`);
      }
    }
  };

  const checkTemplate = (document: Document, value: unknown, prefix: Path, fallbackSubject: string): void => {
    const name = readName(value);
    const subject = name ? `analysis template ${name}` : fallbackSubject;
    const result = checkAnalysisTemplate(value);
    if (name) invalidTemplates.add(name);
    if (!result.success) {
      for (const issue of result.issues) {
        const offset = locate(document, [...prefix, ...issue.path], issue.atKey);
        const path = displayPath(issue.path);
        report(offset, subject, path, issue.message);
      }
      return;
    }
    if (templates.has(result.template.name)) {
      report(
        locate(document, [...prefix, 'metadata', 'name'], false),
        subject,
        'metadata.name',
        `analysis template "${result.template.name}" is already declared in this file`,
      );
      return;
    }
    invalidTemplates.delete(result.template.name);
    templates.set(result.template.name, result.template.spec);
  };

  const checkDocument = (document: Document, value: unknown, prefix: Path, subject: string): void => {
    const kind = (value as { kind?: unknown }).kind;
    if (kind === ANALYSIS_TEMPLATE_KIND) checkTemplate(document, value, prefix, subject);
    else {
      found += 1;
      checkService(document, value, prefix, subject);
    }
  };

  let found = 0;
  documents.forEach((document, index) => {
    const subject = `document ${index + 1}`;
    if (document.errors.length > 0) {
      for (const error of document.errors) report(error.pos[0], subject, '', syntaxMessage(error));
      return;
    }
    let value: unknown;
    try {
      value = document.toJS({ maxAliasCount: 100 });
    } catch (error) {
      report(
        start(document.contents) ?? 0,
        subject,
        '',
        error instanceof Error ? error.message : String(error),
      );
      return;
    }
    if (value === null || value === undefined) return; // an empty document, e.g. after a trailing ---
    if (Array.isArray(value)) {
      value.forEach((item, position) => {
        checkDocument(document, item ?? {}, [position], `${subject} item ${position + 1}`);
      });
    } else if (typeof value === 'object' && value !== null) {
      checkDocument(document, value, [], subject);
    } else {
      report(
        start(document.contents) ?? 0,
        subject,
        '',
        'expected a Service (a mapping with apiVersion, kind, metadata and spec) or a list of them',
      );
    }
  });
  if (found === 0 && issues.length === 0) {
    report(
      0,
      '',
      '',
      'declares no service; write a Service document (apiVersion: gantry.dev/v1alpha1, kind: Service)',
    );
  }

  const linked = specs.map((spec) => {
    const origin = origins.get(spec)!;
    return linkAnalysisTemplates(spec, templates, invalidTemplates, (path, message) =>
      report(
        locate(origin.document, [...origin.prefix, 'spec', ...path], false),
        spec.name,
        displayPath(path),
        message,
      ),
    );
  });

  if (issues.length > 0) {
    issues.sort((a, b) => a.line - b.line || a.column - b.column);
    throw new PipelineFileError(issues);
  }
  return linked;
}

/**
 * The service with a copy of every analysis template its strategies name;
 * a name with no template in the file, or a template argument without a
 * value, is reported at the reference.
 */
function linkAnalysisTemplates(
  spec: ServiceSpec,
  templates: ReadonlyMap<string, AnalysisTemplateSpec>,
  invalid: ReadonlySet<string>,
  report: (path: Path, message: string) => void,
): ServiceSpec {
  const used: Record<string, AnalysisTemplateSpec> = {};
  spec.stages.forEach((stage, stageIndex) => {
    for (const { ref, path } of analysisRefsOf(stage.strategy)) {
      ref.templates.forEach(({ templateName }, index) => {
        const at = ['stages', stageIndex, 'strategy', ...path, 'templates', index, 'templateName'];
        const template = templates.get(templateName);
        if (!template && invalid.has(templateName)) return;
        if (!template) {
          const known = [...templates.keys()];
          const match = closestMatch(templateName, known);
          report(
            at,
            `no analysis template "${templateName}" in this file${match ? `; did you mean "${match}"?` : known.length > 0 ? `; the file declares ${known.join(', ')}` : '; declare one in a document of kind: AnalysisTemplate'}`,
          );
          return;
        }
        const given = new Set(ref.args.map((arg) => arg.name));
        const missing = template.args.filter((arg) => arg.value === undefined && !given.has(arg.name));
        if (missing.length > 0) {
          report(
            ['stages', stageIndex, 'strategy', ...path],
            `analysis template "${templateName}" needs ${missing.map((arg) => `args.${arg.name}`).join(', ')}: add it to this analysis's args`,
          );
        }
        used[templateName] = template;
      });
    }
  });
  return Object.keys(used).length > 0 ? { ...spec, analysisTemplates: used } : spec;
}

function analysisRefsOf(
  strategy: ServiceSpec['stages'][number]['strategy'],
): { ref: AnalysisRef; path: Path }[] {
  switch (strategy.type) {
    case 'rolling':
      return [];
    case 'canary':
      return [
        ...strategy.steps.flatMap((step, index) =>
          'analysis' in step ? [{ ref: step.analysis, path: ['steps', index, 'analysis'] }] : [],
        ),
        ...(strategy.backgroundAnalysis
          ? [{ ref: strategy.backgroundAnalysis, path: ['backgroundAnalysis'] }]
          : []),
      ];
    case 'blueGreen':
      return [
        ...(strategy.prePromotionAnalysis
          ? [{ ref: strategy.prePromotionAnalysis, path: ['prePromotionAnalysis'] }]
          : []),
        ...(strategy.postPromotionAnalysis
          ? [{ ref: strategy.postPromotionAnalysis, path: ['postPromotionAnalysis'] }]
          : []),
      ];
  }
}

function readName(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const metadata = (value as { metadata?: unknown }).metadata;
  if (typeof metadata !== 'object' || metadata === null) return undefined;
  const name = (metadata as { name?: unknown }).name;
  return typeof name === 'string' && name !== '' ? name : undefined;
}

/** yaml's message without its own "at line …, column …" and code excerpt, which the issue carries already. */
export function syntaxMessage(error: YAMLError): string {
  const message = error.message.replace(/ at line \d+, column \d+:?[\s\S]*$/, '').trim();
  return message || error.code;
}

function start(node: unknown): number | undefined {
  return (node as { range?: readonly number[] } | null)?.range?.[0];
}

/**
 * The source offset of the node at `path`, or of its nearest ancestor that
 * exists (for a missing key, the mapping that should hold it). With
 * `atKey`, the offset of the last segment's key rather than its value.
 * Follows aliases and `<<` merge keys.
 */
export function locate(document: Document, path: Path, atKey: boolean): number {
  let node: unknown = document.contents;
  let offset = start(node) ?? 0;
  for (let index = 0; index < path.length; index++) {
    const segment = path[index]!;
    const current = resolve(document, node);
    let next: unknown;
    if (isMap(current)) {
      const pair = findPair(document, current, String(segment));
      if (pair === undefined) break;
      const value = pair.value;
      const empty = value === null || (isScalar(value) && value.value === null && value.source === '');
      if ((atKey && index === path.length - 1) || empty) return start(pair.key) ?? offset;
      next = value;
    } else if (isSeq(current) && typeof segment === 'number') {
      next = current.items[segment];
      if (next === undefined || next === null) break;
    } else {
      break;
    }
    node = next;
    offset = start(node) ?? offset;
  }
  return offset;
}

function resolve(document: Document, node: unknown): unknown {
  return isAlias(node) ? node.resolve(document) : node;
}

type AnyPair = { key: unknown; value: unknown };

function findPair(document: Document, map: { items: AnyPair[] }, key: string): AnyPair | undefined {
  const own = map.items.find((pair) => isScalar(pair.key) && String(pair.key.value) === key);
  if (own !== undefined) return own;
  // `<<: *defaults` or `<<: [*a, *b]` brings in the keys of other mappings.
  for (const pair of map.items) {
    const isMerge = isScalar(pair.key) && (typeof pair.key.value === 'symbol' || pair.key.value === '<<');
    if (!isMerge) continue;
    const sources = isSeq(pair.value) ? pair.value.items : [pair.value];
    for (const source of sources) {
      const merged = resolve(document, source);
      if (isMap(merged)) {
        const found = findPair(document, merged, key);
        if (found !== undefined) return found;
      }
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Canonical form: the same declaration always serialises to the same text, so
// re-applying a file whose comments, key order, quoting or spelled-out
// defaults changed is recognised as no change.

/** JSON with object keys sorted at every level and undefined properties left out. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item)).join(',')}]`;
  const entries = Object.keys(value)
    .sort()
    .filter((key) => (value as Record<string, unknown>)[key] !== undefined)
    .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(',')}}`;
}

/** The stable JSON text of a parsed (normalised) service, as stored with each pipeline revision. */
export function canonicalServiceSpec(spec: ServiceSpec): string {
  return canonicalJson(spec);
}

/** sha256 (hex) of the canonical form: equal exactly when two declarations mean the same. */
export function specHash(spec: ServiceSpec): string {
  return createHash('sha256').update(canonicalServiceSpec(spec)).digest('hex');
}
