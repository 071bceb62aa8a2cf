// Typed event contracts: an event's name, its payload type and its version, declared once by the
// module that publishes it (in its `events.ts`, exported from its index). A use case records a
// change with `{ contract, payload }` (kernel/use-case.ts), so the payload is checked against the
// contract where it is written; a module subscribes with `on(contract, name, handler)`, so the
// handler receives the payload typed by the same contract. The outbox stores each event's version,
// and a handler refuses (loudly: its delivery fails and is retried) an event of a version other
// than the one it was written for, so changing a payload means a new version and a subscriber
// that says it reads it.
import type { Tx } from './db/database.js';
import type { DomainEvent, Subscription } from './outbox.js';

/** An event's contract: its type, version and (at compile time only) its payload. */
export interface EventContract<Payload extends object> {
  readonly type: string;
  readonly version: number;
  /** Never set: carries the payload type so records and handlers are checked against it. */
  readonly __payload?: Payload;
}

export type PayloadOf<C> = C extends EventContract<infer Payload> ? Payload : never;

/** An event as a use case records it: the contract and a payload of that contract's type. */
export interface ContractEvent<Payload extends object> {
  contract: EventContract<Payload>;
  payload: NoInfer<Payload>;
}

/** Declares an event: `defineEvent<{ orderId: string }>('order.created', { version: 1 })`. */
export function defineEvent<Payload extends object>(type: string, options: { version: number } = { version: 1 }): EventContract<Payload> {
  if (!Number.isInteger(options.version) || options.version < 1) throw new Error(`event ${type}: a version is a positive integer, not ${options.version}`);
  return { type, version: options.version };
}

export class EventVersionError extends Error {
  constructor(subscription: string, event: DomainEvent, expected: number) {
    super(`${subscription} handles ${event.type} version ${expected}; event ${event.id} is version ${event.version}`);
    this.name = 'EventVersionError';
  }
}

/**
 * A typed subscription: the handler runs for events of the contract(s), with their payload typed,
 * in the delivery's transaction. Its name is the idempotency key of deliveries: never rename a live one.
 */
export function on<Payload extends object>(
  contracts: EventContract<Payload> | readonly EventContract<Payload>[],
  name: string,
  handler: (event: DomainEvent<Payload>, tx: Tx) => Promise<void>,
): Subscription {
  const list = Array.isArray(contracts) ? (contracts as readonly EventContract<Payload>[]) : [contracts as EventContract<Payload>];
  const versions = new Map(list.map((contract) => [contract.type, contract.version]));
  if (versions.size !== list.length) throw new Error(`${name} subscribes to an event twice`);
  return {
    name,
    types: [...versions.keys()],
    handle: async (event, tx) => {
      const expected = versions.get(event.type);
      if (expected === undefined) throw new Error(`${name} was given ${event.type}, which it does not subscribe to`);
      if (event.version !== expected) throw new EventVersionError(name, event, expected);
      await handler(event as DomainEvent<Payload>, tx);
    },
  };
}
