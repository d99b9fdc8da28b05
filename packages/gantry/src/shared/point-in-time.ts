import { z } from 'zod';
import { parseDuration } from './duration.js';

/**
 * A query parameter naming a moment: an ISO 8601 time, or a duration back
 * from now (`24h`, `7d`). Parses to a Date.
 */
export const pointInTime = z
  .string()
  .max(64)
  .transform((text, context) => {
    const trimmed = text.trim();
    if (/^\d+(?:\.\d+)?(?:ms|s|m|h|d)(?:\d+(?:\.\d+)?(?:ms|s|m|h|d))*$/.test(trimmed)) {
      return new Date(Date.now() - parseDuration(trimmed));
    }
    const date = new Date(trimmed);
    if (!/^\d{4}-\d{2}-\d{2}/.test(trimmed) || Number.isNaN(date.getTime())) {
      context.addIssue({
        code: 'custom',
        message: 'is neither an ISO 8601 time (2026-01-31T12:00:00Z) nor a duration back from now (24h, 7d)',
      });
      return z.NEVER;
    }
    return date;
  })
  .meta({ description: 'An ISO 8601 time, or a duration back from now such as 24h or 7d.' });
