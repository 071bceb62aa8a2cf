// Operators' approval rules: which submitted orders wait for an operator (an order total above an
// amount in a currency, particular products, a quantity above a number), plus versions flagged
// `requiresApproval`. Rules are platform-level; the order service asks `reasonsFor` at submit.
import type { Kernel } from '../../kernel/kernel.js';
import { inTransaction, type Tx } from '../../kernel/db/database.js';
import { newId } from '../../kernel/ids.js';
import { authorize, resourceName, PLATFORM } from '../../kernel/authz/authorize.js';
import { actorOf, type RequestContext } from '../../kernel/context.js';
import { NotFoundError, UnprocessableError } from '../../kernel/errors.js';
import { isCurrency, Money } from '../../kernel/money.js';
import type { ProductVersion } from '../catalog/index.js';
import { RowCache } from '../../kernel/db/change-feed.js';
import { OrderRepository } from './repository.js';
import type { ApprovalRule, CreateApprovalRuleBody, OrderItem } from './schemas.js';

export class ApprovalRules {
  readonly #repository = new OrderRepository();
  /** The enabled rules, read on every submission, emptied on any change to them. */
  readonly #enabled: RowCache<ApprovalRule[]>;

  constructor(private readonly kernel: Kernel) {
    this.#enabled = new RowCache(kernel.changes, ['orders.approval_rules'], kernel.clock);
  }

  #tx(context: RequestContext) {
    return { scope: { kind: 'platform' as const }, actorId: context.principal?.userId ?? 'system' };
  }

  /** Why these priced items must wait for an operator (rule names and flagged products); empty when they need not. */
  async reasonsFor(tx: Tx, currency: string, items: { item: OrderItem; version: ProductVersion }[]): Promise<string[]> {
    const reasons: string[] = [];
    for (const { item, version } of items) if (version.content.requiresApproval) reasons.push(`${item.productName} requires approval`);
    const total = Money.sum(items.map(({ item }) => Money.fromMinor(item.price?.totalMinor ?? '0', currency)), currency);
    const rules = (await this.#enabled.get('enabled', () => this.#repository.rules(tx, { enabledOnly: true }))) ?? [];
    for (const rule of rules) {
      const condition = rule.condition;
      const matches =
        condition.type === 'total_above'
          ? condition.currency === currency && Money.compare(total, Money.round(condition.amount, currency)) > 0
          : condition.type === 'products'
            ? items.some(({ item }) => condition.productIds.includes(item.productId))
            : items.some(({ item }) => item.quantity > condition.quantity);
      if (matches) reasons.push(rule.name);
    }
    return reasons;
  }

  async create(input: CreateApprovalRuleBody, context: RequestContext): Promise<ApprovalRule> {
    authorize(context, 'orders:approval-rule.create', resourceName(PLATFORM, 'approval-rule', '*'));
    if (input.condition.type === 'total_above' && !isCurrency(input.condition.currency)) {
      throw new UnprocessableError(`${input.condition.currency} is not an ISO 4217 currency.`, [{ pointer: '/condition/currency', message: 'is not a known currency' }]);
    }
    return inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const rule = await this.#repository.insertRule(tx, { id: newId('approvalRule'), name: input.name.trim(), condition: input.condition, enabled: input.enabled ?? true, at: this.kernel.clock.now() });
      await this.kernel.audit.record(tx, { actor: actorOf(context), action: 'approval_rule.created', target: { type: 'approval-rule', id: rule.id }, after: rule, requestId: context.requestId, sourceIp: context.sourceIp });
      return rule;
    });
  }

  async list(context: RequestContext): Promise<ApprovalRule[]> {
    authorize(context, 'orders:approval-rule.list', resourceName(PLATFORM, 'approval-rule', '*'));
    return inTransaction(this.kernel.db, this.#tx(context), (tx) => this.#repository.rules(tx, { enabledOnly: false }));
  }

  async delete(ruleId: string, context: RequestContext): Promise<void> {
    authorize(context, 'orders:approval-rule.delete', resourceName(PLATFORM, 'approval-rule', ruleId));
    await inTransaction(this.kernel.db, this.#tx(context), async (tx) => {
      const deleted = await this.#repository.deleteRule(tx, ruleId);
      if (!deleted) throw new NotFoundError('Approval rule', ruleId);
      await this.kernel.audit.record(tx, { actor: actorOf(context), action: 'approval_rule.deleted', target: { type: 'approval-rule', id: ruleId }, before: deleted, requestId: context.requestId, sourceIp: context.sourceIp });
    });
  }
}
