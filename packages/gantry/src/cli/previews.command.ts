import { Command } from 'commander';
import type { PreviewDto } from '../features/previews/previews.dto.js';
import { addApiOptions, apiClient, type ApiOptions } from './api-options.js';
import { printJson, printTable } from './output.js';

interface PreviewsOptions extends ApiOptions {
  service?: string;
  all?: boolean;
  limit: string;
}

export function previewsCommand(): Command {
  return addApiOptions(
    new Command('previews')
      .description("list pull requests' previews (their stages pr-<number>) with the URL each answers on")
      .option('--service <name>', 'only this service')
      .option('--all', 'also closed previews')
      .option('--limit <n>', 'at most this many', '100'),
  )
    .addHelpText(
      'after',
      `
A service gets previews when one of its stages says preview: true in
gantry.yaml; a pull request opened against its repository (GitHub or GitLab
webhook) then gets its own stage pr-<number>, and each release built from the
pull request's head commit is promoted into it.

Examples:
  $ gantry previews
  $ gantry previews --service checkout --all
  $ gantry previews --json`,
    )
    .action(async (options: PreviewsOptions) => {
      const page = await apiClient(options).get<{ items: PreviewDto[] }>('api/v1/previews', {
        service: options.service,
        all: options.all ? 'true' : undefined,
        limit: options.limit,
      });
      if (options.json) return printJson(page);
      if (page.items.length === 0) {
        process.stdout.write(options.all ? 'No previews yet.\n' : 'No open previews.\n');
        return;
      }
      printTable(
        page.items.map((preview) => ({
          service: preview.service,
          stage: preview.stage,
          status: preview.lastError
            ? `${preview.status} (teardown failing: ${preview.lastError})`
            : preview.status,
          url: preview.url ?? '-',
          head: `${preview.headRef}@${preview.headSha.slice(0, 7)}`,
          'pull request': preview.pullRequestUrl,
          'last activity': preview.lastActivityAt,
        })),
        ['service', 'stage', 'status', 'url', 'head', 'pull request', 'last activity'],
      );
    });
}
