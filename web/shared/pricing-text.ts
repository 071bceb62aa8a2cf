// A price model in words, for plan lists and the admin's version view: "€10.00 per unit",
// "€5.00 per 10 units", "graduated: 1–10 at €1.00, then €0.80". Amounts stay exact strings.
import type { PriceModel, PricePlan } from './api/types.js';
import { formatMoney } from './money.js';

type Tier = Extract<PriceModel, { tiers: unknown }>['tiers'][number];

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

const INTERVALS: Record<PricePlan['interval'], string> = { month: 'per month', year: 'per year', one_time: 'once' };

export function intervalText(interval: PricePlan['interval']): string {
  return INTERVALS[interval];
}
