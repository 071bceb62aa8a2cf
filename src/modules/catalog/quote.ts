// A price quote for one item: a version's price plan, a currency, a quantity, an optional coupon and
// usage estimates, turned into lines. Each line is computed exactly and rounded once (pricing.ts);
// the discount is its own line, computed from the exact charges it applies to. Pure: the service
// loads the version and coupon, this decides the money, and orders use the very same function.
import { Exact, isCurrency, Money } from '../../kernel/money.js';
import { UnprocessableError } from '../../kernel/errors.js';
import { priceLine, type PriceModel } from './pricing.js';
import type { Coupon, PricePlan, PricePreview, VersionContent } from './schemas.js';

export interface QuoteInput {
  productId: string;
  version: number;
  content: VersionContent;
  pricePlan: string;
  currency: string;
  quantity: number;
  coupon?: Coupon | null;
  estimatedUsage?: Record<string, string>;
  now: Date;
}

type Line = PricePreview['lines'][number];

function line(kind: Line['kind'], description: string, quantity: Exact | number, exact: Exact, currency: string, extra: Partial<Line> = {}): Line & { exact: Exact; money: Money } {
  const money = Money.round(exact, currency);
  return { kind, description, quantity: new Exact(quantity).toString(), exactAmount: exact.toString(), amountMinor: Money.minor(money), amount: Money.format(money), ...extra, exact, money };
}

/** The plan of a version, or 422 naming the plans there are. */
export function planOf(content: VersionContent, code: string): PricePlan {
  const plan = content.pricePlans.find((candidate) => candidate.code === code);
  if (!plan) {
    const known = content.pricePlans.map((candidate) => candidate.code).join(', ') || 'none';
    throw new UnprocessableError(`The version has no price plan ${code}.`, [{ pointer: '/pricePlan', message: `is not a plan of this version (plans: ${known})` }]);
  }
  return plan;
}

/** Why a coupon cannot apply to this item, or null when it can. */
export function couponProblem(coupon: Coupon, productId: string, currency: string, now: Date): string | null {
  if (coupon.archived) return 'is no longer offered';
  if (coupon.expiresAt !== null && new Date(coupon.expiresAt) <= now) return 'has expired';
  if (coupon.maxRedemptions !== null && coupon.redemptions >= coupon.maxRedemptions) return 'has been redeemed as often as it may be';
  if (coupon.productIds.length > 0 && !coupon.productIds.includes(productId)) return 'does not apply to this product';
  if (coupon.discount.type === 'amount' && coupon.discount.amountOff[currency] === undefined) return `has no amount in ${currency}`;
  return null;
}

export function quote(input: QuoteInput): PricePreview {
  const { content, currency, quantity } = input;
  if (!isCurrency(currency)) throw new UnprocessableError(`${currency} is not an ISO 4217 currency.`, [{ pointer: '/currency', message: 'is not a known currency' }]);
  const plan = planOf(content, input.pricePlan);
  const model = plan.prices[currency] as PriceModel | undefined;
  if (!model) {
    const priced = Object.keys(plan.prices).sort().join(', ') || 'none';
    throw new UnprocessableError(`The plan ${plan.code} has no price in ${currency}; prices are never converted.`, [{ pointer: '/currency', message: `is not offered by this plan (currencies: ${priced})` }]);
  }

  const charges: ReturnType<typeof line>[] = [];
  const priced = priceLine(model, quantity, currency);
  const recurring = plan.interval !== 'one_time';
  charges.push(
    line(recurring ? 'recurring' : 'one_time', recurring ? `${plan.name}, per ${plan.interval}` : plan.name, quantity, priced.exact, currency, { priceModel: model, ...(priced.pieces.length > 0 ? { pieces: priced.pieces } : {}) }),
  );
  const setupFee = plan.setupFee[currency];
  if (setupFee !== undefined && !new Exact(setupFee).isZero()) charges.push(line('setup', `${plan.name}, setup fee`, 1, new Exact(setupFee), currency));

  const usage = plan.usage.flatMap((component) => {
    const estimate = input.estimatedUsage?.[component.metricCode];
    const usageModel = component.prices[currency] as PriceModel | undefined;
    if (estimate === undefined || !usageModel) return [];
    const usagePriced = priceLine(usageModel, estimate, currency);
    return [line('usage', `${component.name} (estimate)`, new Exact(estimate), usagePriced.exact, currency, { metricCode: component.metricCode, priceModel: usageModel, ...(usagePriced.pieces.length > 0 ? { pieces: usagePriced.pieces } : {}) })];
  });

  let discount: ReturnType<typeof line> | null = null;
  const coupon = input.coupon ?? null;
  if (coupon) {
    const problem = couponProblem(coupon, input.productId, currency, input.now);
    if (problem) throw new UnprocessableError(`The coupon ${coupon.code} ${problem}.`, [{ pointer: '/couponCode', message: problem }]);
    const base = charges.reduce((sum, charge) => sum.plus(charge.exact), new Exact(0));
    const off = coupon.discount.type === 'percent' ? base.times(coupon.discount.percentOff).dividedBy(100) : Exact.min(base, coupon.discount.amountOff[currency] ?? '0');
    discount = line('discount', `Coupon ${coupon.code}`, 1, off.negated(), currency);
  }

  const lines = [...charges, ...usage, ...(discount ? [discount] : [])];
  const zero = Money.zero(currency);
  const total = Money.sum(lines.map((item) => item.money), currency);
  const inTrial = recurring && plan.trialDays > 0;
  const dueBeforeDiscount = Money.sum(charges.map((charge) => (charge.kind === 'recurring' && inTrial ? zero : charge.money)), currency);
  const dueNow = Money.add(dueBeforeDiscount, discount?.money ?? zero);
  const clamp = (value: Money) => Money.max(value, zero);

  // Recurring and one-time apart: what each period costs (the plan's price and usage estimates)
  // and what is charged once (a one-time plan's price and the setup fee), so neither ever includes
  // the other. The discount is split between them.
  const everyPeriod = [...charges, ...usage].filter((item) => item.kind === 'recurring' || item.kind === 'usage');
  let recurringAmount = Money.sum(everyPeriod.map((item) => item.money), currency);
  let oneTimeAmount = Money.sum([...charges, ...usage].filter((item) => !everyPeriod.includes(item)).map((item) => item.money), currency);
  if (discount) {
    const offRecurring = discountOnRecurring(discount.money, charges, coupon!, currency);
    // What every period costs: only a coupon that lasts forever lowers it. A `once` or `repeating`
    // coupon's share comes off the first period(s) only, which dueNow already shows.
    if (coupon!.duration.type === 'forever') recurringAmount = Money.add(recurringAmount, offRecurring);
    oneTimeAmount = Money.add(oneTimeAmount, Money.subtract(discount.money, offRecurring));
  }

  return {
    productId: input.productId,
    version: input.version,
    pricePlan: plan.code,
    interval: plan.interval,
    currency,
    trialDays: plan.trialDays,
    taxCategory: plan.taxCategory,
    lines: lines.map(({ exact: _exact, money: _money, ...rest }) => rest),
    totalMinor: Money.minor(clamp(total)),
    total: Money.format(clamp(total)),
    dueNowMinor: Money.minor(clamp(dueNow)),
    dueNow: Money.format(clamp(dueNow)),
    recurringMinor: Money.minor(clamp(recurringAmount)),
    recurring: Money.format(clamp(recurringAmount)),
    oneTimeMinor: Money.minor(clamp(oneTimeAmount)),
    oneTime: Money.format(clamp(oneTimeAmount)),
    coupon: coupon ? { code: coupon.code, duration: coupon.duration.type === 'repeating' ? `repeating ${coupon.duration.periods} periods` : coupon.duration.type } : null,
    rounding: 'half-up, once per line, to the currency minor unit',
  };
}

/**
 * The part of a discount (a negative amount) that falls on the recurring charges. A percentage
 * takes its share of each (rounded once, half-up, like a line; the one-time part is the rest, so
 * the parts always add up to the discount line); an amount off goes to the recurring charges first.
 */
function discountOnRecurring(discount: Money, charges: { kind: Line['kind']; exact: Exact; money: Money }[], coupon: Coupon, currency: string): Money {
  const recurring = charges.filter((charge) => charge.kind === 'recurring');
  if (coupon.discount.type === 'percent') {
    const recurringExact = recurring.reduce((sum, charge) => sum.plus(charge.exact), new Exact(0));
    return Money.negate(Money.round(recurringExact.times(coupon.discount.percentOff).dividedBy(100), currency));
  }
  const recurringAmount = Money.sum(recurring.map((charge) => charge.money), currency);
  return Money.negate(Money.min(Money.negate(discount), recurringAmount));
}
