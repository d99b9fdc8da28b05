import { Option, type Command } from 'commander';
import { ApiClient } from './api-client.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:7070';

/** What addApiOptions adds to a command's options. */
export interface ApiOptions {
  url: string;
  token?: string;
  json?: boolean;
}

/** Options every command that talks to a running Gantry accepts. */
export function addApiOptions(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'Gantry API to talk to').env('GANTRY_URL').default(DEFAULT_API_URL))
    .addOption(
      new Option(
        '--token <token>',
        'API token (prefer GANTRY_TOKEN: a command line is visible to other users)',
      ).env('GANTRY_TOKEN'),
    )
    .addOption(new Option('--json', 'print JSON instead of a table'));
}

/** The client for a command's --url and --token (or GANTRY_URL and GANTRY_TOKEN). */
export function apiClient(options: Pick<ApiOptions, 'url' | 'token'>): ApiClient {
  return new ApiClient({ baseUrl: options.url, token: options.token });
}
