import { Command } from 'commander';
import type { AuditPageDto } from '../features/access/audit.dto.js';
import { addApiOptions, apiClient, type ApiOptions } from './api-options.js';
import { printJson, printTable } from './output.js';

interface AuditOptions extends ApiOptions {
  actor?: string;
  action?: string;
  target?: string;
  since?: string;
  until?: string;
  limit: string;
}

export function auditCommand(): Command {
  return addApiOptions(
    new Command('audit')
      .description(
        'read the audit log, newest first: who did what to what, and why (needs an approver token)',
      )
      .option('--actor <name>', 'only this actor (a token name, system:… or webhook:…)')
      .option('--action <action>', 'only this action; a trailing * matches a prefix (promotion.*)')
      .option('--target <target>', 'only this target; a trailing * matches a prefix (promotion/*)')
      .option('--since <when>', 'only entries since then: a duration back (24h, 7d) or an ISO time')
      .option('--until <when>', 'only entries until then: a duration back or an ISO time')
      .option('--limit <n>', 'at most this many', '50'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry audit --since 24h
  $ gantry audit --action 'promotion.*' --target promotion/0193…
  $ gantry audit --actor ci --json`,
    )
    .action(async (options: AuditOptions) => {
      const page = await apiClient(options).get<AuditPageDto>('api/v1/audit', {
        actor: options.actor,
        action: options.action,
        target: options.target,
        since: options.since,
        until: options.until,
        limit: options.limit,
      });
      if (options.json) return printJson(page);
      if (page.items.length === 0) {
        process.stdout.write('No audit entries match.\n');
        return;
      }
      printTable(
        page.items.map((entry) => ({
          at: entry.at,
          actor: entry.actor,
          action: entry.action,
          target: entry.target,
          reason: oneLine(entry.reason ?? ''),
        })),
        ['at', 'actor', 'action', 'target', 'reason'],
      );
      if (page.nextCursor) process.stdout.write('(more: raise --limit or narrow --since to see them)\n');
    });
}

function oneLine(text: string, length = 80): string {
  const line = text.replace(/\s+/g, ' ');
  return line.length > length ? `${line.slice(0, length - 1)}…` : line;
}
