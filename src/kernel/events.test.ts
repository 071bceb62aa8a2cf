// Typed event contracts and subscriptions: a handler receives the events of its contracts with the
// payload typed by them, and refuses, loudly, an event of a version it was not written for.
import { describe, expect, it } from 'vitest';
import type { Tx } from './db/database.js';
import { defineEvent, EventVersionError, on } from './events.js';
import type { DomainEvent } from './outbox.js';

const ThingRenamed = defineEvent<{ id: string; name: string }>('test.thing_renamed', { version: 1 });
const ThingRenamedV2 = defineEvent<{ id: string; names: string[] }>('test.thing_renamed', { version: 2 });
const ThingDeleted = defineEvent<{ id: string; name: string }>('test.thing_deleted');

const tx = {} as Tx;
const eventOf = (type: string, version: number, payload: Record<string, unknown>): DomainEvent => ({ id: 'evt_1', type, version, tenantId: null, payload, actorId: null, requestId: null, occurredAt: new Date(0) });

describe('event contracts', () => {
  it('are version 1 unless declared otherwise, and refuse versions that are not positive integers', () => {
    expect(ThingDeleted).toEqual({ type: 'test.thing_deleted', version: 1 });
    expect(ThingRenamedV2.version).toBe(2);
    expect(() => defineEvent('test.bad', { version: 0 })).toThrow('positive integer');
  });
});

describe('a typed subscription', () => {
  it('subscribes to its contracts’ types and hands the handler the typed payload', async () => {
    const seen: string[] = [];
    const subscription = on([ThingRenamed, ThingDeleted], 'test.names', async (event) => {
      seen.push(`${event.type}:${event.payload.name}`);
    });
    expect(subscription.types).toEqual(['test.thing_renamed', 'test.thing_deleted']);
    await subscription.handle(eventOf('test.thing_renamed', 1, { id: 'x', name: 'new' }), tx);
    await subscription.handle(eventOf('test.thing_deleted', 1, { id: 'x', name: 'gone' }), tx);
    expect(seen).toEqual(['test.thing_renamed:new', 'test.thing_deleted:gone']);
  });

  it('does not hand a handler written for version 1 an event of version 2: its delivery fails instead', async () => {
    const seen: unknown[] = [];
    const v1 = on(ThingRenamed, 'test.v1', async (event) => void seen.push(event.payload));
    const v2 = on(ThingRenamedV2, 'test.v2', async (event) => void seen.push(event.payload.names));
    await expect(v1.handle(eventOf('test.thing_renamed', 2, { id: 'x', names: ['a'] }), tx)).rejects.toBeInstanceOf(EventVersionError);
    await expect(v2.handle(eventOf('test.thing_renamed', 1, { id: 'x', name: 'a' }), tx)).rejects.toThrow('version 2');
    await v2.handle(eventOf('test.thing_renamed', 2, { id: 'x', names: ['a'] }), tx);
    expect(seen).toEqual([['a']]);
  });

  it('refuses an event of a type it does not subscribe to, and a contract listed twice', async () => {
    const subscription = on(ThingRenamed, 'test.one', async () => {});
    await expect(subscription.handle(eventOf('test.other', 1, {}), tx)).rejects.toThrow('does not subscribe');
    expect(() => on([ThingRenamed, ThingRenamed], 'test.twice', async () => {})).toThrow('twice');
  });
});
