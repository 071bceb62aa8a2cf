// Prices in words. A price model as a plan list shows it ("€10.00 per unit", "€5.00 per 10 units",
// "Graduated: 1–10 at €1.00, 11+ at €0.80"); what the quantity does under each model, with the
// arithmetic where there is some ("€5.00 per unit × 2 = €10.00", "Flat price: the quantity does not
// change the amount"); and amounts with what they recur by ("€40.00 per month", "€10.00 once
// (setup)"). Recurring and one-time amounts are always said apart. Amounts stay exact strings.
import type { PriceModel, PricePlan, PricePreview } from './api/types.js';
import { formatMinor, formatMoney } from './money.js';

type Tier = Extract<PriceModel, { tiers: unknown }>['tiers'][number];
type Line = PricePreview['lines'][number];

function tierText(tiers: Tier[], currency: string): string {
  let from = 1;
  return tiers
    .map((tier) => {
      const range = tier.upTo === null ? `${from}+` : `${from}–${tier.upTo}`;
      if (tier.upTo !== null) from = tier.upTo + 1;
      const flat = tier.flatAmount && tier.flatAmount !== '0' ? ` + ${formatMoney(tier.flatAmount, currency, true)}` : '';
      return `${range} at ${formatMoney(tier.unitAmount, currency, true)}${flat}`;
    })
    .join(', ');
}

export function describePriceModel(model: PriceModel, currency: string): string {
  switch (model.model) {
    case 'flat':
      return formatMoney(model.amount, currency, true);
    case 'per_unit':
      return `${formatMoney(model.unitAmount, currency, true)} per unit`;
    case 'package':
      return `${formatMoney(model.packageAmount, currency, true)} per ${model.packageSize} units`;
    case 'graduated':
      return `Graduated: ${tierText(model.tiers, currency)}`;
    case 'volume':
      return `Volume: ${tierText(model.tiers, currency)}`;
  }
}

/** Whether the amount is the price times the quantity, so "× N" beside it is true. */
export function quantityMultiplies(model: PriceModel | undefined): boolean {
  return model?.model === 'per_unit';
}

const units = (quantity: string) => `${quantity} ${quantity === '1' ? 'unit' : 'units'}`;

/**
 * What the quantity does to the amount under the model, in one sentence, with the amount it came
 * to (`amount`, major units as the quote sends it).
 */
export function quantityEffect(model: PriceModel, quantity: string, amount: string, currency: string): string {
  const total = formatMoney(amount, currency);
  switch (model.model) {
    case 'flat':
      return `Flat price: the quantity does not change the amount (${total} for any quantity).`;
    case 'per_unit':
      return `${formatMoney(model.unitAmount, currency, true)} per unit × ${quantity} = ${total}.`;
    case 'package': {
      const packages = packagesFor(quantity, model.packageSize);
      return `Sold in packages of ${model.packageSize} units at ${formatMoney(model.packageAmount, currency, true)} each: ${units(quantity)} ${quantity === '1' ? 'needs' : 'need'} ${packages === '1' ? '1 package' : `${packages} packages`} = ${total}.`;
    }
    case 'graduated':
      return `Graduated: each unit is priced by the tier it falls in (${tierText(model.tiers, currency)}); ${units(quantity)} = ${total}.`;
    case 'volume':
      return `Volume: all ${units(quantity)} are priced at the tier the whole quantity falls in (${tierText(model.tiers, currency)}) = ${total}.`;
  }
}

/** Whole packages needed for a quantity (rounded up), by string so large numbers stay exact. */
function packagesFor(quantity: string, size: number): string {
  if (!/^\d+$/.test(quantity)) return quantity;
  const wanted = BigInt(quantity);
  const per = BigInt(size);
  return ((wanted + per - 1n) / per).toString();
}

/** The "× N" to show beside a line's description: only where the amount is the price times N. */
export function lineMultiplier(line: Line): string | null {
  if (line.quantity === '1' || !quantityMultiplies(line.priceModel)) return null;
  return `× ${line.quantity}`;
}

const INTERVALS: Record<PricePlan['interval'], string> = { month: 'per month', year: 'per year', one_time: 'once' };

export function intervalText(interval: PricePlan['interval'] | string): string {
  return INTERVALS[interval as PricePlan['interval']] ?? `per ${interval}`;
}

/** An amount with what it recurs by: "€40.00 per month", "€120.00 per year". */
export function recurringText(amountMinor: string, interval: string, currency: string): string {
  return `${formatMinor(amountMinor, currency)} ${intervalText(interval)}`;
}

/** What a quote charges once, and why: "€10.00 once (setup)", "€99.00 once", "€109.00 once (incl. setup)". */
export function oneTimeText(price: Pick<PricePreview, 'lines' | 'oneTimeMinor' | 'currency'>): string {
  const hasSetup = price.lines.some((line) => line.kind === 'setup');
  const hasOneTimePlan = price.lines.some((line) => line.kind === 'one_time');
  const why = hasSetup && !hasOneTimePlan ? ' (setup)' : hasSetup ? ' (incl. setup)' : '';
  return `${formatMinor(price.oneTimeMinor, price.currency)} once${why}`;
}

/** Whether a line recurs each interval (the plan's price, usage) or is charged once (setup, a one-time plan). */
export function lineRecurs(line: Line, interval: string): boolean {
  return interval !== 'one_time' && (line.kind === 'recurring' || line.kind === 'usage');
}

/** A "from" price on a product card: "from €10.00 per month", "from €99.00 once". */
export function fromPriceText(price: { amount: string; currency: string; interval: PricePlan['interval'] }): string {
  return `from ${formatMoney(price.amount, price.currency)} ${intervalText(price.interval)}`;
}
