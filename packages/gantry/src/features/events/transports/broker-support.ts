import { errorMessage } from '../../../shared/errors.js';
import { redactText } from '../../../shared/redact.js';
import { EventHeader, type EventEnvelope } from '../event.js';

// Small pieces both broker transports need.

/** The W3C trace headers of an envelope, copied into broker message headers for tracing tools. */
export function traceHeaderEntries(envelope: EventEnvelope): [string, string][] {
  const entries: [string, string][] = [];
  for (const name of [EventHeader.traceparent, EventHeader.tracestate]) {
    const value = envelope.headers[name];
    if (value !== undefined) entries.push([name, value]);
  }
  return entries;
}

/** "<broker>: <what>: <cause>", with credentials redacted. */
export function brokerError(description: string, what: string, cause?: unknown): Error {
  return new Error(
    `${description}: ${what}${cause === undefined ? '' : `: ${redactText(errorMessage(cause))}`}`,
  );
}

/** Acks and nacks on a closed channel or connection throw; the broker redelivers what was not acked. */
export function ignoreClosed(operation: () => void): void {
  try {
    operation();
  } catch {
    // Closed: nothing to do.
  }
}

/** Awaits best-effort work during shutdown or clean-up, ignoring its failure. */
export async function quietly(promise: Promise<unknown>): Promise<void> {
  try {
    await promise;
  } catch {
    // Best effort.
  }
}
