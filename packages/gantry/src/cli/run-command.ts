import { ConfigError } from '../config/config.js';
import { DataDirLockedError } from '../platform/database/data-dir-lock.js';
import { GantryError, StartupError, errorMessage } from '../shared/errors.js';
import { redactText } from '../shared/redact.js';
import { ApiError } from './api-client.js';

/**
 * Runs a CLI action and turns the errors people cause (bad configuration, a
 * locked data directory, an API refusal) into one line on stderr and exit
 * code 1 or 2, without a stack trace. Anything else is a bug: it is printed
 * whole, redacted, with exit code 70 (EX_SOFTWARE).
 */
export async function runCommand(action: () => Promise<unknown>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (
      error instanceof ConfigError ||
      error instanceof DataDirLockedError ||
      error instanceof StartupError
    ) {
      process.stderr.write(`gantry: ${error.message}\n`);
      process.exitCode = 2;
      return;
    }
    if (error instanceof ApiError || error instanceof GantryError || error instanceof UsageError) {
      process.stderr.write(`gantry: ${redactText(error.message)}\n`);
      process.exitCode = 1;
      return;
    }
    const detail = error instanceof Error && error.stack ? error.stack : errorMessage(error);
    process.stderr.write(`gantry: unexpected error: ${redactText(detail)}\n`);
    process.exitCode = 70;
  }
}

/** A command was called with options that do not fit together. */
export class UsageError extends Error {}
