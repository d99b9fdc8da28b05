import { Command, Option } from 'commander';
import type {
  ChannelListDto,
  ChannelTestResultDto,
  DeliveryDto,
  DeliveryPageDto,
  ReplayResultDto,
} from '../features/notifications/notifications.dto.js';
import { addApiOptions, apiClient, type ApiOptions } from './api-options.js';
import { ago, printJson, printTable } from './output.js';
import { UsageError } from './run-command.js';

export function notificationsCommand(): Command {
  const command = new Command('notifications').description(
    'channels Gantry notifies (Slack, webhooks), what it sent, and dead deliveries to send again',
  );

  addApiOptions(
    command.command('channels').description('the configured channels and what each is subscribed to'),
  ).action(async (options: ApiOptions) => {
    const { items } = await apiClient(options).get<ChannelListDto>('api/v1/notifications/channels');
    if (options.json) return printJson(items);
    if (items.length === 0) {
      process.stdout.write(
        'No channels: set GANTRY_NOTIFICATIONS_FILE on the server (docs/notifications.md).\n',
      );
      return;
    }
    printTable(
      items.flatMap((channel) => {
        const subscriptions = channel.subscriptions.length > 0 ? channel.subscriptions : [undefined];
        return subscriptions.map((sub, index) => ({
          channel: index === 0 ? channel.name : '',
          type: index === 0 ? channel.type : '',
          url: index === 0 ? channel.url : '',
          events: sub ? sub.events.join(',') : '(no subscription)',
          services: sub ? (sub.services?.join(',') ?? '*') : '',
          stages: sub ? (sub.stages?.join(',') ?? '*') : '',
        }));
      }),
      ['channel', 'type', 'url', 'events', 'services', 'stages'],
    );
  });

  addApiOptions(
    command
      .command('test')
      .description('post a test message to a channel now and say how it answered')
      .argument('<channel>'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry notifications test deploys`,
    )
    .action(async (channel: string, options: ApiOptions) => {
      const result = await apiClient(options).post<ChannelTestResultDto>(
        `api/v1/notifications/channels/${encodeURIComponent(channel)}/test`,
      );
      if (options.json) return printJson(result);
      if (!result.ok)
        throw new UsageError(`${channel} did not take the test message: ${result.error ?? 'no answer'}`);
      process.stdout.write(`sent a test message to ${channel} (HTTP ${result.httpStatus})\n`);
    });

  addApiOptions(
    command
      .command('list')
      .description('list deliveries, newest first')
      .addOption(new Option('--status <status>', 'only this status').choices(['pending', 'sent', 'dead']))
      .option('--channel <channel>', 'only this channel')
      .option('--type <type>', 'only this notification, e.g. promotion.failed')
      .option('--limit <n>', 'at most this many', '50'),
  ).action(
    async (options: ApiOptions & { status?: string; channel?: string; type?: string; limit: string }) => {
      const page = await apiClient(options).get<DeliveryPageDto>('api/v1/notifications/deliveries', {
        status: options.status,
        channel: options.channel,
        type: options.type,
        limit: options.limit,
      });
      if (options.json) return printJson(page);
      if (page.items.length === 0) {
        process.stdout.write('No deliveries.\n');
        return;
      }
      printTable(
        page.items.map((row) => ({
          id: row.id,
          channel: row.channel,
          type: row.type,
          subject: row.subject,
          status: row.status,
          attempts: String(row.attempts),
          created: ago(row.createdAt),
          error: truncate(row.lastError ?? '', 60),
        })),
        ['id', 'channel', 'type', 'subject', 'status', 'attempts', 'created', 'error'],
      );
      if (page.nextCursor) process.stdout.write('(more: raise --limit to see them)\n');
    },
  );

  addApiOptions(
    command
      .command('show')
      .description('one delivery with its content, attempts and last error')
      .argument('<id>'),
  ).action(async (id: string, options: ApiOptions) => {
    const row = await apiClient(options).get<DeliveryDto>(
      `api/v1/notifications/deliveries/${encodeURIComponent(id)}`,
    );
    if (options.json) return printJson(row);
    const next = row.nextAttemptAt ? `, next attempt ${row.nextAttemptAt}` : '';
    process.stdout.write(
      [
        `Delivery ${row.id}`,
        `  channel      ${row.channel}`,
        `  notification ${row.type} about ${row.subject} (event ${row.eventId})`,
        `  status       ${row.status}${row.replayCount ? ` (replayed ${row.replayCount}×)` : ''}`,
        `  attempts     ${row.attempts}${next}`,
        `  last answer  ${row.lastStatus ?? '-'}${row.lastError ? `: ${row.lastError}` : ''}`,
        `  data         ${JSON.stringify(row.data, null, 2).replace(/\n/g, '\n               ')}`,
        '',
      ].join('\n'),
    );
  });

  addApiOptions(
    command
      .command('replay')
      .description('send dead deliveries again, with a fresh attempt count')
      .argument('[ids...]', 'delivery ids')
      .option('--all', 'every dead delivery (narrow with --channel / --type)')
      .option('--channel <channel>', 'with --all: only this channel')
      .option('--type <type>', 'with --all: only this notification'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry notifications list --status dead
  $ gantry notifications replay 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42
  $ gantry notifications replay --all --channel deploys`,
    )
    .action(
      async (ids: string[], options: ApiOptions & { all?: boolean; channel?: string; type?: string }) => {
        if (ids.length === 0 && !options.all)
          throw new UsageError('name the deliveries to replay, or pass --all');
        if (ids.length > 0 && options.all) throw new UsageError('give ids or --all, not both');
        const api = apiClient(options);
        const results = options.all
          ? (
              await api.post<{ items: ReplayResultDto[] }>('api/v1/notifications/deliveries/replay', {
                channel: options.channel,
                type: options.type,
              })
            ).items
          : await Promise.all(
              ids.map((id) =>
                api.post<ReplayResultDto>(`api/v1/notifications/deliveries/${encodeURIComponent(id)}/replay`),
              ),
            );
        if (options.json) return printJson(results);
        if (results.length === 0) process.stdout.write('Nothing to replay.\n');
        for (const { delivery, queued } of results) {
          process.stdout.write(
            queued
              ? `queued ${delivery.id} (${delivery.type} to ${delivery.channel})\n`
              : `skipped ${delivery.id}: it is ${delivery.status}, not dead\n`,
          );
        }
      },
    );

  return command;
}

function truncate(text: string, length: number): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
