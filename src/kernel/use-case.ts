// The use-case pipeline: the one way a module's operation touches data on behalf of a caller.
//
//   authorize the declared action → open the transaction in the caller's scope → run →
//   write every recorded change's audit entry and its event together → commit
//
// A use case is declared once (`defineUseCase`): its action is what the route declares
// (`config: { action: useCase.action }`) and what the pipeline authorizes, so the two can never
// drift apart. The pipeline refuses to commit a use case that never authorized its action (deny by
// default, checked at run time as the route table checks it at registration), and a change can
// only be recorded together with the event that announces it: "audited but not published" cannot
// be written. The request id, source address and actor reach the audit entry and the event from
// the context; no use case copies them by hand.
import type { Action } from './authz/authorize.js';
import { authorize, isPlatformStaff } from './authz/authorize.js';
import type { Actor, AuditInput, AuditLog } from './audit.js';
import type { Clock } from './clock.js';
import { actorOf, type RequestContext } from './context.js';
import { inSideTransaction, inTransaction, type DataScope, type Db, type Tx, type TxContext } from './db/database.js';
import type { ContractEvent } from './events.js';
import { outboxRows, type PublishInput } from './outbox.js';

/** What the pipeline needs of the kernel. */
export interface UseCasePorts {
  db: Db;
  audit: AuditLog;
  clock: Clock;
}

/**
 * One change a use case made: audited on its tenant's chain (or the platform's) and published, in
 * the use case's transaction. Its event is typed by its contract (kernel/events.ts): the payload is
 * checked against the contract where the change is recorded.
 */
export interface RecordedChange<Payload extends object = object> {
  /** The audit action; defaults to the event's type. */
  action?: string;
  target: { type: string; id: string };
  /**
   * Who made the change, when it is not the caller: the person a sign-in just authenticated, the
   * address a refused attempt named, staff ending an impersonation as themselves. Default: the caller.
   */
  actor?: Actor;
  /** The tenant whose audit chain receives the entry and whose event it is; null/absent: the platform's. */
  tenantId?: string | null;
  before?: unknown;
  after?: unknown;
  /** The event that announces the change. Required: a change nobody hears of is a change nobody can react to. */
  event: ContractEvent<Payload>;
}

/** Several changes, each typed by its own event's contract. */
export type RecordedChanges<Payloads extends readonly object[]> = { [K in keyof Payloads]: RecordedChange<Payloads[K]> };

/** Who may run a use case: callers allowed its action, anyone (sign-in, accepting an invitation), or only the system itself (jobs, event handlers). */
export type Access = { action: Action } | { public: true } | { system: true };

export interface UseCaseRun<I> {
  tx: Tx;
  input: I;
  context: RequestContext;
  /**
   * Authorizes the use case's action on a resource known only once data is loaded (an order's
   * tenant). Throws ForbiddenError. A use case with an action must call this (or declare
   * `resource`) before it returns.
   */
  authorize(resource: string): void;
  /** Records a change: its audit entry and event are written when the use case's work returns, in its transaction. */
  record<Payload extends object>(change: RecordedChange<Payload>): void;
}

export interface UseCaseDefinition<I, O> {
  /** For logs and errors: `<module>.<use case>`. */
  name: string;
  access: Access;
  /** The resource the action is on, when the input names it (`prn:<tenant>:<type>/<id>`); else the run authorizes. */
  resource?: (input: I, context: RequestContext) => string;
  /** Where the transaction runs; by default the caller's scope (platform for staff, else their tenant). */
  scope?: (input: I, context: RequestContext) => DataScope;
  run(run: UseCaseRun<I>): Promise<O>;
}

/** What the registry knows of a use case, whatever its input and output: its name and action (the route table is checked against these). */
export interface DeclaredUseCase {
  name: string;
  /** The action to declare on the route that runs this use case (undefined for public and system use cases). */
  readonly action: Action | undefined;
}

export interface UseCase<I, O> extends UseCaseDefinition<I, O>, DeclaredUseCase {}

export function defineUseCase<I, O>(definition: UseCaseDefinition<I, O>): UseCase<I, O> {
  return { ...definition, action: 'action' in definition.access ? definition.access.action : undefined };
}

/**
 * A use case that reads and changes no data: explaining a decision, simulating a draft policy, the
 * caller's own session. Its action is authorized on its resource like any use case's, and it runs
 * without a transaction (so holds no connection). Declared like a use case, so its route declares
 * its action (`config: { action: decision.action }`) and the route table is held to it.
 */
export interface DecisionDefinition<I, O> {
  /** For logs and errors: `<module>.<use case>`. */
  name: string;
  action: Action;
  /** The resource the action is decided on. */
  resource: (input: I, context: RequestContext) => string;
  decide(input: I, context: RequestContext): O;
}

export interface DecisionUseCase<I, O> extends DecisionDefinition<I, O>, DeclaredUseCase {
  readonly action: Action;
}

export function defineDecision<I, O>(definition: DecisionDefinition<I, O>): DecisionUseCase<I, O> {
  return { ...definition };
}

/** The caller's own scope: platform staff work across tenants, everyone else in their active tenant (or none). */
export function callerScope(context: RequestContext, tenantId: string | null = context.principal?.tenantId ?? null): DataScope {
  if (isPlatformStaff(context)) return { kind: 'platform' };
  return tenantId ? { kind: 'tenant', tenantId } : { kind: 'none' };
}

/** The system's own work (jobs, event handlers, lookups before anyone is known): across tenants. */
export const SYSTEM_SCOPE: TxContext = { scope: { kind: 'platform' }, actorId: 'system' };

export class UseCaseUnauthorizedError extends Error {
  constructor(name: string) {
    super(`use case ${name} returned without authorizing its action: every use case with an action must authorize it (declare resource, or call run.authorize)`);
    this.name = 'UseCaseUnauthorizedError';
  }
}

export class UseCases {
  constructor(private readonly ports: UseCasePorts) {}

  /** Runs a use case for a caller in one transaction: authorize, run, record, commit. */
  async run<I, O>(useCase: UseCase<I, O>, context: RequestContext, input: I): Promise<O> {
    let authorized = !('action' in useCase.access);
    if ('system' in useCase.access && context.principal !== null) throw new Error(`use case ${useCase.name} is the system's own; a caller cannot run it`);
    const action = useCase.action;
    if (action !== undefined && useCase.resource) {
      authorize(context, action, useCase.resource(input, context));
      authorized = true;
    }
    const scope = useCase.scope?.(input, context) ?? callerScope(context);
    return inTransaction(this.ports.db, { scope, actorId: context.principal?.userId ?? 'system' }, async (tx) => {
      const changes: RecordedChange[] = [];
      const result = await useCase.run({
        tx,
        input,
        context,
        authorize: (resource) => {
          if (action === undefined) throw new Error(`use case ${useCase.name} declares no action to authorize`);
          authorize(context, action, resource);
          authorized = true;
        },
        record: (change) => void changes.push(change),
      });
      if (!authorized) throw new UseCaseUnauthorizedError(useCase.name);
      await writeChanges(this.ports, tx, context, changes);
      return result;
    });
  }

  /** Runs a decision (a use case without data) for a caller: authorize its action, then decide. */
  decide<I, O>(decision: DecisionUseCase<I, O>, context: RequestContext, input: I): O {
    authorize(context, decision.action, decision.resource(input, context));
    return decision.decide(input, context);
  }

  /**
   * Records changes in a transaction of their own that commits whatever the request's outcome:
   * the audit entry of a refused attempt, a lockout (see inSideTransaction).
   */
  async recordOnTheSide<const Payloads extends readonly object[]>(context: RequestContext, changes: RecordedChanges<Payloads>, scope: TxContext = SYSTEM_SCOPE): Promise<void> {
    await inSideTransaction(this.ports.db, scope, (tx) => writeChanges(this.ports, tx, context, changes));
  }

  /** Records changes inside a transaction the caller already holds (an event handler's delivery, a job). */
  record<const Payloads extends readonly object[]>(tx: Tx, context: RequestContext, changes: RecordedChanges<Payloads>): Promise<void> {
    return writeChanges(this.ports, tx, context, changes);
  }
}

/** Writes changes' audit entries and events: one statement per audit chain, in the order recorded. */
async function writeChanges(ports: UseCasePorts, tx: Tx, context: RequestContext, changes: readonly RecordedChange[]): Promise<void> {
  const byChain = new Map<string | null, RecordedChange[]>();
  for (const change of changes) {
    const chain = change.tenantId ?? null;
    byChain.set(chain, [...(byChain.get(chain) ?? []), change]);
  }
  const caller = actorOf(context);
  // The one place the request's id and address are copied into audit entries and events.
  const { requestId, sourceIp } = context;
  // An event's actor is a person (or nobody): the change's own actor when it names one, else the caller.
  const actorIdOf = (change: RecordedChange) => (change.actor ? (change.actor.type === 'user' ? change.actor.id : undefined) : context.principal?.userId);
  for (const [tenantId, group] of byChain) {
    const entries: AuditInput[] = group.map((change) => ({
      ...(tenantId ? { tenantId } : {}),
      actor: change.actor ?? caller,
      action: change.action ?? change.event.contract.type,
      target: change.target,
      before: change.before,
      after: change.after,
      requestId,
      sourceIp,
    }));
    const published: PublishInput[] = group.map((change) => {
      const actorId = actorIdOf(change);
      return {
        type: change.event.contract.type,
        version: change.event.contract.version,
        ...(tenantId ? { tenantId } : {}),
        payload: change.event.payload as Record<string, unknown>,
        ...(actorId ? { actorId } : {}),
        requestId,
      };
    });
    const { rows } = outboxRows(ports.clock, published);
    await ports.audit.recordAll(tx, entries, { events: rows });
  }
}
