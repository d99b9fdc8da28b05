import { createServer, request as httpRequest, Agent, type Server } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';
import { once } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import { waitFor } from '../../testing/wait-for.js';
import { HttpConnections } from './http-connections.js';

/** A server whose /slow answers only when the test says so. */
interface StartedServer {
  server: Server;
  port: number;
  /** Resolves when /slow has been asked for. */
  slowAsked: Promise<void>;
  answerSlow: () => void;
}

function startServer(): Promise<StartedServer> {
  let answer: (() => void) | undefined;
  const waiting = new Promise<void>((resolve) => (answer = resolve));
  let asked: (() => void) | undefined;
  const slowAsked = new Promise<void>((resolve) => (asked = resolve));
  const server = createServer((request, response) => {
    if (request.url === '/slow') {
      asked?.();
      response.write('first half, ');
      void waiting.then(() => response.end('second half'));
      return;
    }
    response.end('fast');
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () =>
      resolve({
        server,
        port: (server.address() as AddressInfo).port,
        slowAsked,
        answerSlow: () => answer?.(),
      }),
    );
  });
}

function get(port: number, path: string, agent: Agent): Promise<{ body: string; socket: Socket }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest({ host: '127.0.0.1', port, path, agent }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('error', reject);
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ body, socket: request.socket! }));
    });
    request.on('error', reject);
    request.end();
  });
}

describe('HttpConnections', () => {
  let server: Server | undefined;
  const agents: Agent[] = [];

  afterEach(async () => {
    for (const agent of agents.splice(0)) agent.destroy();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
    server = undefined;
  });

  function keepAliveAgent(): Agent {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    return agent;
  }

  it('closes connections without a request at once, and others once their answer is sent whole', async () => {
    const started = await startServer();
    server = started.server;
    const connections = new HttpConnections(server);

    // A connection that never sends a request: server.close() alone would keep it for a minute.
    const silent = connect(started.port, '127.0.0.1');
    await once(silent, 'connect');
    // A keep-alive connection between requests.
    const idle = await get(started.port, '/', keepAliveAgent());
    expect(idle.body).toBe('fast');
    // A connection with a request in flight.
    const slow = get(started.port, '/slow', keepAliveAgent());
    await started.slowAsked;
    while (connections.size < 3) await new Promise((resolve) => setTimeout(resolve, 5));

    const closed = new Promise<void>((resolve) => server!.close(() => resolve()));
    connections.closeWhenIdle();
    await once(silent, 'close');
    await once(idle.socket, 'close');
    expect(connections.size).toBe(1);

    started.answerSlow();
    const answered = await slow;
    expect(answered.body).toBe('first half, second half');
    await closed;
    await waitFor(() => connections.size === 0, { what: 'the last connection to close' });
  });

  it('cuts connections with requests in flight when told to', async () => {
    const started = await startServer();
    server = started.server;
    const connections = new HttpConnections(server);
    const slow = get(started.port, '/slow', keepAliveAgent());
    await started.slowAsked;
    connections.closeWhenIdle();
    expect(connections.size).toBe(1);
    connections.closeAll();
    await expect(slow).rejects.toThrow(/socket hang up|aborted|ECONNRESET/);
  });

  it('closes a connection that arrives while closing as soon as it opens', async () => {
    const started = await startServer();
    server = started.server;
    const connections = new HttpConnections(server);
    connections.closeWhenIdle();
    const late = connect(started.port, '127.0.0.1');
    await once(late, 'close');
    await waitFor(() => connections.size === 0, { what: 'the late connection to close' });
  });
});
