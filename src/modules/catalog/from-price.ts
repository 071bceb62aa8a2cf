// The "from" price of a product card: the cheapest way to buy the current published version, per
// currency. Recurring plans come first (they are what a customer pays on and on); a one-time price
// is named only when nothing recurring is offered in that currency. Plans of different intervals are
// compared by their cost per month (a year counts as twelve), but each is shown with its own
// interval, at the version's smallest orderable quantity and without the setup fee (said apart).
import { Exact, Money } from '../../kernel/money.js';
import { priceLine, type PriceModel } from './pricing.js';
import type { FromPrice, PricePlan } from './schemas.js';

const MONTHS: Record<PricePlan['interval'], number> = { month: 1, year: 12, one_time: 1 };

export function fromPrices(plans: PricePlan[], minQuantity: number): Record<string, FromPrice> {
  const best = new Map<string, { price: FromPrice; perMonth: Exact; recurring: boolean }>();
  for (const plan of plans) {
    const recurring = plan.interval !== 'one_time';
    for (const [currency, model] of Object.entries(plan.prices)) {
      const { money } = priceLine(model as PriceModel, minQuantity, currency);
      const perMonth = Money.toExact(money).dividedBy(MONTHS[plan.interval]);
      const current = best.get(currency);
      const better = !current || (recurring && !current.recurring) || (recurring === current.recurring && perMonth.lt(current.perMonth));
      if (!better) continue;
      const setupFee = plan.setupFee[currency];
      best.set(currency, {
        recurring,
        perMonth,
        price: {
          currency,
          amountMinor: Money.minor(money),
          amount: Money.format(money),
          interval: plan.interval,
          pricePlan: plan.code,
          quantity: minQuantity,
          ...(setupFee !== undefined && !new Exact(setupFee).isZero() ? { setupFee } : {}),
        },
      });
    }
  }
  return Object.fromEntries([...best].sort(([a], [b]) => a.localeCompare(b)).map(([currency, { price }]) => [currency, price]));
}
