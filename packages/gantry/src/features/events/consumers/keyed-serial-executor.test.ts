import { describe, expect, it } from 'vitest';
import { KeyedSerialExecutor } from './keyed-serial-executor.js';

function deferred() {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

describe('KeyedSerialExecutor', () => {
  it('runs one key in order and other keys alongside', async () => {
    const executor = new KeyedSerialExecutor();
    const log: string[] = [];
    const gate = deferred();
    const a1 = executor.run('a', async () => {
      log.push('a1 start');
      await gate.promise;
      log.push('a1 end');
    });
    const a2 = executor.run('a', () => Promise.resolve(log.push('a2')));
    const b1 = executor.run('b', () => Promise.resolve(log.push('b1')));
    await b1;
    expect(log).toEqual(['a1 start', 'b1']);
    gate.resolve();
    await Promise.all([a1, a2]);
    expect(log).toEqual(['a1 start', 'b1', 'a1 end', 'a2']);
    expect(executor.activeKeys).toBe(0);
  });

  it('continues with the next task of a key after one fails', async () => {
    const executor = new KeyedSerialExecutor();
    const failed = executor.run('a', () => Promise.reject(new Error('boom')));
    const next = executor.run('a', () => Promise.resolve('ran'));
    await expect(failed).rejects.toThrow('boom');
    await expect(next).resolves.toBe('ran');
  });
});
