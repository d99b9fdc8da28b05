import { Option, type Command } from 'commander';

export const DEFAULT_API_URL = 'http://127.0.0.1:7070';

/** Options every command that talks to a running Gantry accepts. */
export function addApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'Gantry API to talk to').env('GANTRY_URL').default(DEFAULT_API_URL))
    .addOption(new Option('--json', 'print JSON instead of a table'));
}
