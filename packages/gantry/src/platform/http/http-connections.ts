import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/**
 * The HTTP server's connections and how many requests each has in flight, so
 * that a shutdown closes the ones nobody waits on at once.
 *
 * Why: `server.close()` (what Fastify's close calls) closes keep-alive
 * connections between requests, but a connection that never sent a request
 * (a browser's preconnect, a client's spare socket) stays open until
 * `headersTimeout` runs out: the shutdown of a server with such a connection
 * took 70 s instead of under one.
 */
export class HttpConnections {
  private readonly requestsInFlight = new Map<Socket, number>();
  private closing = false;

  constructor(server: Server) {
    server.on('connection', (socket: Socket) => {
      this.requestsInFlight.set(socket, 0);
      socket.once('close', () => this.requestsInFlight.delete(socket));
      if (this.closing) socket.destroySoon();
    });
    server.on('request', (request: IncomingMessage, response: ServerResponse) => {
      const socket = request.socket;
      this.requestsInFlight.set(socket, (this.requestsInFlight.get(socket) ?? 0) + 1);
      response.once('close', () => {
        const inFlight = this.requestsInFlight.get(socket);
        if (inFlight === undefined) return; // the connection closed first
        const left = inFlight - 1;
        this.requestsInFlight.set(socket, left);
        if (this.closing && left === 0) socket.destroySoon();
      });
    });
  }

  /** Connections open now (tests). */
  get size(): number {
    return this.requestsInFlight.size;
  }

  /**
   * From now on a connection closes once it has no request in flight; those
   * with none close now. Requests in flight finish and their answers are sent
   * whole (destroySoon flushes before it closes).
   */
  closeWhenIdle(): void {
    this.closing = true;
    for (const [socket, inFlight] of this.requestsInFlight) {
      if (inFlight === 0) socket.destroySoon();
    }
  }

  /** Cuts every connection, requests in flight or not (the shutdown's time ran out). */
  closeAll(): void {
    this.closing = true;
    for (const socket of this.requestsInFlight.keys()) socket.destroy();
  }
}
