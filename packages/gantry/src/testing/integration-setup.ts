import { connect } from 'node:net';
import { redactUrl } from '../shared/redact.js';
import { TEST_SERVICE_VARIABLES, type TestServiceVariable } from './test-backends.js';

// Global setup of the integration run: every real service must be named and
// answering before a single test starts. A missing one fails the run with its
// name; nothing is skipped.

const DEFAULT_PORTS: Record<string, number> = {
  'postgres:': 5432,
  'postgresql:': 5432,
  'amqp:': 5672,
  'nats:': 4222,
};

function reachable(url: string): Promise<string | undefined> {
  const parsed = new URL(url);
  const port = Number(parsed.port) || DEFAULT_PORTS[parsed.protocol] || 0;
  return new Promise((resolve) => {
    const socket = connect({ host: parsed.hostname, port, timeout: 3_000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(undefined);
    });
    socket.once('timeout', () => {
      socket.destroy();
      resolve(`no answer from ${parsed.hostname}:${port} within 3s`);
    });
    socket.once('error', (error) => resolve(`${error.message}`));
  });
}

export default async function integrationSetup(): Promise<void> {
  const problems: string[] = [];
  for (const [variable, meaning] of Object.entries(TEST_SERVICE_VARIABLES) as [
    TestServiceVariable,
    string,
  ][]) {
    const url = process.env[variable];
    if (!url) {
      problems.push(`${variable} is not set (it names ${meaning})`);
      continue;
    }
    const problem = await reachable(url);
    if (problem) problems.push(`${variable}=${redactUrl(url)} is unreachable: ${problem}`);
  }
  if (problems.length > 0) {
    throw new Error(
      `The integration tests need real services and will not skip them:\n  - ${problems.join('\n  - ')}`,
    );
  }
}
