import { Command, Option } from 'commander';
import type {
  DeadLetterDto,
  DeadLetterPageDto,
  ReplayResultDto,
} from '../features/events/dead-letters/dead-letters.dto.js';
import { addApiOptions, apiClient, type ApiOptions } from './api-options.js';
import { ago, printJson, printTable } from './output.js';
import { UsageError } from './run-command.js';

export function deadLettersCommand(): Command {
  const command = new Command('dead-letters')
    .alias('dlq')
    .description('inspect and replay events that a consumer group gave up on');

  addApiOptions(
    command
      .command('list')
      .description('list dead letters, newest first')
      .addOption(
        new Option('--status <status>', 'only this status').choices(['dead', 'replaying', 'resolved']),
      )
      .option('--group <group>', 'only this consumer group')
      .option('--type <type>', 'only this event type')
      .option('--limit <n>', 'at most this many', '50'),
  ).action(
    async (options: ApiOptions & { status?: string; group?: string; type?: string; limit: string }) => {
      const page = await apiClient(options).get<DeadLetterPageDto>('api/v1/dead-letters', {
        status: options.status,
        group: options.group,
        type: options.type,
        limit: options.limit,
      });
      if (options.json) return printJson(page);
      if (page.items.length === 0) {
        process.stdout.write('No dead letters. Every consumer handled every event it was given.\n');
        return;
      }
      printTable(
        page.items.map((row) => ({
          id: row.id,
          group: row.consumerGroup,
          type: row.type,
          key: row.key,
          status: row.status,
          attempts: String(row.attempts),
          died: ago(row.deadAt),
          error: truncate(row.lastError, 60),
        })),
        ['id', 'group', 'type', 'key', 'status', 'attempts', 'died', 'error'],
      );
      if (page.nextCursor) process.stdout.write(`(more: raise --limit to see them)\n`);
    },
  );

  addApiOptions(
    command
      .command('show')
      .description('show one dead letter with its payload and last error')
      .argument('<id>'),
  ).action(async (id: string, options: ApiOptions) => {
    const row = await apiClient(options).get<DeadLetterDto>(`api/v1/dead-letters/${encodeURIComponent(id)}`);
    if (options.json) return printJson(row);
    process.stdout.write(
      [
        `Dead letter ${row.id}`,
        `  consumer group  ${row.consumerGroup}`,
        `  event           ${row.type} ${row.eventId} (key ${row.key}, schema v${row.schemaVersion})`,
        `  status          ${row.status}${row.replayCount ? ` (replayed ${row.replayCount}×, last ${ago(row.lastReplayedAt)})` : ''}`,
        `  attempts        ${row.attempts}, first failure ${row.firstFailedAt}, gave up ${row.deadAt}`,
        `  last error      ${row.lastError}`,
        `  payload         ${JSON.stringify(row.payload, null, 2).replace(/\n/g, '\n                  ')}`,
        '',
      ].join('\n'),
    );
  });

  addApiOptions(
    command
      .command('replay')
      .description(
        'hand dead letters back to their consumer group (idempotent: handled events are not repeated)',
      )
      .argument('[ids...]', 'dead-letter ids')
      .option('--all', 'replay every dead letter (narrow with --group / --type)')
      .option('--group <group>', 'with --all: only this consumer group')
      .option('--type <type>', 'with --all: only this event type'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry dead-letters replay 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42
  $ gantry dead-letters replay --all --group notifications`,
    )
    .action(async (ids: string[], options: ApiOptions & { all?: boolean; group?: string; type?: string }) => {
      if (ids.length === 0 && !options.all)
        throw new UsageError('name the dead letters to replay, or pass --all');
      if (ids.length > 0 && options.all) throw new UsageError('give ids or --all, not both');
      const api = apiClient(options);
      const results = options.all
        ? (
            await api.post<{ items: ReplayResultDto[] }>('api/v1/dead-letters/replay', {
              group: options.group,
              type: options.type,
            })
          ).items
        : await Promise.all(
            ids.map((id) =>
              api.post<ReplayResultDto>(`api/v1/dead-letters/${encodeURIComponent(id)}/replay`),
            ),
          );
      if (options.json) return printJson(results);
      if (results.length === 0) process.stdout.write('Nothing to replay.\n');
      for (const result of results) {
        const { deadLetter } = result;
        process.stdout.write(
          result.queued
            ? `queued ${deadLetter.id} (${deadLetter.type} for ${deadLetter.consumerGroup})\n`
            : `skipped ${deadLetter.id}: already resolved\n`,
        );
      }
    });

  return command;
}

function truncate(text: string, length: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
