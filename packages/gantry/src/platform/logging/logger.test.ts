import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { NotFoundError } from '../../shared/errors.js';
import { createLogger, NestPinoLogger, redactDeep, type LogConfig } from './logger.js';

class MemoryDestination extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, callback: () => void): void {
    this.chunks.push(chunk.toString('utf8'));
    callback();
  }
  get text(): string {
    return this.chunks.join('');
  }
  lines(): Record<string, unknown>[] {
    return this.text
      .split('\n')
      .filter((line) => line.length > 0)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }
}

function setup(config: Partial<LogConfig> = {}) {
  const destination = new MemoryDestination();
  const logger = createLogger({ level: 'trace', format: 'json', ...config }, destination);
  return { destination, logger };
}

const URL_WITH_PASSWORD = 'postgres://gantry:hunter2@db:5432/gantry';

describe('createLogger', () => {
  it('writes JSON lines with a textual level and an ISO time', () => {
    const { destination, logger } = setup();
    logger.info({ releaseId: 'r1' }, 'release created');
    const [line] = destination.lines();
    expect(line).toMatchObject({ level: 'info', msg: 'release created', releaseId: 'r1' });
    expect(typeof line!.time).toBe('string');
  });

  it('redacts credentials in URLs inside messages and format arguments', () => {
    const { destination, logger } = setup();
    logger.warn(`cannot connect to ${URL_WITH_PASSWORD}`);
    logger.warn('broker %s is down', 'amqp://guest:guest@rabbitmq:5672');
    expect(destination.text).not.toContain('hunter2');
    expect(destination.text).not.toContain('guest@');
    const [first, second] = destination.lines();
    expect(first!.msg).toBe('cannot connect to postgres://gantry:***@db:5432/gantry');
    expect(second!.msg).toBe('broker amqp://guest:***@rabbitmq:5672 is down');
  });

  it('redacts credentials in error messages, stacks, causes and error fields', () => {
    const { destination, logger } = setup();
    const cause = new Error(`connect ECONNREFUSED ${URL_WITH_PASSWORD}`);
    const error = Object.assign(new Error(`query failed on ${URL_WITH_PASSWORD}`, { cause }), {
      url: URL_WITH_PASSWORD,
    });
    logger.error(error);
    logger.error({ err: error });
    logger.error({ err: error }, 'relay stopped');
    expect(destination.text).not.toContain('hunter2');
    const lines = destination.lines();
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const err = line.err as Record<string, unknown>;
      expect(err.type).toBe('Error');
      expect(err.message).toBe('query failed on postgres://gantry:***@db:5432/gantry');
      expect(err.stack).toContain('query failed on postgres://gantry:***@db');
      expect(err.url).toBe('postgres://gantry:***@db:5432/gantry');
      expect((err.cause as Record<string, unknown>).message).toContain('gantry:***@db');
    }
    expect(lines[0]!.msg).toBe('query failed on postgres://gantry:***@db:5432/gantry');
    expect(lines[1]!.msg).toBe('query failed on postgres://gantry:***@db:5432/gantry');
    expect(lines[2]!.msg).toBe('relay stopped');
  });

  it('keeps the fields of Gantry errors', () => {
    const { destination, logger } = setup();
    logger.warn({ err: new NotFoundError('release 2026.01.3 of api not found', { service: 'api' }) });
    const err = destination.lines()[0]!.err as Record<string, unknown>;
    expect(err).toMatchObject({
      type: 'NotFoundError',
      status: 404,
      code: 'not_found',
      details: { service: 'api' },
    });
  });

  it('redacts URLs and secret fields in nested objects and arrays', () => {
    const { destination, logger } = setup();
    logger.info(
      {
        target: { repo: { url: 'https://bot:ghp_abcdef@github.com/acme/config.git', token: 'ghp_abcdef' } },
        brokers: [new URL('amqp://user:s3cret@mq:5672'), { deep: { deeper: { dsn: URL_WITH_PASSWORD } } }],
        password: 'hunter2',
        webhook: { secret: 'whsec', signature: 'sha256=abc' },
        headers: { Authorization: 'Bearer xyz', accept: 'application/json' },
      },
      'configured',
    );
    const text = destination.text;
    for (const secret of ['hunter2', 'ghp_abcdef', 's3cret', 'whsec', 'sha256=abc', 'Bearer xyz']) {
      expect(text).not.toContain(secret);
    }
    const line = destination.lines()[0]!;
    expect(line.password).toBe('***');
    expect(line.target).toEqual({
      repo: { url: 'https://bot:***@github.com/acme/config.git', token: '***' },
    });
    expect(line.headers).toEqual({ Authorization: '***', accept: 'application/json' });
    expect(line.brokers).toEqual([
      'amqp://user:***@mq:5672',
      { deep: { deeper: { dsn: 'postgres://gantry:***@db:5432/gantry' } } },
    ]);
  });

  it('redacts request headers that carry credentials or signatures', () => {
    const { destination, logger } = setup();
    logger.info({
      req: {
        method: 'POST',
        headers: {
          authorization: 'Bearer abc',
          cookie: 'session=abc',
          'x-hub-signature-256': 'sha256=abc',
          'x-gitlab-token': 'glt-abc',
          'x-gantry-signature': 't=1,v1=abc',
          'content-type': 'application/json',
        },
      },
    });
    expect(destination.text).not.toMatch(/abc/);
    const req = destination.lines()[0]!.req as { headers: Record<string, string> };
    expect(req.headers).toEqual({
      authorization: '***',
      cookie: '***',
      'x-hub-signature-256': '***',
      'x-gitlab-token': '***',
      'x-gantry-signature': '***',
      'content-type': 'application/json',
    });
  });

  it('redacts child logger bindings', () => {
    const { destination, logger } = setup();
    logger.child({ database: URL_WITH_PASSWORD }).info('opened');
    expect(destination.text).not.toContain('hunter2');
    expect(destination.lines()[0]!.database).toBe('postgres://gantry:***@db:5432/gantry');
  });

  it('survives circular structures', () => {
    const { destination, logger } = setup();
    const node: Record<string, unknown> = { name: 'a' };
    node.self = node;
    logger.info({ node }, 'cycle');
    expect(destination.lines()[0]!.node).toEqual({ name: 'a', self: '[Circular]' });
  });

  it('honours the level', () => {
    const { destination, logger } = setup({ level: 'warn' });
    logger.info('hidden');
    logger.warn('shown');
    expect(destination.lines().map((line) => line.msg)).toEqual(['shown']);
  });

  it('writes readable lines in pretty format, still redacted', () => {
    const { destination, logger } = setup({ format: 'pretty' });
    logger.info({ context: 'Relay' }, `publishing to ${URL_WITH_PASSWORD}`);
    expect(destination.text).toContain('[Relay] publishing to postgres://gantry:***@db:5432/gantry');
    expect(destination.text).not.toContain('hunter2');
    expect(destination.text).not.toMatch(/^\{/);
  });
});

describe('redactDeep', () => {
  it('leaves class instances other than errors and URLs alone', () => {
    const date = new Date(0);
    expect(redactDeep({ at: date })).toEqual({ at: date });
  });
});

describe('NestPinoLogger', () => {
  it('maps Nest levels and contexts onto pino', () => {
    const { destination, logger } = setup();
    const nest = new NestPinoLogger(logger);
    nest.log('application started', 'NestApplication');
    nest.warn('slow', 'Relay');
    nest.verbose('details');
    nest.log('Mapped {/healthz, GET} route', 'RouterExplorer');
    const lines = destination.lines();
    expect(lines.map((line) => [line.level, line.msg, line.context])).toEqual([
      ['info', 'application started', 'NestApplication'],
      ['warn', 'slow', 'Relay'],
      ['trace', 'details', undefined],
      ['debug', 'Mapped {/healthz, GET} route', 'RouterExplorer'],
    ]);
  });

  it('logs errors with their stack and context, redacted', () => {
    const { destination, logger } = setup();
    const nest = new NestPinoLogger(logger);
    const error = new Error(`failed: ${URL_WITH_PASSWORD}`);
    nest.error(error.message, error.stack, 'ExceptionsHandler');
    nest.error(error);
    nest.error('plain failure');
    expect(destination.text).not.toContain('hunter2');
    const [first, second, third] = destination.lines();
    expect(first).toMatchObject({ level: 'error', context: 'ExceptionsHandler' });
    expect(first!.stack).toContain('failed: postgres://gantry:***@db');
    expect((second!.err as Record<string, unknown>).message).toBe(
      'failed: postgres://gantry:***@db:5432/gantry',
    );
    expect(third).toMatchObject({ level: 'error', msg: 'plain failure' });
    expect(third!.context).toBeUndefined();
  });

  it('merges object messages into the line', () => {
    const { destination, logger } = setup();
    new NestPinoLogger(logger).log({ msg: 'structured', count: 3 }, 'Ctx');
    expect(destination.lines()[0]).toMatchObject({ msg: 'structured', count: 3, context: 'Ctx' });
  });
});
