import { Command, Option } from 'commander';
import { ROLES } from '../features/access/actor.js';
import type { CreatedTokenDto, TokenDto, TokenListDto } from '../features/access/tokens.dto.js';
import { addApiOptions, apiClient, type ApiOptions } from './api-options.js';
import { ago, printJson, printTable } from './output.js';
import { UsageError } from './run-command.js';

export function tokenCommand(): Command {
  const command = new Command('token').description(
    'create, list and revoke API tokens (needs an admin token)',
  );

  addApiOptions(
    command
      .command('create')
      .description('create an API token; its secret is printed once, and Gantry keeps only its hash')
      .requiredOption('--name <name>', 'unique name, e.g. ci or alice@example.com')
      .addOption(new Option('--role <role>', 'what it may do').choices(ROLES).makeOptionMandatory())
      .option('--stages <stages>', 'comma-separated stages it may act on (default: every stage)'),
  )
    .addHelpText(
      'after',
      `
Roles, weakest first: viewer (read), deployer (create releases, promote), approver (approve), admin (everything).

Examples:
  $ gantry token create --name ci --role deployer --stages develop,staging
  $ gantry token create --name oncall --role approver`,
    )
    .action(async (options: ApiOptions & { name: string; role: string; stages?: string }) => {
      const stages = options.stages === undefined ? undefined : parseStages(options.stages);
      const created = await apiClient(options).post<CreatedTokenDto>('api/v1/tokens', {
        name: options.name,
        role: options.role,
        ...(stages ? { stages } : {}),
      });
      if (options.json) return printJson(created);
      const { token } = created;
      process.stdout.write(
        [
          `Created API token "${token.name}" (${token.role}${token.stages ? `, stages ${token.stages.join(',')}` : ', every stage'}), id ${token.id}`,
          '',
          `  ${created.secret}`,
          '',
          'Store it now (e.g. as the CI secret GANTRY_TOKEN): it is shown only this once, and Gantry keeps only its hash.',
          '',
        ].join('\n'),
      );
    });

  addApiOptions(command.command('list').description('list API tokens, revoked ones included')).action(
    async (options: ApiOptions) => {
      const list = await apiClient(options).get<TokenListDto>('api/v1/tokens');
      if (options.json) return printJson(list);
      if (list.items.length === 0) {
        process.stdout.write('No API tokens.\n');
        return;
      }
      printTable(
        list.items.map((token) => ({
          id: token.id,
          name: token.name,
          role: token.role,
          stages: token.stages?.join(',') ?? '*',
          prefix: `gty_${token.prefix}…`,
          created: `${ago(token.createdAt)} by ${token.createdBy}`,
          'last used': ago(token.lastUsedAt),
          status: token.revokedAt ? `revoked ${ago(token.revokedAt)}` : 'active',
        })),
        ['id', 'name', 'role', 'stages', 'prefix', 'created', 'last used', 'status'],
      );
    },
  );

  addApiOptions(
    command
      .command('revoke')
      .description('revoke an API token by id or name; it stops working on the next request')
      .argument('<token>', 'token id or name')
      .option('--reason <reason>', 'why, for the audit log'),
  )
    .addHelpText(
      'after',
      `
Examples:
  $ gantry token revoke ci --reason "leaked in a build log"`,
    )
    .action(async (token: string, options: ApiOptions & { reason?: string }) => {
      const revoked = await apiClient(options).post<TokenDto>(
        `api/v1/tokens/${encodeURIComponent(token)}/revoke`,
        options.reason ? { reason: options.reason } : {},
      );
      if (options.json) return printJson(revoked);
      process.stdout.write(`revoked API token "${revoked.name}" (${revoked.id})\n`);
    });

  return command;
}

function parseStages(text: string): string[] {
  const stages = text
    .split(',')
    .map((stage) => stage.trim())
    .filter(Boolean);
  if (stages.length === 0) {
    throw new UsageError(
      '--stages lists at least one stage, e.g. --stages develop,staging; leave it out for every stage',
    );
  }
  return stages;
}
