import { Command, Option } from 'commander';
import { readFile } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import type { ReleaseChangesDto } from '../features/commits/release-changes.dto.js';
import type { CreateReleaseBody, ReleaseDto, ReleasePageDto } from '../features/releases/releases.dto.js';
import { addApiOptions, type ApiOptions } from './api-options.js';
import {
  connect,
  encodePath,
  fileProblem,
  formatTable,
  formatTime,
  readInputFile,
  sendChange,
  truncate,
  write,
  type CliContext,
} from './command-support.js';
import { ago, printJson } from './output.js';
import { UsageError } from './run-command.js';

type EvidenceBody = NonNullable<CreateReleaseBody['evidence']>;

/** The evidence flags `release create` and `release evidence` share. */
export interface EvidenceOptions {
  junit?: string;
  coverage?: string;
  trivy?: string;
  sarif?: string;
  signature?: string;
  migrationCheck?: 'passed' | 'failed';
}

const EVIDENCE_FILES = ['junit', 'coverage', 'trivy', 'sarif'] as const;

function addEvidenceOptions(command: Command): Command {
  return command
    .option('--junit <file>', 'JUnit XML test report')
    .option('--coverage <file>', 'Istanbul coverage-summary.json or Cobertura XML')
    .option('--trivy <file>', 'Trivy JSON vulnerability report')
    .option('--sarif <file>', 'SARIF 2.1.0 scan results')
    .option('--signature <file>', 'signature over the digest, as `cosign sign-blob` writes it')
    .addOption(
      new Option('--migration-check <result>', 'outcome of the database migration check').choices([
        'passed',
        'failed',
      ]),
    );
}

/**
 * Reads the files the evidence flags name. Files go as text with their base
 * name (quoted back in gate explanations); the signature goes as base64, the
 * way cosign writes it (a raw binary signature is encoded here).
 */
export async function readEvidence(options: EvidenceOptions): Promise<EvidenceBody | undefined> {
  const evidence: EvidenceBody = {};
  for (const kind of EVIDENCE_FILES) {
    const path = options[kind];
    if (path === undefined) continue;
    evidence[kind] = { fileName: basename(path), content: await readInputFile(path, `--${kind}`) };
  }
  if (options.signature !== undefined) evidence.signature = await readSignature(options.signature);
  if (options.migrationCheck !== undefined) evidence.migrationCheck = options.migrationCheck;
  return Object.keys(evidence).length > 0 ? evidence : undefined;
}

async function readSignature(path: string): Promise<string> {
  let bytes: Buffer;
  try {
    bytes = await readFile(path);
  } catch (error) {
    throw new UsageError(`--signature ${path}: ${fileProblem(error)} (looked for ${resolve(path)})`);
  }
  const text = bytes.toString('utf8').replace(/\s+/g, '');
  if (text === '') throw new UsageError(`--signature ${path}: the file is empty`);
  return /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? text : bytes.toString('base64');
}

/** `created checkout 2026.11.3`, or `exists …` when the service already had a release of this digest. */
export function formatCreated(release: ReleaseDto, status: number | undefined): string {
  return `${status === 200 ? 'exists' : 'created'} ${release.service} ${release.version}`;
}

type EvidenceEntry = NonNullable<ReleaseDto['evidence']>[number];

function count(summary: Record<string, unknown>, key: string): number {
  const value = summary[key];
  return typeof value === 'number' ? value : 0;
}

/** One evidence summary in words: `410/412 passed, 2 failures`, `81.5% of lines (815/1000)`. */
export function describeEvidence(entry: EvidenceEntry): string {
  const summary = entry.summary;
  switch (entry.kind) {
    case 'tests': {
      const extras = (['failures', 'errors', 'skipped'] as const)
        .filter((key) => count(summary, key) > 0)
        .map((key) => `${count(summary, key)} ${key}`);
      return [`${count(summary, 'passed')}/${count(summary, 'total')} passed`, ...extras].join(', ');
    }
    case 'coverage':
      return `${count(summary, 'linePct')}% of lines (${count(summary, 'linesCovered')}/${count(summary, 'linesTotal')})`;
    case 'vulnerabilities': {
      const severities = ['critical', 'high', 'medium', 'low'];
      if (count(summary, 'unknown') > 0) severities.push('unknown');
      return severities.map((severity) => `${severity} ${count(summary, severity)}`).join(', ');
    }
    case 'signature': {
      const key = [summary.algorithm, summary.keyFingerprint].filter((part) => typeof part === 'string');
      return key.length > 0 ? `verified with ${key.join(' key ')}` : 'verified';
    }
    case 'migrationCheck':
      return typeof summary.result === 'string' ? summary.result : '-';
    default:
      return truncate(JSON.stringify(summary), 80);
  }
}

export function formatEvidenceTable(evidence: readonly EvidenceEntry[], now: number = Date.now()): string[] {
  return formatTable(
    evidence.map((entry) => ({
      kind: entry.kind,
      source: entry.source,
      summary: describeEvidence(entry),
      attached: `${ago(entry.attachedAt, now)} by ${entry.attachedBy}`,
    })),
    ['kind', 'source', 'summary', 'attached'],
  );
}

export function formatRelease(release: ReleaseDto, now: number = Date.now()): string[] {
  const lines = [
    `release ${release.service} ${release.version}`,
    `  image    ${release.image}@${release.digest}`,
    `  commit   ${release.commit}${release.commitTime ? ` (committed ${formatTime(release.commitTime)})` : ''}`,
    `  created  ${formatTime(release.createdAt)} (${ago(release.createdAt, now)}) by ${release.createdBy}`,
    `  id       ${release.id}`,
    '',
  ];
  const evidence = release.evidence ?? [];
  if (evidence.length === 0) {
    lines.push(
      `No evidence attached. Attach some with: gantry release evidence ${release.service} ${release.version} --junit junit.xml`,
    );
  } else {
    lines.push(...formatEvidenceTable(evidence, now));
  }
  return lines;
}

/** The commits a release brings to production, and whether that list is the whole story. */
export function formatChanges(changes: ReleaseChangesDto): string[] {
  const since = changes.previous ? ` since ${changes.previous.version}` : '';
  const heading = changes.historyKnown
    ? `Changes${since}: ${changes.commits.length} commit(s) (history known: ${changes.reason})`
    : `Changes: history unknown (${changes.reason}); counting the release's own commit only`;
  const rows = changes.commits.map((commit) => ({
    commit: commit.sha.slice(0, 12),
    committed: formatTime(commit.committedAt),
    author: commit.authorName ?? '-',
    title: commit.title === null ? '-' : truncate(commit.title, 60),
  }));
  return [heading, ...formatTable(rows, ['commit', 'committed', 'author', 'title'])];
}

export function formatReleaseList(page: ReleasePageDto, now: number = Date.now()): string[] {
  if (page.items.length === 0) return ['No releases yet. CI registers them with `gantry release create`.'];
  const lines = formatTable(
    page.items.map((release) => ({
      service: release.service,
      version: release.version,
      digest: shortDigest(release.digest),
      commit: release.commit.slice(0, 12),
      created: ago(release.createdAt, now),
      by: release.createdBy,
    })),
    ['service', 'version', 'digest', 'commit', 'created', 'by'],
  );
  if (page.nextCursor) lines.push('(more: raise --limit to see them)');
  return lines;
}

function shortDigest(digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return hex === undefined ? digest : `${algorithm}:${hex.slice(0, 12)}`;
}

export function releaseCommand(context: CliContext = {}): Command {
  const command = new Command('release').description(
    'register releases (an image digest, a commit and what CI proved about them) and read them',
  );

  addApiOptions(
    addEvidenceOptions(
      command
        .command('create')
        .description('register a release (CI runs this after pushing the image)')
        .requiredOption('--service <name>', 'the service, as declared in gantry.yaml')
        .requiredOption('--image <repository>', 'image repository, e.g. ghcr.io/acme/checkout')
        .requiredOption('--digest <digest>', 'image digest, sha256:…')
        .requiredOption('--commit <sha>', 'the commit the image was built from')
        .option('--commit-time <iso>', 'when that commit was made (ISO 8601), for lead time')
        .option('--version <version>', 'the version to give it; default the next CalVer YYYY.MM.N')
        .option('--idempotency-key <key>', 'send this key instead of a random one, e.g. the CI job id'),
    ),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry release create --service checkout --image ghcr.io/acme/checkout \\
      --digest sha256:4b1c…e9 --commit "$GITHUB_SHA" --junit target/junit.xml \\
      --coverage coverage/coverage-summary.json --trivy trivy.json --signature digest.sig
  $ gantry release create --service checkout --image ghcr.io/acme/checkout --digest "$DIGEST" \\
      --commit "$CI_COMMIT_SHA" --json | jq -r .version

Prints "created checkout 2026.11.3", or "exists …" when this digest is already a release of
the service. Safe to retry: the request carries an Idempotency-Key.`,
    )
    .action(
      async (
        options: ApiOptions &
          EvidenceOptions & {
            service: string;
            image: string;
            digest: string;
            commit: string;
            commitTime?: string;
            version?: string;
            idempotencyKey?: string;
          },
      ) => {
        const evidence = await readEvidence(options);
        const body: CreateReleaseBody = {
          service: options.service,
          image: options.image,
          digest: options.digest,
          commit: options.commit,
          ...(options.commitTime !== undefined ? { commitTime: options.commitTime } : {}),
          ...(options.version !== undefined ? { version: options.version } : {}),
          ...(evidence ? { evidence } : {}),
        };
        const api = connect(options, context);
        const release = await sendChange<ReleaseDto>(
          api,
          'POST',
          'api/v1/releases',
          body,
          context,
          options.idempotencyKey,
        );
        if (options.json) return printJson(release);
        write(formatCreated(release, api.lastStatus()));
      },
    );

  addApiOptions(
    addEvidenceOptions(
      command
        .command('evidence')
        .description('attach evidence to a release (attaching a kind again replaces it)')
        .argument('<service>')
        .argument('<version>'),
    ),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry release evidence checkout 2026.11.3 --trivy trivy.json
  $ gantry release evidence checkout 2026.11.3 --migration-check passed`,
    )
    .action(async (service: string, version: string, options: ApiOptions & EvidenceOptions) => {
      const evidence = await readEvidence(options);
      if (!evidence) {
        throw new UsageError(
          'attach at least one of --junit, --coverage, --trivy, --sarif, --signature, --migration-check',
        );
      }
      const release = await sendChange<ReleaseDto>(
        connect(options, context),
        'POST',
        `api/v1/releases/${encodePath(service, version)}/evidence`,
        evidence,
        context,
      );
      if (options.json) return printJson(release);
      write(`attached evidence to ${release.service} ${release.version}`);
      if (release.evidence?.length) write(formatEvidenceTable(release.evidence, context.now?.()));
    });

  addApiOptions(
    command
      .command('list')
      .description('list releases, newest first')
      .option('--service <name>', 'only this service')
      .option('--limit <n>', 'at most this many', '50'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry release list --service checkout --limit 10`,
    )
    .action(async (options: ApiOptions & { service?: string; limit: string }) => {
      const page = await connect(options, context).client.get<ReleasePageDto>('api/v1/releases', {
        service: options.service,
        limit: options.limit,
      });
      if (options.json) return printJson(page);
      write(formatReleaseList(page, context.now?.()));
    });

  addApiOptions(
    command
      .command('show')
      .description('show one release and its evidence')
      .argument('<service>')
      .argument('<version>'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry release show checkout 2026.11.3`,
    )
    .action(async (service: string, version: string, options: ApiOptions) => {
      const { client } = connect(options, context);
      const release = await client.get<ReleaseDto>(`api/v1/releases/${encodePath(service, version)}`);
      const changes = await client.get<ReleaseChangesDto>(
        `api/v1/releases/${encodePath(service, version)}/changes`,
      );
      if (options.json) return printJson({ ...release, changes });
      write([...formatRelease(release, context.now?.()), '', ...formatChanges(changes)]);
    });

  return command;
}
