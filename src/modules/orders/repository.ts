// All SQL of orders. Tenant rows are read and written inside the transaction scope the service chose
// (row-level security does the rest); approval rules are platform-level.
import { sql, type Generated, type Selectable } from 'kysely';
import type { Tx } from '../../kernel/db/database.js';
import type { ApprovalRule, Order, OrderItem, OrderStatus } from './schemas.js';

/** The part of an order kept as a document; status and ownership live in columns. */
export interface OrderDocument {
  couponCode: string | null;
  items: OrderItem[];
  nextItem: number;
  totalMinor: string;
  dueNowMinor: string;
  approval: Order['approval'];
  failureReason: string | null;
  /**
   * What the order holds of the tenant's quotas and the products' capacity while it is live. A
   * change order holds only what its item needs beyond the item it replaces; what it needs less is
   * given back when it is fulfilled (`releaseOnFulfil`), never before the smaller item is delivered.
   */
  reserved: { quotas: Record<string, number>; capacity: Record<string, number>; releaseOnFulfil?: { quotas: Record<string, number>; capacity: Record<string, number> } };
  /** Only on a change order: the live item it replaces, and its proration of the current period. */
  changeOf?: NonNullable<Order['changeOf']>;
  proration?: NonNullable<Order['proration']>;
}

interface OrderRow {
  order_id: string;
  tenant_id: string;
  status: Generated<OrderStatus>;
  currency: string;
  document: OrderDocument;
  created_by: string | null;
  created_at: Date;
  updated_at: Date;
  submitted_at: Date | null;
  /** The tenant's order number (int8, so a bigint), given at submission; null for drafts. */
  number: Generated<bigint | null>;
}

interface OrderNumberRow {
  tenant_id: string;
  last_number: bigint;
}

interface TimelineRow {
  order_id: string;
  tenant_id: string;
  seq: number;
  status: OrderStatus;
  actor_id: string | null;
  actor_name: string | null;
  reason: string | null;
  at: Date;
}

interface ReservationRow {
  tenant_id: string;
  quota: string;
  reserved: Generated<bigint>;
}

interface RuleRow {
  rule_id: string;
  name: string;
  condition: ApprovalRule['condition'];
  enabled: Generated<boolean>;
  created_at: Date;
}

declare module '../../kernel/db/tables.js' {
  interface Tables {
    'orders.orders': OrderRow;
    'orders.order_timeline': TimelineRow;
    'orders.order_numbers': OrderNumberRow;
    'orders.quota_reservations': ReservationRow;
    'orders.approval_rules': RuleRow;
  }
}

/** One step of an order's status history; `seq` counts from 1 (the draft). */
export interface TimelineStep {
  seq: number;
  status: OrderStatus;
  actorId: string | null;
  /** The actor's name when the step was taken (display name, else email); null for steps recorded before names were kept. */
  actorName: string | null;
  reason: string | null;
  at: Date;
}

export interface StoredOrder {
  id: string;
  tenantId: string;
  status: OrderStatus;
  currency: string;
  document: OrderDocument;
  createdBy: string | null;
  createdAt: Date;
  updatedAt: Date;
  submittedAt: Date | null;
  /** The tenant's order number, from submission on. */
  number: number | null;
  /** The status history, oldest first (the status column always equals its last step). */
  timeline: TimelineStep[];
}

const json = (value: unknown) => sql<never>`${JSON.stringify(value)}::jsonb`;

function toStored(row: Selectable<OrderRow>, timeline: TimelineStep[]): StoredOrder {
  return {
    id: row.order_id,
    tenantId: row.tenant_id,
    status: row.status,
    currency: row.currency,
    document: row.document,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    submittedAt: row.submitted_at,
    number: row.number === null ? null : Number(row.number),
    timeline,
  };
}

function timelineRow(order: { id: string; tenantId: string }, step: TimelineStep) {
  return { order_id: order.id, tenant_id: order.tenantId, seq: step.seq, status: step.status, actor_id: step.actorId, actor_name: step.actorName, reason: step.reason, at: step.at };
}

/** A timeline as `json_agg` returns it (timestamps as text). */
function stepsOf(rows: { seq: number; status: OrderStatus; actor_id: string | null; actor_name: string | null; reason: string | null; at: string }[] | null): TimelineStep[] {
  return (rows ?? []).map((row) => ({ seq: row.seq, status: row.status, actorId: row.actor_id, actorName: row.actor_name, reason: row.reason, at: new Date(row.at) }));
}

function toRule(row: Selectable<RuleRow>): ApprovalRule {
  return { id: row.rule_id, name: row.name, condition: row.condition, enabled: row.enabled, createdAt: row.created_at.toISOString() };
}

export class OrderRepository {
  /** A new draft and the first step of its timeline. */
  async insert(tx: Tx, order: { id: string; tenantId: string; currency: string; document: OrderDocument; createdBy: string | null; createdByName: string | null; at: Date }): Promise<StoredOrder> {
    const row = await tx
      .insertInto('orders.orders')
      .values({ order_id: order.id, tenant_id: order.tenantId, currency: order.currency, document: json(order.document), created_by: order.createdBy, created_at: order.at, updated_at: order.at, submitted_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    const draft: TimelineStep = { seq: 1, status: 'draft', actorId: order.createdBy, actorName: order.createdByName, reason: null, at: order.at };
    await tx.insertInto('orders.order_timeline').values(timelineRow(order, draft)).execute();
    return toStored(row, [draft]);
  }

  /** The order with its timeline, in one query; `forUpdate` locks the order row (not the timeline). */
  async find(tx: Tx, orderId: string, options: { forUpdate?: boolean } = {}): Promise<StoredOrder | undefined> {
    let query = tx
      .selectFrom('orders.orders as o')
      .selectAll('o')
      .select(sql<Parameters<typeof stepsOf>[0]>`(select json_agg(json_build_object('seq', t.seq, 'status', t.status, 'actor_id', t.actor_id, 'actor_name', t.actor_name, 'reason', t.reason, 'at', t.at) order by t.seq) from orders.order_timeline t where t.order_id = o.order_id)`.as('timeline'))
      .where('o.order_id', '=', orderId);
    if (options.forUpdate) query = query.forUpdate('o');
    const row = await query.executeTakeFirst();
    if (!row) return undefined;
    const { timeline, ...order } = row;
    return toStored(order, stepsOf(timeline));
  }

  /** Changes a draft's document; its status stays. */
  async saveDocument(tx: Tx, order: StoredOrder, document: OrderDocument, at: Date): Promise<StoredOrder> {
    const row = await tx.updateTable('orders.orders').set({ document: json(document), updated_at: at }).where('order_id', '=', order.id).returningAll().executeTakeFirstOrThrow();
    return toStored(row, order.timeline);
  }

  /**
   * Moves the order along its timeline in one statement: the steps (each edge checked by the
   * database as it is inserted) and the row with the last step's status (checked against the
   * timeline at commit).
   */
  async advance(tx: Tx, order: StoredOrder, steps: Omit<TimelineStep, 'seq'>[], changes: { document?: OrderDocument; submittedAt?: Date }, at: Date): Promise<StoredOrder> {
    const last = order.timeline.at(-1)?.seq ?? 0;
    const numbered = steps.map((step, index) => ({ ...step, seq: last + 1 + index }));
    const status = numbered.at(-1)?.status ?? order.status;
    const set = {
      status,
      ...(changes.document ? { document: json(changes.document) } : {}),
      ...(changes.submittedAt ? { submitted_at: changes.submittedAt } : {}),
      updated_at: at,
    };
    await tx
      .with('steps', (db) => db.insertInto('orders.order_timeline').values(numbered.map((step) => timelineRow(order, step))).returning('seq'))
      .updateTable('orders.orders')
      .set(set)
      .where('order_id', '=', order.id)
      .executeTakeFirstOrThrow();
    return { ...order, status, document: changes.document ?? order.document, submittedAt: changes.submittedAt ?? order.submittedAt, updatedAt: at, timeline: [...order.timeline, ...numbered] };
  }

  /**
   * Gives a submitted order the tenant's next number. The upsert locks the tenant's counter row
   * until commit, so concurrent submissions get consecutive numbers and a rollback gives the number
   * back (no gaps). Callers take it last in their transaction, after any quota and stock locks:
   * every path takes those locks before this one, so a submission and a change order of the same
   * tenant never wait on each other in opposite orders (a deadlock).
   */
  async takeOrderNumber(tx: Tx, order: StoredOrder): Promise<number> {
    const row = await tx
      .with('next_number', (db) =>
        db
          .insertInto('orders.order_numbers')
          .values({ tenant_id: order.tenantId, last_number: 1n })
          .onConflict((oc) => oc.column('tenant_id').doUpdateSet({ last_number: sql`orders.order_numbers.last_number + 1` }))
          .returning('last_number'),
      )
      .updateTable('orders.orders')
      .set({ number: sql<bigint>`(select last_number from next_number)` })
      .where('order_id', '=', order.id)
      .returning('number')
      .executeTakeFirstOrThrow();
    return Number(row.number);
  }

  /** A page of orders with their timelines, newest first. */
  async list(tx: Tx, filter: { tenantId?: string; status?: OrderStatus; number?: number; beforeId?: string; limit: number }): Promise<StoredOrder[]> {
    let query = tx.selectFrom('orders.orders').selectAll();
    if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
    if (filter.number !== undefined) query = query.where('number', '=', BigInt(filter.number));
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.beforeId) query = query.where('order_id', '<', filter.beforeId);
    const rows = await query.orderBy('order_id', 'desc').limit(filter.limit).execute();
    if (rows.length === 0) return [];
    const steps = await tx.selectFrom('orders.order_timeline').selectAll().where('order_id', 'in', rows.map((row) => row.order_id)).orderBy('order_id').orderBy('seq').execute();
    const timelines = new Map<string, TimelineStep[]>(rows.map((row) => [row.order_id, []]));
    for (const step of steps) timelines.get(step.order_id)?.push({ seq: step.seq, status: step.status, actorId: step.actor_id, actorName: step.actor_name, reason: step.reason, at: step.at });
    return rows.map((row) => toStored(row, timelines.get(row.order_id) ?? []));
  }

  /** How many orders match (row-level security limits a tenant's transaction to its own). */
  async count(tx: Tx, filter: { tenantId?: string; status?: OrderStatus }): Promise<number> {
    let query = tx.selectFrom('orders.orders').select((eb) => eb.fn.countAll<bigint>().as('n'));
    if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
    if (filter.status) query = query.where('status', '=', filter.status);
    return Number((await query.executeTakeFirstOrThrow()).n);
  }

  /**
   * Adds the amounts to (or with sign -1 gives them back from) the tenant's reservation rows and
   * returns each quota's new total, in one statement: the rows are locked in quota order first (so
   * two submissions never deadlock) and held until commit. A quota the tenant's orders never
   * reserved before gets its row here. The caller checks the totals against the limits and throws
   * to roll the change back.
   */
  async reserve(tx: Tx, tenantId: string, amounts: Record<string, number>, sign: 1 | -1): Promise<Map<string, number>> {
    const wanted = Object.entries(amounts).filter(([, amount]) => amount !== 0);
    const totals = await this.#addTo(tx, tenantId, wanted, sign);
    const missing = wanted.filter(([quota]) => !totals.has(quota));
    if (missing.length > 0) {
      await tx
        .insertInto('orders.quota_reservations')
        .values(missing.map(([quota]) => ({ tenant_id: tenantId, quota })))
        .onConflict((oc) => oc.columns(['tenant_id', 'quota']).doNothing())
        .execute();
      for (const [quota, total] of await this.#addTo(tx, tenantId, missing, sign)) totals.set(quota, total);
    }
    return totals;
  }

  async #addTo(tx: Tx, tenantId: string, amounts: [string, number][], sign: 1 | -1): Promise<Map<string, number>> {
    if (amounts.length === 0) return new Map();
    const { rows } = await sql<{ quota: string; reserved: bigint }>`
      with locked as materialized (
        select quota from orders.quota_reservations
        where tenant_id = ${tenantId} and quota = any(${amounts.map(([quota]) => quota)}::text[])
        order by quota for update
      )
      update orders.quota_reservations as r set reserved = greatest(r.reserved + c.amount, 0)
      from unnest(${amounts.map(([quota]) => quota)}::text[], ${amounts.map(([, amount]) => String(sign * amount))}::bigint[]) as c(quota, amount), locked
      where r.tenant_id = ${tenantId} and r.quota = c.quota and locked.quota = c.quota
      returning r.quota, r.reserved`.execute(tx);
    return new Map(rows.map((row) => [row.quota, Number(row.reserved)]));
  }

  async reservations(tx: Tx, tenantId: string): Promise<Record<string, number>> {
    const rows = await tx.selectFrom('orders.quota_reservations').select(['quota', 'reserved']).where('tenant_id', '=', tenantId).execute();
    return Object.fromEntries(rows.map((row) => [row.quota, Number(row.reserved)]));
  }

  /**
   * The change order that changes the item and is not cancelled or failed (so it is, or will be,
   * the item's newest state), if there is one. Indexed by orders_change_of.
   */
  async liveChangeOf(tx: Tx, tenantId: string, orderId: string, itemId: string): Promise<{ id: string; status: OrderStatus } | undefined> {
    const row = await tx
      .selectFrom('orders.orders')
      .select(['order_id', 'status'])
      .where('tenant_id', '=', tenantId)
      .where(sql<boolean>`document ? 'changeOf'`) // the partial index's predicate, so the planner may use it
      .where(sql<string>`document -> 'changeOf' ->> 'orderId'`, '=', orderId)
      .where(sql<string>`document -> 'changeOf' ->> 'itemId'`, '=', itemId)
      .where('status', 'not in', ['cancelled', 'failed'])
      .limit(1)
      .executeTakeFirst();
    return row ? { id: row.order_id, status: row.status } : undefined;
  }

  /** Whether the tenant has a live item (provisioning or fulfilled) of the product. */
  async hasActiveItem(tx: Tx, tenantId: string, productId: string): Promise<boolean> {
    const row = await tx
      .selectFrom('orders.orders')
      .select('order_id')
      .where('tenant_id', '=', tenantId)
      .where('status', 'in', ['provisioning', 'fulfilled'])
      .where(sql<boolean>`document -> 'items' @> ${JSON.stringify([{ productId }])}::jsonb`)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  // ---- approval rules ----

  async insertRule(tx: Tx, rule: { id: string; name: string; condition: ApprovalRule['condition']; enabled: boolean; at: Date }): Promise<ApprovalRule> {
    const row = await tx.insertInto('orders.approval_rules').values({ rule_id: rule.id, name: rule.name, condition: json(rule.condition), enabled: rule.enabled, created_at: rule.at }).returningAll().executeTakeFirstOrThrow();
    return toRule(row);
  }

  async rules(tx: Tx, options: { enabledOnly: boolean }): Promise<ApprovalRule[]> {
    let query = tx.selectFrom('orders.approval_rules').selectAll();
    if (options.enabledOnly) query = query.where('enabled', '=', true);
    return (await query.orderBy('rule_id').execute()).map(toRule);
  }

  async deleteRule(tx: Tx, ruleId: string): Promise<ApprovalRule | undefined> {
    const row = await tx.deleteFrom('orders.approval_rules').where('rule_id', '=', ruleId).returningAll().executeTakeFirst();
    return row ? toRule(row) : undefined;
  }
}
