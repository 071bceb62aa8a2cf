// The use-case pipeline on a real database: a change is audited and published together, with the
// caller's request id and address, or not at all; a caller not allowed the declared action changes
// nothing; a use case that forgets to authorize cannot commit.
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../../test/support/platform.js';
import { consoleOperatorContext } from '../modules/identity/index.js';
import type { RequestContext } from './context.js';
import { ForbiddenError, UnauthenticatedError } from './errors.js';
import { defineEvent } from './events.js';
import { defineDecision, defineUseCase, UseCaseUnauthorizedError } from './use-case.js';

const ThingRenamed = defineEvent<{ id: string }>('test.thing_renamed', { version: 1 });
const Late = defineEvent<Record<string, never>>('test.late', { version: 1 });

let t: TestPlatform;
let owner: pg.Client;

const operator = (requestId: string): RequestContext => ({ ...consoleOperatorContext(requestId), sourceIp: '192.0.2.7' });
/** Signed in, but allowed nothing. */
const nobody = (requestId: string): RequestContext => ({ ...operator(requestId), principal: { ...operator(requestId).principal!, platformRole: null, userId: 'usr_nobody', policies: [] } });

const written = async (requestId: string) => {
  const audit = await owner.query('select action, target_id, request_id, source_ip, actor_id from kernel.audit_entries where request_id = $1', [requestId]);
  const events = await owner.query('select type, version, payload, request_id, actor_id from kernel.outbox where request_id = $1', [requestId]);
  return { audit: audit.rows as Record<string, unknown>[], events: events.rows as Record<string, unknown>[] };
};

const renameThing = defineUseCase<{ id: string; fail?: boolean }, string>({
  name: 'test.rename-thing',
  access: { action: 'catalog:product.update' },
  resource: (input) => `prn:platform:product/${input.id}`,
  async run({ input, record }) {
    record({ target: { type: 'thing', id: input.id }, before: { name: 'old' }, after: { name: 'new' }, event: { contract: ThingRenamed, payload: { id: input.id } } });
    if (input.fail) throw new Error('the work failed after recording');
    return input.id;
  },
});

beforeAll(async () => {
  t = await startTestPlatform();
  owner = new pg.Client({ connectionString: t.database.ownerUrl });
  await owner.connect();
});

afterAll(async () => {
  await owner?.end();
  await t?.close();
});

describe('the use-case pipeline', () => {
  it('writes the audit entry and the event of a change together, with the request id, address and actor taken from the context', async () => {
    await t.platform.kernel.useCases.run(renameThing, operator('req-pipeline-1'), { id: 'prd_1' });
    const { audit, events } = await written('req-pipeline-1');
    expect(audit).toEqual([{ action: 'test.thing_renamed', target_id: 'prd_1', request_id: 'req-pipeline-1', source_ip: '192.0.2.7', actor_id: 'console' }]);
    expect(events).toEqual([{ type: 'test.thing_renamed', version: 1, payload: { id: 'prd_1' }, request_id: 'req-pipeline-1', actor_id: 'console' }]);
  });

  it("publishes the version of the event's contract with the event", async () => {
    const RenamedV3 = defineEvent<{ id: string; names: string[] }>('test.thing_renamed', { version: 3 });
    const renameAgain = defineUseCase<{ id: string }, void>({
      name: 'test.rename-again',
      access: { action: 'catalog:product.update' },
      resource: (input) => `prn:platform:product/${input.id}`,
      async run({ input, record }) {
        record({ target: { type: 'thing', id: input.id }, event: { contract: RenamedV3, payload: { id: input.id, names: ['a', 'b'] } } });
      },
    });
    await t.platform.kernel.useCases.run(renameAgain, operator('req-pipeline-8'), { id: 'prd_8' });
    expect((await written('req-pipeline-8')).events).toEqual([{ type: 'test.thing_renamed', version: 3, payload: { id: 'prd_8', names: ['a', 'b'] }, request_id: 'req-pipeline-8', actor_id: 'console' }]);
  });

  it('writes neither when the work fails after recording', async () => {
    await expect(t.platform.kernel.useCases.run(renameThing, operator('req-pipeline-2'), { id: 'prd_2', fail: true })).rejects.toThrow('the work failed');
    expect(await written('req-pipeline-2')).toEqual({ audit: [], events: [] });
  });

  it('refuses a caller not allowed the declared action before any work, and anonymous callers as unauthenticated', async () => {
    await expect(t.platform.kernel.useCases.run(renameThing, nobody('req-pipeline-3'), { id: 'prd_3' })).rejects.toBeInstanceOf(ForbiddenError);
    await expect(t.platform.kernel.useCases.run(renameThing, { principal: null, requestId: 'req-pipeline-3', sourceIp: 'x' }, { id: 'prd_3' })).rejects.toBeInstanceOf(UnauthenticatedError);
    expect(await written('req-pipeline-3')).toEqual({ audit: [], events: [] });
  });

  it('authorizes inside the run when the resource is known only from data, and refuses to commit a use case that never authorized', async () => {
    const authorizesLate = defineUseCase<{ tenant: string; skip: boolean }, void>({
      name: 'test.late',
      access: { action: 'catalog:product.update' },
      async run({ input, authorize, record }) {
        if (!input.skip) authorize(`prn:${input.tenant}:product/p`);
        record({ target: { type: 'thing', id: 'late' }, event: { contract: Late, payload: {} } });
      },
    });
    await t.platform.kernel.useCases.run(authorizesLate, operator('req-pipeline-4'), { tenant: 'ten_x', skip: false });
    expect((await written('req-pipeline-4')).events).toHaveLength(1);
    await expect(t.platform.kernel.useCases.run(authorizesLate, operator('req-pipeline-5'), { tenant: 'ten_x', skip: true })).rejects.toBeInstanceOf(UseCaseUnauthorizedError);
    await expect(t.platform.kernel.useCases.run(authorizesLate, nobody('req-pipeline-6'), { tenant: 'ten_x', skip: false })).rejects.toBeInstanceOf(ForbiddenError);
    expect(await written('req-pipeline-5')).toEqual({ audit: [], events: [] });
    expect(await written('req-pipeline-6')).toEqual({ audit: [], events: [] });
  });

  it("gives the route the use case's own action to declare, and keeps system use cases from callers", async () => {
    expect(renameThing.action).toBe('catalog:product.update');
    const housekeeping = defineUseCase<void, void>({ name: 'test.housekeeping', access: { system: true }, run: async () => {} });
    expect(housekeeping.action).toBeUndefined();
    await expect(t.platform.kernel.useCases.run(housekeeping, operator('req-pipeline-7'), undefined)).rejects.toThrow('system');
  });

  it('decides a use case without data only for a caller allowed its action, on the resource its input names', () => {
    const asked: string[] = [];
    const echo = defineDecision<{ id: string }, string>({
      name: 'test.echo',
      action: 'catalog:product.read',
      resource: (input) => `prn:platform:product/${input.id}`,
      decide: (input) => {
        asked.push(input.id);
        return `echo ${input.id}`;
      },
    });
    expect(echo.action).toBe('catalog:product.read');
    expect(t.platform.kernel.useCases.decide(echo, operator('req-decision-1'), { id: 'prd_9' })).toBe('echo prd_9');
    expect(() => t.platform.kernel.useCases.decide(echo, nobody('req-decision-2'), { id: 'prd_10' })).toThrow(ForbiddenError);
    expect(() => t.platform.kernel.useCases.decide(echo, { principal: null, requestId: 'req-decision-3', sourceIp: 'x' }, { id: 'prd_11' })).toThrow(UnauthenticatedError);
    expect(asked).toEqual(['prd_9']);
  });
});
