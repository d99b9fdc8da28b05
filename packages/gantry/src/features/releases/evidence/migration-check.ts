// The migration check is a verdict CI reports as a word: passed or failed.

import { ValidationError } from '../../../shared/errors.js';

export interface MigrationCheckEvidence {
  kind: 'migrationCheck';
  result: 'passed' | 'failed';
}

/** Read "passed" or "failed" (any case, surrounding spaces ignored). */
export function parseMigrationCheck(value: string): MigrationCheckEvidence {
  const word = typeof value === 'string' ? value.trim().toLowerCase() : undefined;
  if (word === 'passed' || word === 'failed') return { kind: 'migrationCheck', result: word };
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 40)) : typeof value;
  throw new ValidationError(`migration check: expected "passed" or "failed", got ${shown}`, { value: shown });
}
