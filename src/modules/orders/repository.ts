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
  /** What the order holds of the tenant's quotas and the products' capacity while it is live. */
  reserved: { quotas: Record<string, number>; capacity: Record<string, number> };
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
}

interface TimelineRow {
  order_id: string;
  tenant_id: string;
  seq: number;
  status: OrderStatus;
  actor_id: string | null;
  reason: string | null;
  at: Date;
}

interface ReservationRow {
  tenant_id: string;
  quota: string;
  reserved: Generated<string>;
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
    'orders.quota_reservations': ReservationRow;
    'orders.approval_rules': RuleRow;
  }
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
}

const json = (value: unknown) => sql<never>`${JSON.stringify(value)}::jsonb`;

function toStored(row: Selectable<OrderRow>): StoredOrder {
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
  };
}

function toRule(row: Selectable<RuleRow>): ApprovalRule {
  return { id: row.rule_id, name: row.name, condition: row.condition, enabled: row.enabled, createdAt: row.created_at.toISOString() };
}

export class OrderRepository {
  async insert(tx: Tx, order: { id: string; tenantId: string; currency: string; document: OrderDocument; createdBy: string | null; at: Date }): Promise<StoredOrder> {
    const row = await tx
      .insertInto('orders.orders')
      .values({ order_id: order.id, tenant_id: order.tenantId, currency: order.currency, document: json(order.document), created_by: order.createdBy, created_at: order.at, updated_at: order.at, submitted_at: null })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toStored(row);
  }

  async find(tx: Tx, orderId: string, options: { forUpdate?: boolean } = {}): Promise<StoredOrder | undefined> {
    let query = tx.selectFrom('orders.orders').selectAll().where('order_id', '=', orderId);
    if (options.forUpdate) query = query.forUpdate();
    const row = await query.executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  async save(tx: Tx, orderId: string, changes: { status?: OrderStatus; document?: OrderDocument; submittedAt?: Date }, at: Date): Promise<StoredOrder> {
    const row = await tx
      .updateTable('orders.orders')
      .set({
        ...(changes.status ? { status: changes.status } : {}),
        ...(changes.document ? { document: json(changes.document) } : {}),
        ...(changes.submittedAt ? { submitted_at: changes.submittedAt } : {}),
        updated_at: at,
      })
      .where('order_id', '=', orderId)
      .returningAll()
      .executeTakeFirstOrThrow();
    return toStored(row);
  }

  async list(tx: Tx, filter: { tenantId?: string; status?: OrderStatus; beforeId?: string; limit: number }): Promise<StoredOrder[]> {
    let query = tx.selectFrom('orders.orders').selectAll();
    if (filter.tenantId) query = query.where('tenant_id', '=', filter.tenantId);
    if (filter.status) query = query.where('status', '=', filter.status);
    if (filter.beforeId) query = query.where('order_id', '<', filter.beforeId);
    return (await query.orderBy('order_id', 'desc').limit(filter.limit).execute()).map(toStored);
  }

  async appendTimeline(tx: Tx, entry: { orderId: string; tenantId: string; status: OrderStatus; actorId: string | null; reason: string | null; at: Date }): Promise<void> {
    await tx
      .insertInto('orders.order_timeline')
      .values((eb) => ({
        order_id: entry.orderId,
        tenant_id: entry.tenantId,
        seq: eb.selectFrom('orders.order_timeline').select(sql<number>`coalesce(max(seq), 0) + 1`.as('next')).where('order_id', '=', entry.orderId),
        status: entry.status,
        actor_id: entry.actorId,
        reason: entry.reason,
        at: entry.at,
      }))
      .execute();
  }

  async timelines(tx: Tx, orderIds: string[]): Promise<Map<string, Order['timeline']>> {
    const result = new Map<string, Order['timeline']>(orderIds.map((id) => [id, []]));
    if (orderIds.length === 0) return result;
    const rows = await tx.selectFrom('orders.order_timeline').selectAll().where('order_id', 'in', orderIds).orderBy('order_id').orderBy('seq').execute();
    for (const row of rows) result.get(row.order_id)?.push({ status: row.status, at: row.at.toISOString(), actorId: row.actor_id, reason: row.reason });
    return result;
  }

  /**
   * Locks the tenant's reservation rows for these quotas (creating them at zero), in a fixed order
   * so two submissions never deadlock, and returns what is reserved now.
   */
  async lockReservations(tx: Tx, tenantId: string, quotas: string[]): Promise<Map<string, number>> {
    const sorted = [...new Set(quotas)].sort();
    if (sorted.length === 0) return new Map();
    await tx
      .insertInto('orders.quota_reservations')
      .values(sorted.map((quota) => ({ tenant_id: tenantId, quota })))
      .onConflict((oc) => oc.columns(['tenant_id', 'quota']).doNothing())
      .execute();
    const rows = await tx.selectFrom('orders.quota_reservations').select(['quota', 'reserved']).where('tenant_id', '=', tenantId).where('quota', 'in', sorted).orderBy('quota').forUpdate().execute();
    return new Map(rows.map((row) => [row.quota, Number(row.reserved)]));
  }

  async addReservations(tx: Tx, tenantId: string, amounts: Record<string, number>, sign: 1 | -1): Promise<void> {
    for (const [quota, amount] of Object.entries(amounts)) {
      if (amount === 0) continue;
      await tx
        .updateTable('orders.quota_reservations')
        .set({ reserved: sql<string>`greatest(reserved + ${sign * amount}, 0)` })
        .where('tenant_id', '=', tenantId)
        .where('quota', '=', quota)
        .execute();
    }
  }

  async reservations(tx: Tx, tenantId: string): Promise<Record<string, number>> {
    const rows = await tx.selectFrom('orders.quota_reservations').select(['quota', 'reserved']).where('tenant_id', '=', tenantId).execute();
    return Object.fromEntries(rows.map((row) => [row.quota, Number(row.reserved)]));
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
