import { GANTRY_VERSION } from '../shared/gantry-version.js';
import { Command } from 'commander';
import { auditCommand } from './audit.command.js';
import { previewsCommand } from './previews.command.js';
import { deadLettersCommand } from './dead-letters.command.js';
import { deliveryCommands } from './delivery-commands.js';
import { demoCommand } from './demo.command.js';
import { incidentCommand } from './incident.command.js';
import { configCommand, migrateCommand, serverCommand } from './server.command.js';
import { tokenCommand } from './token.command.js';
import { notificationsCommand } from './notifications.command.js';

export function buildProgram(): Command {
  const program = new Command('gantry')
    .description('Gantry: a self-hosted continuous-delivery control plane')
    .version(GANTRY_VERSION, '-v, --version')
    .showHelpAfterError('(run with --help for usage)')
    .configureHelp({ sortSubcommands: false })
    // Options after a subcommand belong to it (`release create --version 2026.11.3`).
    .enablePositionalOptions();

  program.addCommand(serverCommand());
  program.addCommand(migrateCommand());
  program.addCommand(configCommand());
  for (const command of deliveryCommands()) program.addCommand(command);
  program.addCommand(deadLettersCommand());
  program.addCommand(tokenCommand());
  program.addCommand(auditCommand());
  program.addCommand(previewsCommand());
  program.addCommand(incidentCommand());
  program.addCommand(demoCommand());
  program.addCommand(notificationsCommand());

  program.addHelpText(
    'after',
    `
Examples:
  $ gantry server                                  start the control plane on 127.0.0.1:7070
  $ GANTRY_DATABASE_URL=postgres://gantry@db/gantry GANTRY_BROKER_URL=amqp://rabbitmq gantry server
  $ gantry migrate                                 apply database migrations and exit
  $ gantry config                                  show the effective configuration
  $ gantry validate -f gantry.yaml                 check a pipeline file without a server
  $ gantry apply -f gantry.yaml                    declare services and their stages
  $ gantry release create --service checkout --image ghcr.io/acme/checkout --digest sha256:… --commit "$SHA" \\
      --junit junit.xml --coverage coverage/coverage-summary.json
  $ gantry promote checkout 2026.11.3 --to prod    move a release into a stage
  $ gantry why checkout 2026.11.3 --stage prod     what stands in its way
  $ gantry approve 01934f0e-…                      approve a promotion waiting for approval
  $ gantry rollback checkout --stage prod          put the previous release back
  $ gantry status --watch                          which release runs where, live
  $ gantry dead-letters list --status dead         events a consumer gave up on
  $ gantry dead-letters replay 01934f0e-…          hand one back to its consumer
  $ gantry token create --name ci --role deployer  an API token for CI (printed once)
  $ gantry audit --since 24h                       who did what, and why
  $ gantry logs checkout --stage prod --follow     a local stage's replica logs
  $ gantry promotion resume 01934f0e-…             continue a paused canary
  $ gantry incident list --status open             incidents not resolved yet
  $ gantry dora --team payments --window 90d       the four DORA metrics, with their bands
  $ gantry demo                                    the whole story on this machine (npm start)
  $ gantry notifications list --status dead        notifications a channel did not take

Commands that talk to the API read GANTRY_URL and GANTRY_TOKEN (or --url and --token);
the first start writes an admin token to <GANTRY_DATA_DIR>/admin-token.

Every setting is an environment variable; see \`gantry config\` or the README.`,
  );
  return program;
}
