import { describe, expect, it } from 'vitest';
import { redactText, redactUrl } from './redact.js';

describe('redaction', () => {
  it('hides the password of a URL and secret query parameters', () => {
    expect(redactUrl('postgres://gantry:s3cret@db:5432/gantry')).toBe('postgres://gantry:***@db:5432/gantry');
    expect(redactUrl('https://hooks.example/x?token=abc&team=a')).toBe(
      'https://hooks.example/x?token=***&team=a',
    );
    expect(redactUrl('amqp://rabbit:5672')).toBe('amqp://rabbit:5672');
  });

  it('hides credentials inside free text', () => {
    expect(redactText('connect ECONNREFUSED amqp://guest:guest@10.0.0.1:5672 failed')).toBe(
      'connect ECONNREFUSED amqp://guest:***@10.0.0.1:5672 failed',
    );
  });

  it('hides Gantry API tokens inside free text', () => {
    const token = `gty_${'A'.repeat(40)}b-_`;
    expect(redactText(`request with ${token} refused`)).toBe('request with gty_*** refused');
  });
});
