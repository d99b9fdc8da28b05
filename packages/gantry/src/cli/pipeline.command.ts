import { Command } from 'commander';
import { readFile } from 'node:fs/promises';
import { basename, dirname, isAbsolute, resolve } from 'node:path';
import { isPair, isScalar, LineCounter, parseAllDocuments, visit } from 'yaml';
import { parsePipelineFile } from '../features/pipelines/pipeline-document.js';
import type { AppliedServicesDto } from '../features/pipelines/pipelines.dto.js';
import { describePublicKey } from '../features/releases/evidence/signature.js';
import { ValidationError, errorMessage } from '../shared/errors.js';
import { addApiOptions, type ApiOptions } from './api-options.js';
import {
  connect,
  fileProblem,
  readInputFile,
  readStdin,
  sendChange,
  write,
  type CliContext,
} from './command-support.js';
import { printJson } from './output.js';

/** A gantry.yaml as read from disk or standard input. */
export interface PipelineSource {
  /** Named in every message about the file (and sent to the server for its messages). */
  fileName: string;
  content: string;
  /** Where `file:` paths in the file are resolved from. */
  directory: string;
}

export async function readPipelineSource(path: string, context: CliContext = {}): Promise<PipelineSource> {
  if (path === '-') {
    return { fileName: 'stdin', content: await (context.readStdin ?? readStdin)(), directory: process.cwd() };
  }
  return {
    fileName: path.length <= 255 ? path : basename(path),
    content: await readInputFile(path, '-f'),
    directory: dirname(resolve(path)),
  };
}

export interface InlinedKeys {
  text: string;
  /** How many `file:` keys were replaced by their PEM. */
  inlined: number;
  /** `gantry.yaml:7:18 signing.publicKey: file:./cosign.pub: no such file (…)`, one per key that could not be read. */
  problems: string[];
}

/**
 * Replaces each `signing.publicKey: file:<relative path>` with the PEM it
 * names, read relative to the gantry.yaml, so the server (which may run on
 * another machine) gets the key itself; public keys are not secrets. The
 * replacement is one double-quoted line in place of the reference, so every
 * other line keeps its number and server messages point at the right lines.
 * Absolute paths are left for the server to read on its own machine. A file
 * that does not parse is left alone: the server reports its errors.
 */
export async function inlineSigningKeys(
  text: string,
  fileName: string,
  directory: string,
  readKey: (path: string) => Promise<string> = (path) => readFile(path, 'utf8'),
): Promise<InlinedKeys> {
  const lineCounter = new LineCounter();
  const references: { start: number; end: number; reference: string }[] = [];
  for (const document of parseAllDocuments(text, { lineCounter })) {
    if (document.errors.length > 0) continue;
    visit(document, {
      Pair(_key, pair, path) {
        const parent = path[path.length - 2];
        const underSigning = isPair(parent) && isScalar(parent.key) && parent.key.value === 'signing';
        if (!underSigning || !isScalar(pair.key) || pair.key.value !== 'publicKey') return;
        const value = pair.value;
        if (!isScalar(value) || typeof value.value !== 'string' || !value.range) return;
        const reference = value.value;
        if (!reference.startsWith('file:') || isAbsolute(reference.slice('file:'.length))) return;
        references.push({ start: value.range[0], end: value.range[1], reference });
      },
    });
  }

  const problems: string[] = [];
  let result = text;
  // From the end, so earlier offsets stay valid.
  for (const { start, end, reference } of references.sort((a, b) => b.start - a.start)) {
    const path = resolve(directory, reference.slice('file:'.length));
    try {
      const pem = await readKey(path);
      result = `${result.slice(0, start)}${JSON.stringify(pem)}${result.slice(end)}`;
    } catch (error) {
      const { line, col } = lineCounter.linePos(start);
      problems.unshift(
        `${fileName}:${line}:${col} signing.publicKey: ${reference}: ${fileProblem(error)} (looked for ${path}; the path is relative to ${fileName})`,
      );
    }
  }
  return { text: result, inlined: references.length - problems.length, problems };
}

/** What `gantry validate` says about one service. */
export interface ServiceSummary {
  name: string;
  stages: readonly { name: string; requires?: readonly string[] }[];
}

/**
 * `develop → staging → prod (3 stages)`. Stages that can run side by side
 * (same distance from the start of the pipeline) share a step: `develop → qa, perf → prod`.
 */
export function describeStages(stages: ServiceSummary['stages']): string {
  const depth = new Map<string, number>();
  const depthOf = (index: number, seen: Set<number>): number => {
    const stage = stages[index]!;
    const known = depth.get(stage.name);
    if (known !== undefined) return known;
    if (seen.has(index)) return 0;
    seen.add(index);
    const requires = stage.requires ?? (index > 0 ? [stages[index - 1]!.name] : []);
    let value = 0;
    for (const name of requires) {
      const upstream = stages.findIndex((candidate) => candidate.name === name);
      if (upstream >= 0) value = Math.max(value, depthOf(upstream, seen) + 1);
    }
    depth.set(stage.name, value);
    return value;
  };
  const steps: string[][] = [];
  stages.forEach((stage, index) => (steps[depthOf(index, new Set())] ??= []).push(stage.name));
  const chain = steps
    .filter((step) => step.length > 0)
    .map((step) => step.join(', '))
    .join(' → ');
  return `${chain} (${stages.length} ${stages.length === 1 ? 'stage' : 'stages'})`;
}

export function formatServiceSummaries(specs: readonly ServiceSummary[]): string[] {
  return specs.map((spec) => `${spec.name}: ${describeStages(spec.stages)}`);
}

/** `checkout  revision 3  updated`, one line per service, aligned. */
export function formatAppliedServices(result: AppliedServicesDto): string[] {
  const nameWidth = Math.max(...result.items.map((item) => item.service.length));
  const revisions = result.items.map((item) => (item.revision === null ? '' : `revision ${item.revision}`));
  const revisionWidth = Math.max(...revisions.map((text) => text.length));
  const lines = result.items.map((item, index) =>
    [item.service.padEnd(nameWidth), revisions[index]!.padEnd(revisionWidth), item.outcome]
      .filter((cell) => cell.trim() !== '')
      .join('  '),
  );
  if (result.items.length === 0) lines.push('The file declares no service.');
  if (result.dryRun) lines.push('dry run: nothing was stored; run again without --dry-run to apply');
  return lines;
}

/** `gantry validate`: checks a gantry.yaml on this machine, without a server. */
export function validateCommand(context: CliContext = {}): Command {
  return new Command('validate')
    .description('check a gantry.yaml without a server: schema, stage graph, signing keys')
    .requiredOption('-f, --file <path>', 'the gantry.yaml to check (- for standard input)')
    .option('--json', 'print the services as Gantry reads them, defaults filled in')
    .addHelpText(
      'after',
      `
Examples:
  $ gantry validate -f gantry.yaml
  $ cat deploy/gantry.yaml | gantry validate -f -

Prints each service and its stages; exits 1 listing every problem as file:line:col path: problem.`,
    )
    .action(async (options: { file: string; json?: boolean }) => {
      const source = await readPipelineSource(options.file, context);
      const keys = await inlineSigningKeys(source.content, source.fileName, source.directory);
      if (keys.problems.length > 0) throw new ValidationError(keys.problems.join('\n'));
      const specs = parsePipelineFile(keys.text, source.fileName);
      const keyProblems: string[] = [];
      for (const spec of specs) {
        const publicKey = spec.signing?.publicKey;
        if (publicKey === undefined || publicKey.startsWith('file:')) continue;
        try {
          describePublicKey(publicKey);
        } catch (error) {
          keyProblems.push(`${source.fileName}: ${spec.name} signing.publicKey: ${errorMessage(error)}`);
        }
      }
      if (keyProblems.length > 0) throw new ValidationError(keyProblems.join('\n'));
      if (options.json) return printJson(specs);
      write(formatServiceSummaries(specs));
      const absoluteKeys = specs.filter((spec) => spec.signing?.publicKey.startsWith('file:'));
      for (const spec of absoluteKeys)
        write(`${spec.name}: ${spec.signing!.publicKey} is read by the server when the file is applied`);
    });
}

/** `gantry apply`: makes the services declared in a gantry.yaml current on the server. */
export function applyCommand(context: CliContext = {}): Command {
  return addApiOptions(
    new Command('apply')
      .description('declare or update services and their pipelines from a gantry.yaml')
      .requiredOption('-f, --file <path>', 'the gantry.yaml to apply (- for standard input)')
      .option('--dry-run', 'let the server check the file; store nothing'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry apply -f gantry.yaml
  $ gantry apply -f gantry.yaml --dry-run
  $ GANTRY_URL=https://gantry.internal GANTRY_TOKEN=… gantry apply -f deploy/gantry.yaml

A signing.publicKey of file:./cosign.pub is read here, relative to the gantry.yaml, and
sent as the PEM; absolute file: paths are read by the server. Applying the same file
again changes nothing; services missing from the file are left as they are.`,
    )
    .action(async (options: ApiOptions & { file: string; dryRun?: boolean }) => {
      const source = await readPipelineSource(options.file, context);
      const keys = await inlineSigningKeys(source.content, source.fileName, source.directory);
      if (keys.problems.length > 0) throw new ValidationError(keys.problems.join('\n'));
      const result = await sendChange<AppliedServicesDto>(
        connect(options, context),
        'PUT',
        `api/v1/pipelines?dryRun=${options.dryRun ? 'true' : 'false'}`,
        { fileName: source.fileName, content: keys.text },
        context,
      );
      if (options.json) return printJson(result);
      write(formatAppliedServices(result));
    });
}
