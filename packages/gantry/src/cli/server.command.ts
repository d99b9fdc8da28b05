import { Command, Option } from 'commander';
import { loadConfig, SETTINGS, type SettingName } from '../config/config.js';
import { REDACTED, redactUrl } from '../shared/redact.js';
import { isSecretReference } from '../shared/secret-reference.js';
import { printJson, printTable } from './output.js';

export function serverCommand(): Command {
  return new Command('server')
    .description('start the control plane: HTTP API, relay and consumers (also `npm run server`)')
    .addOption(new Option('--host <address>', 'listen address (overrides GANTRY_HOST)'))
    .addOption(new Option('--port <port>', 'listen port (overrides GANTRY_PORT)'))
    .addHelpText(
      'after',
      `
Examples:
  $ gantry server                                   embedded PGlite in ./.gantry/data, in-process broker
  $ gantry server --port 8080
  $ GANTRY_DATABASE_URL=postgres://gantry:…@db:5432/gantry GANTRY_BROKER_URL=nats://nats:4222 gantry server

Stops gracefully on SIGTERM or SIGINT.`,
    )
    .action(async (options: { host?: string; port?: string }) => {
      const config = loadConfig({
        ...process.env,
        ...(options.host ? { GANTRY_HOST: options.host } : {}),
        ...(options.port ? { GANTRY_PORT: options.port } : {}),
      });
      const { startServer } = await import('../app/start-server.js');
      await startServer(config);
    });
}

export function migrateCommand(): Command {
  return new Command('migrate')
    .description('apply the database migrations and exit (the server also applies them at start)')
    .addHelpText(
      'after',
      `
Examples:
  $ gantry migrate
  $ GANTRY_DATABASE_URL=postgres://gantry:…@db:5432/gantry gantry migrate`,
    )
    .action(async () => {
      const config = loadConfig();
      const { openConfiguredDatabase } = await import('../app/open-database.js');
      const { runMigrations, migrationStatus } = await import('../platform/database/migrate.js');
      const database = await openConfiguredDatabase(config.database);
      try {
        const before = await migrationStatus(database.handle);
        await runMigrations(database.handle);
        const after = await migrationStatus(database.handle);
        const applied = after.applied - before.applied;
        process.stdout.write(
          `${database.handle.description}: ${applied === 0 ? 'already up to date' : `applied ${applied} migration(s)`} (${after.applied} of ${after.expected})\n`,
        );
      } finally {
        await database.close();
      }
    });
}

export function configCommand(): Command {
  return new Command('config')
    .description('validate the configuration from the environment and print it (secrets redacted)')
    .option('--json', 'print JSON')
    .addHelpText(
      'after',
      `
Examples:
  $ gantry config
  $ GANTRY_PORT=8080 gantry config --json`,
    )
    .action((options: { json?: boolean }) => {
      loadConfig(); // fails with the one-line message if anything is wrong
      const rows = (Object.keys(SETTINGS) as SettingName[]).map((name) => {
        const setting = SETTINGS[name] as { default?: string; secret?: boolean; description: string };
        const raw = process.env[name];
        const value = raw ? (setting.secret ? shownSecret(raw) : raw) : (setting.default ?? '(unset)');
        return { name, value, source: raw ? 'environment' : 'default', description: setting.description };
      });
      if (options.json) return printJson(rows);
      printTable(rows, ['name', 'value', 'source']);
    });
}

/** A secret setting as `gantry config` shows it: a URL without its password, a reference as written, a bare secret not at all. */
function shownSecret(raw: string): string {
  if (isSecretReference(raw)) return raw;
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? redactUrl(raw) : REDACTED;
}
