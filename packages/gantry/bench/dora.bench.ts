// npm run bench:dora: how long `GET /api/v1/dora` (what `gantry dora` calls)
// takes on a large history, against a plain count(*) over the same
// promotions measured in the same run on the same database. It generates the
// history in PostgreSQL itself (INSERT … SELECT over generate_series, in
// chunks), starts the built `gantry server` on it, and times the API for the
// whole fleet, one team and one service. It prints figures; nothing here
// asserts a timing. docs/benchmarks.md records the latest figures.
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { DoraDto } from '../src/features/dora/dora.dto.js';
import { errorMessage } from '../src/shared/errors.js';
import { redactText } from '../src/shared/redact.js';
import { openPostgres } from '../src/platform/database/database.js';
import { runMigrations } from '../src/platform/database/migrate.js';
import { shownUrl } from './support/backends.js';
import { createServerDatabase, startGantryServer, type GantryServer } from './support/gantry-server.js';
import { describeMachine } from './support/machine.js';
import { formatCount, formatMs, percentile, progress, renderTable } from './support/report.js';

const TARGET_MS = 1_000;
/** The indexes chosen for the DORA queries; measured again without them. */
const DORA_INDEXES = [
  'promotions_dora_finished_idx',
  'promotions_dora_service_finished_idx',
  'dora_lead_times_deployed_idx',
  'dora_lead_times_service_deployed_idx',
] as const;
const STAGES = ['develop', 'staging', 'prod'] as const;

const HELP = `Usage: npm run bench:dora -- [options]

Generates a delivery history in a new PostgreSQL database (dropped at the
end): --services services in --teams teams, each release promoted through
develop → staging → prod (prod is production), --promotions promotions in
all, spread over --days days up to now. Production promotions end
Succeeded (about 88 %, 2 % of them rollbacks), RolledBack, Failed after
applying, Failed at their gates or Aborted; 1 % of the production
deployments get an incident; every successful production deployment gets 3
lead-time rows. Rows are made by INSERT … SELECT over generate_series in
chunks of 100,000 (progress on stderr), then ANALYZE.

Then the built \`gantry server\` (npm run build first; the npm script does)
starts on that database and GET /api/v1/dora is timed, each call --repeat
times after one warm-up call: the whole fleet, one team and one service,
with a 30-day window, and the whole fleet over 365 days. The baseline is
\`select count(*) from promotions\` on a plain pg connection, timed the same
way. The ratio is the median call over the median baseline (target: every
call under ${TARGET_MS} ms). Then the indexes chosen for the DORA queries are
dropped and every call is timed again, to show what they are worth.

Options:
  --promotions N     promotions to generate (default: 1000000)
  --services N       services (default: 200)
  --teams N          teams the services are spread over (default: 20)
  --days N           days of history (default: 365)
  --repeat N         timed calls per scenario (default: 7)
  --database-url U   PostgreSQL server to create the database on
                     (default: GANTRY_BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/test)
  --explain          print EXPLAIN (ANALYZE, BUFFERS) of the fleet's deployment count
  --keep-database    leave the generated database in place (its URL is printed) to study plans
  --skip-index-comparison
                     do not measure again after dropping the indexes chosen for DORA
                     (${DORA_INDEXES.join(', ')})
  -h, --help         this text
`;

interface Settings {
  promotions: number;
  services: number;
  teams: number;
  days: number;
  repeat: number;
  databaseUrl: string;
  explain: boolean;
  compareIndexes: boolean;
  keepDatabase: boolean;
}

function readSettings(): Settings | undefined {
  const { values } = parseArgs({
    options: {
      promotions: { type: 'string', default: '1000000' },
      services: { type: 'string', default: '200' },
      teams: { type: 'string', default: '20' },
      days: { type: 'string', default: '365' },
      repeat: { type: 'string', default: '7' },
      'database-url': { type: 'string' },
      explain: { type: 'boolean', default: false },
      'skip-index-comparison': { type: 'boolean', default: false },
      'keep-database': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(HELP);
    return undefined;
  }
  const positive = (name: string, text: string) => {
    const value = Number(text);
    if (!Number.isInteger(value) || value < 1)
      throw new Error(`--${name} must be a whole number ≥ 1, not ${text}`);
    return value;
  };
  return {
    promotions: positive('promotions', values.promotions),
    services: positive('services', values.services),
    teams: positive('teams', values.teams),
    days: positive('days', values.days),
    repeat: positive('repeat', values.repeat),
    databaseUrl:
      values['database-url'] ??
      process.env.GANTRY_BENCH_DATABASE_URL ??
      'postgres://postgres@127.0.0.1:5432/test',
    explain: values.explain,
    compareIndexes: !values['skip-index-comparison'],
    keepDatabase: values['keep-database'],
  };
}

const CHUNK = 100_000;

/** Runs `statement` for [from, to) chunks of `total`, with progress. */
async function inChunks(
  client: pg.Client,
  what: string,
  total: number,
  statement: (from: number, to: number) => string,
): Promise<void> {
  for (let from = 0; from < total; from += CHUNK) {
    const to = Math.min(total, from + CHUNK);
    await client.query(statement(from, to));
    progress(`${what}: ${formatCount(to)} of ${formatCount(total)}`);
  }
}

/**
 * The history. Release r belongs to service r % services and is promoted
 * into develop, staging and prod (promotion g = 3r + stage). Release times
 * spread evenly over the days up to now; a per-row hash picks the outcome.
 */
async function generate(client: pg.Client, settings: Settings): Promise<void> {
  const { services, teams, days } = settings;
  const releases = Math.ceil(settings.promotions / STAGES.length);
  const spanSeconds = days * 86_400;
  const releaseTime = (r: string) =>
    `now() - interval '${spanSeconds} seconds' + (${r}::float8 / ${releases}) * interval '${spanSeconds} seconds'`;
  await client.query(`
    insert into services (name, team, image, source_repo, current_revision, spec_hash)
    select 'svc-' || lpad(s::text, 4, '0'), 'team-' || lpad((s % ${teams})::text, 3, '0'),
      'ghcr.io/acme/svc-' || s, 'https://github.com/acme/svc-' || s, 1, 'bench'
    from generate_series(0, ${services - 1}) s`);
  progress(`services: ${services} in ${teams} teams`);
  await inChunks(
    client,
    'releases',
    releases,
    (from, to) => `
      insert into releases (id, service, version, image, digest, commit_sha, commit_time, created_by, created_at)
      select gen_random_uuid(), 'svc-' || lpad((r % ${services})::text, 4, '0'), '2025.01.' || r,
        'ghcr.io/acme/svc-' || (r % ${services}), 'sha256:' || md5('d' || r) || md5('e' || r),
        md5('c' || r) || substr(md5('f' || r), 1, 8), ${releaseTime('r')} - interval '2 hours', 'bench',
        ${releaseTime('r')}
      from generate_series(${from}, ${to - 1}) r`,
  );
  // h: a stable pseudo-random 0–99 per promotion.
  await inChunks(
    client,
    'promotions',
    settings.promotions,
    (from, to) => `
      insert into promotions (id, service, stage, release_id, release_version, pipeline_revision, phase, trigger,
        requested_by, production, applying_at, created_at, updated_at, finished_at)
      select gen_random_uuid(), rel.service, x.stage, rel.id, rel.version, 1, x.phase,
        case when x.production and x.phase = 'Succeeded' and x.h < 2 then 'rollback' else 'manual' end,
        'bench', x.production,
        case when x.phase = 'Failed' and x.h >= 97 then null else x.at + interval '1 minute' end,
        x.at, x.at + x.took, x.at + x.took
      from (
        select g, g / 3 as r, (array['develop', 'staging', 'prod'])[g % 3 + 1] as stage, g % 3 = 2 as production,
          h, ${releaseTime('(g / 3)')} + (g % 3) * interval '6 hours' as at,
          interval '1 minute' * (5 + h % 40) as took,
          case when g % 3 < 2 or h < 88 then 'Succeeded' when h < 93 then 'RolledBack'
               when h < 97 then 'Failed' when h < 98 then 'Aborted' else 'Failed' end as phase
        from (select g, abs(hashint4(g)) % 100 as h from generate_series(${from}, ${to - 1}) g) hashed
      ) x
      join releases rel on rel.version = '2025.01.' || x.r and rel.service = 'svc-' || lpad((x.r % ${services})::text, 4, '0')`,
  );
  const { rows } = await client.query<{ n: string }>(
    `select count(*) as n from promotions where production and phase = 'Succeeded' and trigger <> 'rollback'`,
  );
  const successes = Number(rows[0]!.n);
  await client.query(`
    create temporary table bench_successes as
    select row_number() over (order by p.finished_at) as n, p.id, p.service, p.stage, p.release_version, p.finished_at
    from promotions p where p.production and p.phase = 'Succeeded' and p.trigger <> 'rollback'`);
  await inChunks(
    client,
    'lead-time rows (3 per successful production deployment)',
    successes,
    (from, to) => `
      insert into dora_lead_times (service, sha, promotion_id, stage, release_version, committed_at, deployed_at, lead_seconds)
      select s.service, md5(s.id::text || k), s.id, s.stage, s.release_version,
        s.finished_at - lead, s.finished_at, extract(epoch from lead)
      from bench_successes s, generate_series(1, 3) k,
        lateral (select interval '1 minute' * (30 + abs(hashint4((s.n * 3 + k)::int)) % 20000) as lead) l
      where s.n > ${from} and s.n <= ${to}`,
  );
  await client.query(`
    insert into incidents (id, source, fingerprint, title, service, stage, status, promotion_id, opened_by, opened_at,
      resolved_by, resolved_at)
    select gen_random_uuid(), 'bench', 'fp-' || p.id, 'errors', p.service, p.stage, 'resolved', p.id, 'bench',
      p.finished_at + interval '30 minutes', 'bench', p.finished_at + interval '150 minutes'
    from promotions p
    where p.production and p.applying_at is not null and abs(hashint4(hashtext(p.id::text))) % 100 = 0`);
  progress('incidents: 1 % of production deployments');
  await client.query('analyze');
  progress('analyzed');
}

interface Scenario {
  label: string;
  query: string;
}

async function timed(repeat: number, run: () => Promise<void>): Promise<number[]> {
  await run(); // warm-up
  const times: number[] = [];
  for (let i = 0; i < repeat; i += 1) {
    const started = performance.now();
    await run();
    times.push(performance.now() - started);
  }
  return times.sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const settings = readSettings();
  if (!settings) return;
  const machine = describeMachine();
  progress(`database server ${shownUrl(settings.databaseUrl)}`);
  const database = await createServerDatabase(settings.databaseUrl);
  let server: GantryServer | undefined;
  const client = new pg.Client({ connectionString: database.url, application_name: 'gantry-bench' });
  try {
    const handle = openPostgres({ url: database.url, poolSize: 2 });
    try {
      await runMigrations(handle);
    } finally {
      await handle.close();
    }
    await client.connect();
    const generating = performance.now();
    await generate(client, settings);
    const generatedSeconds = (performance.now() - generating) / 1000;
    const { rows: sizes } = await client.query<{ promotions: string; lead: string; size: string }>(
      `select (select count(*) from promotions) as promotions, (select count(*) from dora_lead_times) as lead,
        pg_size_pretty(pg_database_size(current_database())) as size`,
    );
    progress('starting gantry server');
    server = await startGantryServer({ databaseUrl: database.url });
    const { rows: teamRows } = await client.query<{ team: string; services: string }>(
      `select team, count(*) as services from services group by team order by team limit 1`,
    );
    const team = teamRows[0]!.team;
    const service = 'svc-0042';
    const scenarios: Scenario[] = [
      { label: 'fleet, 30 days', query: 'window=30d' },
      { label: `one team (${teamRows[0]!.services} services), 30 days`, query: `team=${team}&window=30d` },
      { label: 'one service, 30 days', query: `service=${service}&window=30d` },
      { label: 'fleet, 365 days', query: 'window=365d' },
    ];
    const baseline = await timed(settings.repeat, async () => {
      await client.query('select count(*) from promotions');
    });
    const baselineMedian = percentile(baseline, 50);
    const rows: string[][] = [
      [
        'baseline: count(*) over promotions',
        formatMs(baselineMedian),
        formatMs(percentile(baseline, 90)),
        '1.0×',
        '',
      ],
    ];
    let sample: DoraDto | undefined;
    const measure = async (suffix: string) => {
      for (const scenario of scenarios) {
        progress(`timing ${scenario.label}${suffix}`);
        const times = await timed(settings.repeat, async () => {
          const response = await server!.api<DoraDto>('GET', `/api/v1/dora?${scenario.query}`);
          if (response.status !== 200) {
            throw new Error(`GET /api/v1/dora?${scenario.query} answered ${response.status}`);
          }
          sample ??= response.body;
        });
        const median = percentile(times, 50);
        rows.push([
          `GET /api/v1/dora, ${scenario.label}${suffix}`,
          formatMs(median),
          formatMs(percentile(times, 90)),
          `${(median / baselineMedian).toFixed(1)}×`,
          percentile(times, 90) < TARGET_MS ? 'met' : 'missed',
        ]);
      }
    };
    await measure('');
    if (settings.explain) {
      const { rows: plan } = await client.query<{ 'QUERY PLAN': string }>(
        `explain (analyze, buffers) select count(*) from promotions p
         where p.production and p.applying_at is not null and p.finished_at >= now() - interval '30 days'`,
      );
      process.stdout.write(`${plan.map((line) => line['QUERY PLAN']).join('\n')}\n\n`);
    }
    if (settings.compareIndexes) {
      progress(`dropping ${DORA_INDEXES.join(', ')}`);
      for (const index of DORA_INDEXES) await client.query(`drop index ${index}`);
      await client.query('analyze promotions, dora_lead_times');
      await measure(' (no DORA indexes)');
    }
    process.stdout.write(
      [
        `Machine: ${machine.cpu}, ${machine.cores} cores, ${machine.memory}, ${machine.os}, Node ${machine.node}, PostgreSQL ${database.version}; load ${machine.load}`,
        `History: ${formatCount(Number(sizes[0]!.promotions))} promotions (${settings.services} services, ${settings.teams} teams, ${settings.days} days), ${formatCount(Number(sizes[0]!.lead))} lead-time rows, database ${sizes[0]!.size}; generated in ${generatedSeconds.toFixed(0)} s`,
        `Each figure: ${settings.repeat} calls after one warm-up, through the HTTP API of the built gantry server.`,
        '',
        renderTable(['what', 'p50 ms', 'p90 ms', 'ratio p50', `target < ${TARGET_MS} ms`], rows),
        '',
        `Fleet, 30 days: ${sample?.deploymentFrequency.deployments ?? '?'} production deployments, change failure rate ${sample?.changeFailureRate.rate?.toFixed(3) ?? '-'}, lead time median ${sample?.leadTime.medianSeconds ?? '-'} s.`,
      ].join('\n') + '\n',
    );
  } finally {
    await server?.stop().catch(() => undefined);
    await client.end().catch(() => undefined);
    if (settings.keepDatabase) progress(`kept the database: ${shownUrl(database.url)}`);
    else await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`bench:dora failed: ${redactText(errorMessage(error))}\n`);
  process.exitCode = 1;
});
