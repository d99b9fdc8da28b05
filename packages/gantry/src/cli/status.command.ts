import { Command, InvalidArgumentError } from 'commander';
import { setTimeout as delay } from 'node:timers/promises';
import type { StatusDto } from '../features/promotions/promotions.dto.js';
import { errorMessage } from '../shared/errors.js';
import { redactText } from '../shared/redact.js';
import { ApiError } from './api-client.js';
import { addApiOptions, type ApiOptions } from './api-options.js';
import { connect, formatTable, formatTime, write, type CliContext } from './command-support.js';
import { ago, printJson } from './output.js';

type ServiceStatus = StatusDto['items'][number];
type StageCell = ServiceStatus['stages'][number];

/** Redraw the screen: cursor home, clear. Plain ANSI, no colour. */
const CLEAR_SCREEN = '\u001b[H\u001b[2J';

export const MIN_INTERVAL_MS = 500;

/** `2s`, `500ms`, `1m`, or a bare number of seconds. */
export function parseInterval(text: string): number {
  const match = /^(\d+(?:\.\d+)?)(ms|s|m)?$/.exec(text.trim());
  if (!match) throw new InvalidArgumentError('expected a duration such as 2s, 500ms or 1m');
  const value = Number(match[1]);
  const ms = Math.round(match[2] === 'ms' ? value : match[2] === 'm' ? value * 60_000 : value * 1_000);
  if (ms < MIN_INTERVAL_MS) throw new InvalidArgumentError(`at least ${MIN_INTERVAL_MS}ms`);
  return ms;
}

/**
 * The stage columns: every stage of every service, in pipeline order. A stage
 * only some services have goes right after the stage it follows in the first
 * service that has it (or before the stage it precedes, when it comes first).
 */
export function stageColumns(items: readonly ServiceStatus[]): string[] {
  const columns: string[] = [];
  for (const service of items) {
    const names = service.stages.map((cell) => cell.stage);
    names.forEach((stage, index) => {
      if (columns.includes(stage)) return;
      if (index > 0) {
        columns.splice(columns.indexOf(names[index - 1]!) + 1, 0, stage);
        return;
      }
      const next = names
        .slice(1)
        .map((name) => columns.indexOf(name))
        .find((at) => at >= 0);
      columns.splice(next ?? columns.length, 0, stage);
    });
  }
  return columns;
}

/** `2026.11.3 (3h ago)`, or `2026.11.3 → 2026.11.4 Applying` while a promotion is active. */
export function formatStageCell(cell: StageCell, now: number = Date.now()): string {
  const current = cell.currentVersion ?? '-';
  if (cell.activePromotion)
    return `${current} → ${cell.activePromotion.version} ${cell.activePromotion.phase}`;
  if (!cell.currentVersion) return '-';
  return cell.since ? `${current} (${ago(cell.since, now)})` : current;
}

/** Rows = services, columns = stages; below the table, the frozen stages and those whose auto-promotion is held. */
export function formatStatusMatrix(status: StatusDto, now: number = Date.now()): string[] {
  if (status.items.length === 0) {
    return ['No services yet. Declare them in gantry.yaml and run `gantry apply -f gantry.yaml`.'];
  }
  const stages = stageColumns(status.items);
  const rows = status.items.map((service) => {
    const row: Record<string, string> = { service: service.service };
    for (const cell of service.stages) row[cell.stage] = formatStageCell(cell, now);
    return row;
  });
  const lines = formatTable(rows, ['service', ...stages]);
  for (const service of status.items) {
    for (const cell of service.stages) {
      if (cell.freeze) {
        const why = cell.freeze.reason ? ` (${cell.freeze.reason})` : '';
        lines.push(`${service.service} ${cell.stage}: frozen${why} until ${cell.freeze.until}`);
      }
      if (!cell.autoHold) continue;
      lines.push(
        `${service.service} ${cell.stage}: auto-promotion held since ${cell.autoHold.actor} promoted ${cell.autoHold.version} by hand ${ago(cell.autoHold.at, now)}`,
      );
    }
  }
  return lines;
}

export function statusCommand(context: CliContext = {}): Command {
  return addApiOptions(
    new Command('status')
      .description('which release runs in which stage, and what is on its way')
      .argument('[service]', 'only this service')
      .option('-w, --watch', 'redraw until Ctrl-C')
      .option('--interval <duration>', 'with --watch: how often to redraw', parseInterval, 2_000),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry status
  $ gantry status checkout --watch
  $ gantry status --watch --interval 5s

Each cell is the current release and how long it has run, or "current → next Phase"
while a promotion is active. Without a terminal, --watch prints a new block each time.`,
    )
    .action(
      async (service: string | undefined, options: ApiOptions & { watch?: boolean; interval: number }) => {
        const api = connect(options, context);
        const load = () => api.client.get<StatusDto>('api/v1/status', { service });
        const now = () => (context.now ?? Date.now)();
        if (!options.watch) {
          const status = await load();
          if (options.json) return printJson(status);
          write(formatStatusMatrix(status, now()));
          return;
        }
        await watch(context, options.interval, options.json === true, async () => {
          const status = await load();
          return options.json ? JSON.stringify(status) : formatStatusMatrix(status, now()).join('\n');
        });
      },
    );
}

/**
 * Renders every `intervalMs` until Ctrl-C (or `context.signal`). On a
 * terminal the screen is cleared and redrawn; otherwise each render is a new
 * block, so a log keeps the history (with --json, one JSON line each time).
 * A server that cannot be reached for a moment is reported on stderr and
 * asked again; a refusal (bad token, unknown service) ends the watch.
 */
async function watch(
  context: CliContext,
  intervalMs: number,
  json: boolean,
  render: () => Promise<string>,
): Promise<void> {
  const controller = new AbortController();
  const stop = () => controller.abort();
  const signal = context.signal ?? controller.signal;
  if (!context.signal) process.once('SIGINT', stop);
  const tty = context.isTTY ?? process.stdout.isTTY === true;
  const sleep =
    context.sleep ?? ((ms: number, abort?: AbortSignal) => delay(ms, undefined, { signal: abort }));
  try {
    while (!signal.aborted) {
      const stamp = `${formatTime(new Date((context.now ?? Date.now)()).toISOString())}, every ${intervalMs / 1000}s`;
      try {
        const block = await render();
        if (json) write(block);
        else if (tty) write(`${CLEAR_SCREEN}${stamp}; Ctrl-C to stop\n\n${block}`);
        else write(`--- ${stamp}\n${block}\n`);
      } catch (error) {
        if (!(error instanceof ApiError) || !(error.status === 0 || error.status >= 500)) throw error;
        process.stderr.write(
          `gantry: ${redactText(errorMessage(error))} (asking again in ${intervalMs / 1000}s)\n`,
        );
      }
      try {
        await sleep(intervalMs, signal);
      } catch (error) {
        if (!signal.aborted) throw error;
      }
    }
  } finally {
    process.off('SIGINT', stop);
  }
}
