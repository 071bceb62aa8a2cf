import { createRequire } from 'node:module';
import type { EventEmitter } from 'node:events';
import { afterEach, describe, expect, it } from 'vitest';
import './jobs.js';

// pg-boss's own Manager with a database whose connection has just died: the worker path calls
// complete()/fail() without awaiting them (see handleUnawaitedJobCompletions).
const Manager = createRequire(import.meta.url)('pg-boss/src/manager.js') as new (db: unknown, config: unknown) => EventEmitter & {
  complete(name: string, id: string): Promise<unknown>;
  fail(name: string, id: string, data?: unknown): Promise<unknown>;
};

function managerOnADeadConnection() {
  const db = { executeSql: () => Promise.reject(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' })) };
  return new Manager(db, { schema: 'pgboss' });
}

describe('job outcomes recorded while the database is gone', () => {
  const unhandled: unknown[] = [];
  const onUnhandled = (reason: unknown) => unhandled.push(reason);
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
    unhandled.length = 0;
  });

  it('leave no unhandled rejection when not awaited (pg-boss worker path), and report on the error event', async () => {
    process.on('unhandledRejection', onUnhandled);
    const manager = managerOnADeadConnection();
    const reported: Error[] = [];
    manager.on('error', (error: Error) => reported.push(error));
    void manager.complete('mail', '00000000-0000-0000-0000-000000000001');
    void manager.fail('mail', '00000000-0000-0000-0000-000000000002', new Error('handler failed'));
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
    expect(reported.map((e) => e.message)).toEqual([
      "could not record a job's completion: write EPIPE",
      "could not record a job's failure: write EPIPE",
    ]);
  });

  it('still reject for a caller that awaits', async () => {
    const manager = managerOnADeadConnection();
    manager.on('error', () => {});
    await expect(manager.fail('mail', '00000000-0000-0000-0000-000000000003')).rejects.toThrow('write EPIPE');
  });
});
