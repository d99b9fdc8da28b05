import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request as the receiver saw it. */
export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** How to answer a request: a status (and headers, body), or `hang` to never answer. */
export type Answer = { status: number; headers?: Record<string, string>; body?: string } | 'hang';

export interface HttpReceiver {
  /** http://127.0.0.1:<port> */
  url: string;
  received: ReceivedRequest[];
  /** Requests answered so far (hung ones never are). */
  answered: number;
  /** Decides each answer; `index` counts requests from 0. Replace it to change behaviour. */
  answer: (request: ReceivedRequest, index: number) => Answer;
  close(): Promise<void>;
}

/** A real HTTP server on a free port that records every request, for tests of outbound calls. */
export async function startHttpReceiver(
  answer: (request: ReceivedRequest, index: number) => Answer = () => ({ status: 200, body: 'ok' }),
): Promise<HttpReceiver> {
  const receiver: HttpReceiver = {
    url: '',
    received: [],
    answered: 0,
    answer,
    close: () => Promise.resolve(),
  };
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const seen: ReceivedRequest = {
        method: request.method ?? '',
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = receiver.received.length;
      receiver.received.push(seen);
      const reply = receiver.answer(seen, index);
      if (reply === 'hang') return;
      response.writeHead(reply.status, { 'content-type': 'text/plain', ...reply.headers });
      response.end(reply.body ?? '');
      receiver.answered += 1;
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  receiver.close = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return receiver;
}
