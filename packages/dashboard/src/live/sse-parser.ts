// A parser for the text/event-stream format (the WHATWG "server-sent events"
// rules): fields per line, a blank line ends an event, lines starting with a
// colon are comments (Gantry's keep-alives). Fed chunks of text as they
// arrive, in whatever pieces the network cuts them.

export interface ServerSentEvent {
  /** `message` when the event names no type. */
  event: string;
  data: string;
  /** The last `id:` seen so far in the stream (the id to resume after). */
  lastEventId: string;
}

export class SseParser {
  private buffer = '';
  private event = '';
  private data: string[] = [];
  private lastEventId = '';

  /** Feeds a chunk and returns the events it completed. */
  push(chunk: string): ServerSentEvent[] {
    this.buffer += chunk;
    const events: ServerSentEvent[] = [];
    for (;;) {
      const match = /\r\n|\r|\n/.exec(this.buffer);
      // A lone \r at the end may be the first half of \r\n: wait for more.
      if (!match || (match[0] === '\r' && match.index === this.buffer.length - 1)) break;
      const line = this.buffer.slice(0, match.index);
      this.buffer = this.buffer.slice(match.index + match[0].length);
      const event = this.line(line);
      if (event) events.push(event);
    }
    return events;
  }

  private line(line: string): ServerSentEvent | undefined {
    if (line === '') {
      if (this.data.length === 0) {
        this.event = '';
        return undefined;
      }
      const event = {
        event: this.event || 'message',
        data: this.data.join('\n'),
        lastEventId: this.lastEventId,
      };
      this.event = '';
      this.data = [];
      return event;
    }
    if (line.startsWith(':')) return undefined;
    const colon = line.indexOf(':');
    const field = colon === -1 ? line : line.slice(0, colon);
    let value = colon === -1 ? '' : line.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        this.event = value;
        break;
      case 'data':
        this.data.push(value);
        break;
      case 'id':
        if (!value.includes('\0')) this.lastEventId = value;
        break;
      default:
        break; // retry and unknown fields: Gantry's client keeps its own schedule
    }
    return undefined;
  }
}
