import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config.js';

describe('configuration', () => {
  it('has defaults for a laptop: PGlite, in-process broker, 127.0.0.1:7070', () => {
    const config = loadConfig({});
    expect(config.http).toEqual({ host: '127.0.0.1', port: 7070 });
    expect(config.database.url).toBeUndefined();
    expect(config.database.dataDir).toBe('./.gantry/data');
    expect(config.broker.url).toBeUndefined();
    expect(config.relay.retentionMs).toBe(7 * 86_400_000);
    expect(config.consumers).toEqual({
      concurrency: 32,
      maxAttempts: 8,
      retryBaseMs: 1_000,
      retryMaxMs: 300_000,
    });
  });

  it('reads durations and URLs', () => {
    const config = loadConfig({
      GANTRY_PORT: '8080',
      GANTRY_DATABASE_URL: 'postgres://gantry@db/gantry',
      GANTRY_BROKER_URL: 'nats://nats:4222',
      GANTRY_SHUTDOWN_TIMEOUT: '30s',
    });
    expect(config.http.port).toBe(8080);
    expect(config.database.url).toBe('postgres://gantry@db/gantry');
    expect(config.broker.url).toBe('nats://nats:4222');
    expect(config.shutdownTimeoutMs).toBe(30_000);
  });

  it.each([
    [
      { GANTRY_PORT: 'abc' },
      'Invalid configuration: GANTRY_PORT="abc" is not a number; for example GANTRY_PORT=7070',
    ],
    [
      { GANTRY_PORT: '70000' },
      'Invalid configuration: GANTRY_PORT="70000" is not a port number (1-65535); for example GANTRY_PORT=7070',
    ],
    [
      { GANTRY_BROKER_URL: 'kafka://k:9092' },
      'Invalid configuration: GANTRY_BROKER_URL="kafka://k:9092" is not a URL starting with amqp:// or amqps:// or nats:// or tls://; for example GANTRY_BROKER_URL=amqp://guest:guest@rabbitmq:5672',
    ],
    [
      { GANTRY_LOG_LEVEL: 'verbose' },
      'Invalid configuration: GANTRY_LOG_LEVEL="verbose" is not one of trace, debug, info, warn, error, fatal, silent; for example GANTRY_LOG_LEVEL=debug',
    ],
    [
      { GANTRY_SHUTDOWN_TIMEOUT: '10 seconds' },
      'Invalid configuration: GANTRY_SHUTDOWN_TIMEOUT="10 seconds" is not a duration: write a number and a unit (ms, s, m, h, d), e.g. 500ms, 30s, 5m, 64h or 7d; for example GANTRY_SHUTDOWN_TIMEOUT=30s',
    ],
  ])('rejects %j with one line that names the variable and a good example', (env, message) => {
    expect(() => loadConfig(env)).toThrow(ConfigError);
    expect(() => loadConfig(env)).toThrow(message);
  });

  it('never prints the password of a bad database URL', () => {
    let message = '';
    try {
      loadConfig({ GANTRY_DATABASE_URL: 'mysql://gantry:hunter2@db/gantry' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toContain('GANTRY_DATABASE_URL');
    expect(message).not.toContain('hunter2');
  });

  it('takes DORA bands from inline JSON or a file, and the 2023 ones by default', () => {
    expect(loadConfig({}).dora.bands.source).toContain('2023');
    expect(
      loadConfig({ GANTRY_DORA_BANDS: '{"changeFailureRate": {"high": 0.12}}' }).dora.bands.changeFailureRate,
    ).toEqual({
      elite: 0.05,
      high: 0.12,
      medium: 0.15,
    });
    const file = join(mkdtempSync(join(tmpdir(), 'gantry-config-')), 'bands.json');
    writeFileSync(file, '{"source": "ACME targets", "recoveryTime": {"elite": "30m"}}');
    const fromFile = loadConfig({ GANTRY_DORA_BANDS: file }).dora.bands;
    expect(fromFile.source).toBe('ACME targets');
    expect(fromFile.recoveryTime.elite).toBe(1_800);
  });

  it.each([
    ['{"leadTime": {"elite": "10d"}}', 'leadTime: the bars must keep elite ≤ high ≤ medium'],
    ['{"leadTime"', 'is not JSON'],
    ['/nonexistent/bands.json', 'cannot be read (ENOENT'],
  ])('refuses GANTRY_DORA_BANDS=%s at start, saying why', (value, message) => {
    expect(() => loadConfig({ GANTRY_DORA_BANDS: value })).toThrow(ConfigError);
    expect(() => loadConfig({ GANTRY_DORA_BANDS: value })).toThrow(message);
  });
});
