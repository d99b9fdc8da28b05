import { Command, Option } from 'commander';
import { PROMOTION_PHASES } from '../features/promotions/promotion-state-machine.js';
import type { PromotionDto, PromotionPageDto, WhyDto } from '../features/promotions/promotions.dto.js';
import type { RolloutDto } from '../features/rollouts/rollouts.dto.js';
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
import { UsageError } from './run-command.js';

/**
 * `promotion 0193…: checkout 2026.11.3 → prod (Pending)`, then its message
 * and, unless `nextStep` is false, the command that moves it on.
 */
export function formatPromotion(promotion: PromotionDto, { nextStep = true } = {}): string[] {
  const kind = promotion.trigger === 'rollback' ? ', rollback' : '';
  const lines = [
    `promotion ${promotion.id}: ${promotion.service} ${promotion.version} → ${promotion.stage} (${promotion.phase}${kind})`,
  ];
  if (promotion.message) lines.push(`  ${promotion.message}`);
  if (!nextStep) return lines;
  if (promotion.phase === 'WaitingForGates') {
    lines.push(`  see why: gantry why ${promotion.service} ${promotion.version} --stage ${promotion.stage}`);
  } else if (promotion.phase === 'WaitingForApproval') {
    lines.push(`  approve: gantry approve ${promotion.id}`);
  }
  return lines;
}

type Transition = NonNullable<PromotionDto['transitions']>[number];

/**
 * `2026-11-20T10:02:03Z  Pending → WaitingForGates  gantry  gates checked`,
 * oldest first, in columns, the arrows under each other.
 */
export function formatTimeline(transitions: readonly Transition[]): string[] {
  const from = transitions.map((transition) => transition.from ?? '-');
  const fromWidth = Math.max(...from.map((text) => text.length));
  const toWidth = Math.max(...transitions.map((transition) => transition.to.length));
  const actorWidth = Math.max(...transitions.map((transition) => transition.actor.length));
  return transitions.map((transition, index) =>
    [
      formatTime(transition.at),
      `${from[index]!.padStart(fromWidth)} → ${transition.to.padEnd(toWidth)}`,
      transition.actor.padEnd(actorWidth),
      transition.reason,
    ]
      .join('  ')
      .trimEnd(),
  );
}

export function formatPromotionDetail(promotion: PromotionDto, now: number = Date.now()): string[] {
  const lines = formatPromotion(promotion, { nextStep: false });
  const requested = `${promotion.trigger} by ${promotion.requestedBy}${promotion.reason ? `: "${promotion.reason}"` : ''}`;
  lines.push(`  trigger    ${requested}`);
  if (promotion.freezeOverride) {
    lines.push(
      `  freeze     overridden by ${promotion.freezeOverride.actor}: "${promotion.freezeOverride.reason}"`,
    );
  }
  lines.push(`  pipeline   revision ${promotion.pipelineRevision}`);
  if (promotion.appliedRevision) lines.push(`  applied    ${promotion.appliedRevision}`);
  lines.push(`  started    ${formatTime(promotion.createdAt)} (${ago(promotion.createdAt, now)})`);
  if (promotion.finishedAt)
    lines.push(`  finished   ${formatTime(promotion.finishedAt)} (${ago(promotion.finishedAt, now)})`);
  if (promotion.transitions?.length)
    lines.push('', 'Timeline', ...indent(formatTimeline(promotion.transitions)));
  if (promotion.decisions?.length) {
    lines.push(
      '',
      'Decisions',
      ...indent(
        promotion.decisions.map(
          (decision) =>
            `${formatTime(decision.at)}  ${decision.decision} by ${decision.actor}${decision.comment ? `: "${decision.comment}"` : ''}`,
        ),
      ),
    );
  }
  if (promotion.rollout) lines.push(...formatRollout(promotion.rollout, promotion.version, now));
  return lines;
}

type AnalysisRun = RolloutDto['analysis'][number];

/**
 * The rollout of a promotion into a local stage: where it stands, its steps
 * (✓ done, → current), then every analysis run with its measurements. Comes
 * last in `promotion show`, as it is the part that still changes.
 */
export function formatRollout(rollout: RolloutDto, version: string, now: number = Date.now()): string[] {
  const total = rollout.steps.length;
  const position =
    total === 0
      ? 'no steps'
      : rollout.step > total
        ? `all ${total} steps done`
        : `step ${rollout.step} of ${total}`;
  const lines = [
    '',
    'Rollout',
    `  ${[rollout.strategy, rollout.status, position, `${rollout.weight}% of requests to ${version}`].join(' · ')}`,
    ...rollout.steps.map((step, index) => {
      const marker = index + 1 < rollout.step ? '✓' : index + 1 === rollout.step ? '→' : ' ';
      return `  ${marker} ${String(index + 1).padStart(String(total).length)}. ${step}`;
    }),
  ];
  if (rollout.pausedUntil)
    lines.push(`  paused until ${formatTime(rollout.pausedUntil)} (${untilText(rollout.pausedUntil, now)})`);
  if (rollout.message) lines.push(`  ${rollout.message}`);
  for (const run of rollout.analysis) lines.push('', ...formatAnalysisRun(run));
  return lines;
}

/** `Analysis smoke: Failed`, its message, then one row per measurement, oldest first. */
export function formatAnalysisRun(run: AnalysisRun): string[] {
  const lines = [`Analysis ${run.label}: ${run.phase}`];
  if (run.message) lines.push(`  ${run.message}`);
  if (run.measurements.length === 0) {
    lines.push('  no measurements yet');
    return lines;
  }
  const rows = run.measurements.map((measurement) => ({
    time: formatTime(measurement.finishedAt),
    metric: measurement.metric,
    value: formatMeasuredValue(measurement.value),
    phase: measurement.phase,
    message: truncate(measurement.message ?? '', 60),
  }));
  lines.push(...indent(formatTable(rows, ['time', 'metric', 'value', 'phase', 'message'])));
  return lines;
}

/**
 * A measured value as people read it: numbers to 4 significant digits (whole
 * numbers from 10000 up are rounded, not written as 1.235e+4), arrays as
 * `[a, b]`, text as it is, anything else as JSON. Gantry stores NaN and
 * infinities as the strings `NaN`, `+Inf` and `-Inf`, so they print as text.
 */
export function formatMeasuredValue(value: unknown): string {
  if (value === null || value === undefined) return '-';
  if (typeof value === 'number') {
    if (Number.isNaN(value)) return 'NaN';
    if (!Number.isFinite(value)) return value > 0 ? '+Inf' : '-Inf';
    return Math.abs(value) >= 10_000 ? String(Math.round(value)) : String(Number(value.toPrecision(4)));
  }
  if (typeof value === 'string') return value;
  if (Array.isArray(value)) return `[${value.map(formatMeasuredValue).join(', ')}]`;
  return JSON.stringify(value);
}

/** `in 4m` for a time still ahead, `2m ago` once it has passed. */
function untilText(iso: string, now: number): string {
  const at = Date.parse(iso);
  return at > now ? `in ${ago(new Date(now).toISOString(), at).replace(/ ago$/, '')}` : ago(iso, now);
}

export function formatPromotionList(page: PromotionPageDto, now: number = Date.now()): string[] {
  if (page.items.length === 0) return ['No promotions match.'];
  const lines = formatTable(
    page.items.map((promotion) => ({
      id: promotion.id,
      service: promotion.service,
      version: promotion.version,
      stage: promotion.stage,
      phase: promotion.phase,
      trigger: promotion.trigger,
      by: promotion.requestedBy,
      updated: ago(promotion.updatedAt, now),
      message: truncate(promotion.message ?? '', 60),
    })),
    ['id', 'service', 'version', 'stage', 'phase', 'trigger', 'by', 'updated', 'message'],
  );
  if (page.nextCursor) lines.push('(more: raise --limit to see them)');
  return lines;
}

const VERDICT_WORDS: Record<WhyDto['verdict'], string> = {
  pass: 'pass: nothing stands in the way',
  pending: 'pending: waiting for the checks below',
  blocked: 'blocked',
};

/**
 * The answer to `gantry why`: a header with the verdict, one line per check
 * (state, name, reason), and the auto-promotion hold when there is one.
 */
export function formatWhy(why: WhyDto, now: number = Date.now()): string[] {
  const lines = [`${why.service} ${why.version} → ${why.stage}: ${VERDICT_WORDS[why.verdict]}`];
  if (why.promotionId) lines.push(`  promotion ${why.promotionId} (${why.phase ?? 'unknown phase'})`);
  if (why.items.length === 0) lines.push('  no gates, approvals or freeze windows apply to this stage');
  const stateWidth = Math.max(0, ...why.items.map((item) => item.state.length));
  const nameWidth = Math.max(0, ...why.items.map((item) => item.name.length));
  for (const item of why.items)
    lines.push(`  ${item.state.padEnd(stateWidth)}  ${item.name.padEnd(nameWidth)}  ${item.reason}`);
  if (why.autoHold) {
    lines.push(
      `auto-promotion into ${why.stage} is held: ${why.autoHold.actor} promoted ${why.autoHold.version} by hand ${ago(why.autoHold.at, now)}, until a newer release is promoted there by hand`,
    );
  }
  return lines;
}

function indent(lines: readonly string[]): string[] {
  return lines.map((line) => `  ${line}`);
}

function promotionPath(id: string, action?: string): string {
  return `api/v1/promotions/${encodePath(id)}${action ? `/${action}` : ''}`;
}

export function promoteCommand(context: CliContext = {}): Command {
  return addApiOptions(
    new Command('promote')
      .description('move a release into a stage (gates, approvals and freeze windows are checked)')
      .argument('<service>')
      .argument('<version>')
      .requiredOption('--to <stage>', 'the stage to promote into')
      .option('--reason <text>', 'why, for the record (required with --override)')
      .option('--override', 'go through an active freeze window (approvers only)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry promote checkout 2026.11.3 --to staging
  $ gantry promote checkout 2026.11.3 --to prod --reason "fixes INC-42"
  $ gantry promote checkout 2026.11.4 --to prod --override --reason "hotfix during the freeze"

Prints "promotion <id>: checkout 2026.11.3 → prod (Pending)"; follow it with
\`gantry promotion show <id>\` or \`gantry status --watch\`.`,
    )
    .action(
      async (
        service: string,
        version: string,
        options: ApiOptions & { to: string; reason?: string; override?: boolean },
      ) => {
        if (options.override && !options.reason) {
          throw new UsageError('--override needs --reason: say why the freeze window may be broken');
        }
        const promotion = await sendChange<PromotionDto>(
          connect(options, context),
          'POST',
          'api/v1/promotions',
          {
            service,
            version,
            stage: options.to,
            ...(options.reason !== undefined ? { reason: options.reason } : {}),
            ...(options.override ? { override: true } : {}),
          },
          context,
        );
        if (options.json) return printJson(promotion);
        write(formatPromotion(promotion));
      },
    );
}

/** approve, reject and abort: one POST on the promotion, the promotion printed back. */
function decisionCommand(
  context: CliContext,
  name: 'approve' | 'reject' | 'abort' | 'resume' | 'promote-full' | 'retry',
  description: string,
  configure: (command: Command) => Command,
  body: (options: { comment?: string; reason?: string }) => object,
  examples: string,
): Command {
  return addApiOptions(configure(new Command(name).description(description).argument('<id>', 'promotion id')))
    .addHelpText('after', `\nExamples:\n${examples}`)
    .action(async (id: string, options: ApiOptions & { comment?: string; reason?: string }) => {
      const promotion = await sendChange<PromotionDto>(
        connect(options, context),
        'POST',
        promotionPath(id, name),
        body(options),
        context,
      );
      if (options.json) return printJson(promotion);
      write(formatPromotion(promotion));
    });
}

export function approveCommand(context: CliContext = {}): Command {
  return decisionCommand(
    context,
    'approve',
    'approve a promotion that waits for approval',
    (command) => command.option('--comment <text>', 'a note kept with the approval'),
    (options) => (options.comment !== undefined ? { comment: options.comment } : {}),
    `  $ gantry approve 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42
  $ gantry approve 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42 --comment "checked the canary dashboard"`,
  );
}

export function rejectCommand(context: CliContext = {}): Command {
  return decisionCommand(
    context,
    'reject',
    'reject a promotion that waits for approval (it ends as Rejected)',
    (command) => command.requiredOption('--reason <text>', 'why: the requester reads it'),
    (options) => ({ reason: options.reason }),
    `  $ gantry reject 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42 --reason "migration not reviewed"`,
  );
}

export function abortCommand(context: CliContext = {}, prefix = 'gantry'): Command {
  return decisionCommand(
    context,
    'abort',
    'stop a promotion in flight; a canary or green version stops taking requests at once',
    withReason,
    reasonBody,
    `  $ ${prefix} abort 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42 --reason "error rate rising"`,
  );
}

/** The manual controls of a rollout into a local stage (canary, blue-green). */
function rolloutControlCommands(context: CliContext): Command[] {
  return [
    decisionCommand(
      context,
      'resume',
      'continue a paused rollout: ends a pause, or accepts an inconclusive analysis',
      withReason,
      reasonBody,
      `  $ gantry promotion resume 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42 --reason "latency checked by hand"`,
    ),
    decisionCommand(
      context,
      'promote-full',
      'skip the remaining steps: the new version takes every request now',
      withReason,
      reasonBody,
      `  $ gantry promotion promote-full 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42 --reason "hotfix, canary looks fine"`,
    ),
    abortCommand(context, 'gantry promotion'),
    decisionCommand(
      context,
      'retry',
      'promote the same release into the same stage again, after a failure, rollback or abort',
      withReason,
      reasonBody,
      `  $ gantry promotion retry 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42 --reason "flaky metric source fixed"`,
    ),
  ];
}

function withReason(command: Command): Command {
  return command.option('--reason <text>', 'why, for the record');
}

function reasonBody(options: { reason?: string }): object {
  return options.reason !== undefined ? { reason: options.reason } : {};
}

export function rollbackCommand(context: CliContext = {}): Command {
  return addApiOptions(
    new Command('rollback')
      .description('put an earlier release back into a stage')
      .argument('<service>')
      .requiredOption('--stage <stage>', 'the stage to roll back')
      .option('--to <version>', 'the release to go back to; default the one that ran before the current one')
      .option('--reason <text>', 'why, for the record'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry rollback checkout --stage prod --reason "checkout errors since 10:02"
  $ gantry rollback checkout --stage prod --to 2026.11.1`,
    )
    .action(
      async (service: string, options: ApiOptions & { stage: string; to?: string; reason?: string }) => {
        const promotion = await sendChange<PromotionDto>(
          connect(options, context),
          'POST',
          'api/v1/rollbacks',
          {
            service,
            stage: options.stage,
            ...(options.to !== undefined ? { version: options.to } : {}),
            ...(options.reason !== undefined ? { reason: options.reason } : {}),
          },
          context,
        );
        if (options.json) return printJson(promotion);
        write(formatPromotion(promotion));
      },
    );
}

export function promotionCommand(context: CliContext = {}): Command {
  const command = new Command('promotion').description('list promotions and follow one step by step');

  addApiOptions(
    command
      .command('list')
      .description('list promotions, newest first')
      .option('--service <name>', 'only this service')
      .option('--stage <name>', 'only this stage')
      .addOption(new Option('--phase <phase>', 'only this phase').choices(PROMOTION_PHASES))
      .option('--limit <n>', 'at most this many', '50'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry promotion list --service checkout --stage prod
  $ gantry promotion list --phase WaitingForApproval`,
    )
    .action(
      async (options: ApiOptions & { service?: string; stage?: string; phase?: string; limit: string }) => {
        const page = await connect(options, context).client.get<PromotionPageDto>('api/v1/promotions', {
          service: options.service,
          stage: options.stage,
          phase: options.phase,
          limit: options.limit,
        });
        if (options.json) return printJson(page);
        write(formatPromotionList(page, context.now?.()));
      },
    );

  addApiOptions(
    command
      .command('show')
      .description('show one promotion with its timeline and decisions')
      .argument('<id>', 'promotion id'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry promotion show 01934f0e-5b7e-7cc3-9d1a-2f5c0e8b1a42`,
    )
    .action(async (id: string, options: ApiOptions) => {
      const promotion = await connect(options, context).client.get<PromotionDto>(promotionPath(id));
      if (options.json) return printJson(promotion);
      write(formatPromotionDetail(promotion, context.now?.()));
    });

  for (const control of rolloutControlCommands(context)) command.addCommand(configureUsageErrors(control));
  return command;
}

export function whyCommand(context: CliContext = {}): Command {
  return addApiOptions(
    new Command('why')
      .description('explain what a release needs to enter a stage: every gate, approval and freeze window')
      .argument('<service>')
      .argument('<version>')
      .requiredOption('--stage <stage>', 'the stage in question')
      .option('--exit-code', 'exit 1 unless the verdict is pass (for scripts)'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry why checkout 2026.11.3 --stage prod
  $ gantry why checkout "$VERSION" --stage staging --exit-code && echo "ready for staging"

Exits 0 whatever the verdict (it is a question), unless --exit-code is given.`,
    )
    .action(
      async (
        service: string,
        version: string,
        options: ApiOptions & { stage: string; exitCode?: boolean },
      ) => {
        const why = await connect(options, context).client.get<WhyDto>(
          `api/v1/releases/${encodePath(service, version)}/why`,
          { stage: options.stage },
        );
        if (options.json) printJson(why);
        else write(formatWhy(why, context.now?.()));
        if (options.exitCode && why.verdict !== 'pass') process.exitCode = 1;
      },
    );
}
