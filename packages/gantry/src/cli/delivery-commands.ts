import type { Command } from 'commander';
import { configureUsageErrors, type CliContext } from './command-support.js';
import { applyCommand, validateCommand } from './pipeline.command.js';
import {
  abortCommand,
  approveCommand,
  promoteCommand,
  promotionCommand,
  rejectCommand,
  rollbackCommand,
  whyCommand,
} from './promotion.command.js';
import { logsCommand } from './logs.command.js';
import { releaseCommand } from './release.command.js';
import { statusCommand } from './status.command.js';
import { doraCommand } from './dora.command.js';

/**
 * The commands people use to deliver: declare pipelines, register releases,
 * promote, decide, roll back, ask why and watch. A command line they get
 * wrong exits with 2, a refusal from the API with 1.
 */
export function deliveryCommands(context: CliContext = {}): Command[] {
  return [
    statusCommand(context),
    validateCommand(context),
    applyCommand(context),
    releaseCommand(context),
    promoteCommand(context),
    whyCommand(context),
    approveCommand(context),
    rejectCommand(context),
    abortCommand(context),
    rollbackCommand(context),
    promotionCommand(context),
    logsCommand(context),
    doraCommand(context),
  ].map((command) => configureUsageErrors(command));
}
