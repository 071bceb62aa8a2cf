// Operators' approval rules: which submitted orders wait for an operator (an order total above an
// amount in a currency, particular products, a quantity above a number), plus versions flagged
// `requiresApproval`. Rules are platform-level; the order service asks `reasonsFor` at submit.
// Creating and deleting a rule are audited and published (approval_rule.created / .deleted).
import type { Kernel } from '../../kernel/kernel.js';
import type { Tx } from '../../kernel/db/database.js';
import { newId } from '../../kernel/ids.js';
import { resourceName, PLATFORM } from '../../kernel/authz/authorize.js';
import type { RequestContext } from '../../kernel/context.js';
import { defineUseCase } from '../../kernel/use-case.js';
import { NotFoundError, UnprocessableError } from '../../kernel/errors.js';
import { isCurrency, Money } from '../../kernel/money.js';
import type { ProductVersion } from '../catalog/index.js';
import { RowCache } from '../../kernel/db/change-feed.js';
import { OrderRepository } from './repository.js';
import { ApprovalRuleCreated, ApprovalRuleDeleted } from './events.js';
import type { ApprovalRule, CreateApprovalRuleBody, OrderItem } from './schemas.js';

const ruleResource = (id: string) => resourceName(PLATFORM, 'approval-rule', id);

export class ApprovalRules {
  readonly #repository = new OrderRepository();
  /** The enabled rules, read on every submission, emptied on any change to them. */
  readonly #enabled: RowCache<ApprovalRule[]>;

  constructor(private readonly kernel: Pick<Kernel, 'clock' | 'changes' | 'useCases'>) {
    this.#enabled = new RowCache(kernel.changes, ['orders.approval_rules'], kernel.clock);
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

  readonly useCases = {
    create: defineUseCase<CreateApprovalRuleBody, ApprovalRule>({
      name: 'orders.create-approval-rule',
      access: { action: 'orders:approval-rule.create' },
      resource: () => ruleResource('*'),
      run: async ({ tx, input, record }) => {
        if (input.condition.type === 'total_above' && !isCurrency(input.condition.currency)) {
          throw new UnprocessableError(`${input.condition.currency} is not an ISO 4217 currency.`, [{ pointer: '/condition/currency', message: 'is not a known currency' }]);
        }
        const rule = await this.#repository.insertRule(tx, { id: newId('approvalRule'), name: input.name.trim(), condition: input.condition, enabled: input.enabled ?? true, at: this.kernel.clock.now() });
        record({ target: { type: 'approval-rule', id: rule.id }, after: rule, event: { contract: ApprovalRuleCreated, payload: { ruleId: rule.id, name: rule.name } } });
        return rule;
      },
    }),

    list: defineUseCase<void, ApprovalRule[]>({
      name: 'orders.list-approval-rules',
      access: { action: 'orders:approval-rule.list' },
      resource: () => ruleResource('*'),
      run: ({ tx }) => this.#repository.rules(tx, { enabledOnly: false }),
    }),

    delete: defineUseCase<{ ruleId: string }, void>({
      name: 'orders.delete-approval-rule',
      access: { action: 'orders:approval-rule.delete' },
      resource: (input) => ruleResource(input.ruleId),
      run: async ({ tx, input: { ruleId }, record }) => {
        const deleted = await this.#repository.deleteRule(tx, ruleId);
        if (!deleted) throw new NotFoundError('Approval rule', ruleId);
        record({ target: { type: 'approval-rule', id: ruleId }, before: deleted, event: { contract: ApprovalRuleDeleted, payload: { ruleId, name: deleted.name } } });
      },
    }),
  };

  create(input: CreateApprovalRuleBody, context: RequestContext): Promise<ApprovalRule> {
    return this.kernel.useCases.run(this.useCases.create, context, input);
  }

  list(context: RequestContext): Promise<ApprovalRule[]> {
    return this.kernel.useCases.run(this.useCases.list, context, undefined);
  }

  async delete(ruleId: string, context: RequestContext): Promise<void> {
    await this.kernel.useCases.run(this.useCases.delete, context, { ruleId });
  }
}
