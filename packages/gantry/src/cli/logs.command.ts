import { Command, InvalidArgumentError } from 'commander';
import type { LogsDto } from '../features/local-target/logs.dto.js';
import { addApiOptions, type ApiOptions } from './api-options.js';
import { connect, encodePath, write, type CliContext } from './command-support.js';
import { printJson } from './output.js';
import { UsageError } from './run-command.js';

function positiveInteger(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > 10_000) {
    throw new InvalidArgumentError('expected a whole number from 1 to 10000');
  }
  return value;
}

function replicaIndex(text: string): number {
  const value = Number(text);
  if (!Number.isInteger(value) || value < 0)
    throw new InvalidArgumentError('expected a replica index: 0, 1, …');
  return value;
}

/** `gantry logs`: what the replicas of a local stage wrote, and what they write next with --follow. */
export function logsCommand(context: CliContext = {}): Command {
  return addApiOptions(
    new Command('logs')
      .description("show the logs of a local stage's replicas")
      .argument('<service>')
      .requiredOption('--stage <stage>', 'the stage')
      .option('--version <version>', 'this release (default: the one rolling out, else the one running)')
      .option('--replica <n>', 'only this replica (0, 1, …)', replicaIndex)
      .option('-n, --lines <n>', 'lines per replica to start with', positiveInteger, 100)
      .option('-f, --follow', 'keep printing new lines until Ctrl-C (not with --json)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry logs checkout --stage prod
  $ gantry logs checkout --stage prod --version 2026.11.4 --follow
  $ gantry logs checkout --stage prod --replica 1 -n 20

Each line starts with its replica's index: [0] listening on 4123.`,
    )
    .action(
      async (
        service: string,
        options: ApiOptions & {
          stage: string;
          version?: string;
          replica?: number;
          lines: number;
          follow?: boolean;
        },
      ) => {
        const path = `api/v1/services/${encodePath(service)}/stages/${encodePath(options.stage)}/logs`;
        const query = {
          version: options.version,
          replica: options.replica,
          lines: options.lines,
        };
        // A followed log is a text stream: there is no JSON document to print.
        if (options.follow && options.json) throw new UsageError('--json cannot be used with --follow');
        const { client } = connect(options, context);
        if (!options.follow) {
          const logs = await client.get<LogsDto>(path, query);
          if (options.json) return printJson(logs);
          write(formatLogs(logs));
          return;
        }
        const controller = new AbortController();
        const stop = () => controller.abort();
        if (!context.signal) process.once('SIGINT', stop);
        try {
          const chunks = client.stream(
            path,
            { ...query, follow: 'true' },
            context.signal ?? controller.signal,
          );
          for await (const chunk of chunks) process.stdout.write(chunk);
        } finally {
          process.off('SIGINT', stop);
        }
      },
    );
}

/** `[0] listening on 4123`: each replica's lines in turn, each marked with its index. */
export function formatLogs(logs: LogsDto): string {
  const lines = logs.replicas.flatMap((replica) =>
    replica.lines.map((line) => `[${replica.replica}] ${line}`),
  );
  if (lines.length === 0) return `no log lines of ${logs.service} ${logs.version} in ${logs.stage} yet`;
  return lines.join('\n');
}
