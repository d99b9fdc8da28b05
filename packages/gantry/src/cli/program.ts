import { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { deadLettersCommand } from './dead-letters.command.js';
import { configCommand, migrateCommand, serverCommand } from './server.command.js';

const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  version: string;
};

export function buildProgram(): Command {
  const program = new Command('gantry')
    .description('Gantry: a self-hosted continuous-delivery control plane')
    .version(packageJson.version, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false });

  program.addCommand(serverCommand());
  program.addCommand(migrateCommand());
  program.addCommand(configCommand());
  program.addCommand(deadLettersCommand());

  program.addHelpText(
    'after',
    `
Examples:
  $ gantry server                                  start the control plane on 127.0.0.1:7070
  $ GANTRY_DATABASE_URL=postgres://gantry@db/gantry GANTRY_BROKER_URL=amqp://rabbitmq gantry server
  $ gantry migrate                                 apply database migrations and exit
  $ gantry config                                  show the effective configuration
  $ gantry dead-letters list --status dead         events a consumer gave up on
  $ gantry dead-letters replay 01934f0e-…          hand one back to its consumer

Every setting is an environment variable; see \`gantry config\` or the README.`,
  );
  return program;
}
