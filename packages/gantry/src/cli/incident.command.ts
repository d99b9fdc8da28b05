import { Command, Option } from 'commander';
import type { IncidentDto, IncidentPageDto } from '../features/incidents/incidents.dto.js';
import { addApiOptions, type ApiOptions } from './api-options.js';
import {
  configureUsageErrors,
  connect,
  encodePath,
  formatTable,
  formatTime,
  sendChange,
  truncate,
  write,
  type CliContext,
} from './command-support.js';
import { ago, printJson } from './output.js';

const EXAMPLE_ID = '01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42';
const EXAMPLE_PROMOTION = '01934f0e-9a1c-7d2e-8f3a-4b5c6d7e8f90';

/** `incident 0193…: checkout in prod (open, critical): checkout answers 12% errors`, then its promotion. */
export function formatIncident(incident: IncidentDto): string[] {
  const where = incident.service
    ? `${incident.service}${incident.stage ? ` in ${incident.stage}` : ''}`
    : 'no service';
  const state = [incident.status, incident.severity].filter(Boolean).join(', ');
  const lines = [`incident ${incident.id}: ${where} (${state}): ${incident.title}`];
  if (incident.promotionId) lines.push(`  caused by promotion ${incident.promotionId}`);
  if (incident.rollback) lines.push(`  ${rollbackText(incident.rollback)}`);
  return lines;
}

function rollbackText(rollback: NonNullable<IncidentDto['rollback']>): string {
  switch (rollback.action) {
    case 'withdrawn':
      return `rolled back: ${rollback.reason}`;
    case 'promoted':
      return `rollback promotion ${rollback.promotionId ?? ''} started: ${rollback.reason}`;
    case 'pending':
      return `rollback waits: ${rollback.reason}`;
    case 'skipped':
      return rollback.reason;
  }
}

export function formatIncidentDetail(incident: IncidentDto, now: number = Date.now()): string[] {
  const lines = formatIncident(incident);
  lines.push(
    `  source     ${incident.source}${incident.source === 'manual' ? '' : ` (${incident.fingerprint})`}`,
  );
  lines.push(
    `  opened     ${formatTime(incident.openedAt)} (${ago(incident.openedAt, now)}) by ${incident.openedBy}`,
  );
  if (incident.resolvedAt) {
    lines.push(
      `  resolved   ${formatTime(incident.resolvedAt)} (${ago(incident.resolvedAt, now)}) by ${incident.resolvedBy ?? 'unknown'}`,
    );
  }
  if (incident.url) lines.push(`  url        ${incident.url}`);
  const labels = Object.entries(incident.labels);
  if (labels.length > 0) {
    lines.push('', 'Labels', ...labels.map(([name, value]) => `  ${name}=${value}`));
  }
  return lines;
}

export function formatIncidentList(page: IncidentPageDto, now: number = Date.now()): string[] {
  if (page.items.length === 0) return ['No incidents match.'];
  const lines = formatTable(
    page.items.map((incident) => ({
      id: incident.id,
      status: incident.status,
      service: incident.service ?? '-',
      stage: incident.stage ?? '-',
      severity: incident.severity ?? '-',
      opened: ago(incident.openedAt, now),
      promotion: incident.promotionId ?? '-',
      title: truncate(incident.title, 60),
    })),
    ['id', 'status', 'service', 'stage', 'severity', 'opened', 'promotion', 'title'],
  );
  if (page.nextCursor) lines.push('(more: raise --limit to see them)');
  return lines;
}

function incidentPath(id: string, action?: string): string {
  return `api/v1/incidents/${encodePath(id)}${action ? `/${action}` : ''}`;
}

/** `gantry incident open|resolve|link|list|show`: incidents from sources other than Alertmanager. */
export function incidentCommand(context: CliContext = {}): Command {
  const command = new Command('incident')
    .description('open, link and resolve incidents (Alertmanager alerts open and resolve theirs)')
    .addHelpText(
      'after',
      `
Examples:
  $ gantry incident list --status open
  $ gantry incident open "checkout answers 12% errors" --service checkout --stage prod
  $ gantry incident resolve ${EXAMPLE_ID} --reason "rolled back"`,
    );

  addApiOptions(
    command
      .command('open')
      .description('open an incident by hand, linked to the promotion that caused it')
      .argument('<title>', 'what is wrong, in one line')
      .option('--service <name>', 'the service it is about')
      .option('--stage <name>', 'the stage it is about (needs --service); omit for the whole service')
      .option('--severity <text>', 'e.g. critical, major, minor')
      .option('--link <url>', 'where to read more: the ticket, the dashboard')
      .option('--promotion <id>', 'the promotion that caused it; default the latest promotion into --stage'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry incident open "checkout answers 12% errors" --service checkout --stage prod --severity critical
  $ gantry incident open "payments time out" --service checkout --stage prod --promotion ${EXAMPLE_PROMOTION}
  $ gantry incident open "support inbox full of login complaints" --service accounts --link https://tickets.example/INC-42

An incident opened by hand is linked, never rolled back by itself; roll back with gantry rollback.`,
    )
    .action(
      async (
        title: string,
        options: ApiOptions & {
          service?: string;
          stage?: string;
          severity?: string;
          link?: string;
          promotion?: string;
        },
      ) => {
        const incident = await sendChange<IncidentDto>(
          connect(options, context),
          'POST',
          'api/v1/incidents',
          {
            title,
            ...(options.service !== undefined ? { service: options.service } : {}),
            ...(options.stage !== undefined ? { stage: options.stage } : {}),
            ...(options.severity !== undefined ? { severity: options.severity } : {}),
            ...(options.link !== undefined ? { url: options.link } : {}),
            ...(options.promotion !== undefined ? { promotion: options.promotion } : {}),
          },
          context,
        );
        if (options.json) return printJson(incident);
        write(formatIncident(incident));
      },
    );

  addApiOptions(
    command
      .command('resolve')
      .description('resolve an open incident')
      .argument('<id>', 'incident id')
      .option('--reason <text>', 'what fixed it, for the record'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry incident resolve ${EXAMPLE_ID} --reason "rolled back to 2026.11.2"`,
    )
    .action(async (id: string, options: ApiOptions & { reason?: string }) => {
      const incident = await sendChange<IncidentDto>(
        connect(options, context),
        'POST',
        incidentPath(id, 'resolve'),
        options.reason !== undefined ? { reason: options.reason } : {},
        context,
      );
      if (options.json) return printJson(incident);
      write(formatIncident(incident));
    });

  addApiOptions(
    command
      .command('link')
      .description('link an incident to the promotion that caused it (replaces an earlier link)')
      .argument('<id>', 'incident id')
      .requiredOption('--promotion <id>', 'the promotion that caused it')
      .requiredOption('--reason <text>', 'why this promotion'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry incident link ${EXAMPLE_ID} --promotion ${EXAMPLE_PROMOTION} --reason "the new cache config"`,
    )
    .action(async (id: string, options: ApiOptions & { promotion: string; reason: string }) => {
      const incident = await sendChange<IncidentDto>(
        connect(options, context),
        'POST',
        incidentPath(id, 'link'),
        { promotion: options.promotion, reason: options.reason },
        context,
      );
      if (options.json) return printJson(incident);
      write(formatIncident(incident));
    });

  addApiOptions(
    command
      .command('list')
      .description('list incidents, newest first')
      .addOption(new Option('--status <status>', 'only open or resolved ones').choices(['open', 'resolved']))
      .option('--service <name>', 'only this service')
      .option('--stage <name>', 'only this stage')
      .option('--limit <n>', 'at most this many', '50'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry incident list --status open
  $ gantry incident list --service checkout --stage prod --limit 10`,
    )
    .action(
      async (options: ApiOptions & { status?: string; service?: string; stage?: string; limit: string }) => {
        const page = await connect(options, context).client.get<IncidentPageDto>('api/v1/incidents', {
          status: options.status,
          service: options.service,
          stage: options.stage,
          limit: options.limit,
        });
        if (options.json) return printJson(page);
        write(formatIncidentList(page, context.now?.()));
      },
    );

  addApiOptions(command.command('show').description('show one incident').argument('<id>', 'incident id'))
    .addHelpText(
      'after',
      `
Examples:
  $ gantry incident show ${EXAMPLE_ID}`,
    )
    .action(async (id: string, options: ApiOptions) => {
      const incident = await connect(options, context).client.get<IncidentDto>(incidentPath(id));
      if (options.json) return printJson(incident);
      write(formatIncidentDetail(incident, context.now?.()));
    });

  return configureUsageErrors(command);
}
