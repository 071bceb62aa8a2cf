// What an order's items are held to and what they make, as pure functions of the catalog version,
// the item and the tenant: quota limits, availability, the provisioning request, the totals.
import type { FieldError } from '../../kernel/errors.js';
import { Money } from '../../kernel/money.js';
import type { Product, ProductVersion } from '../catalog/index.js';
import type { OrderItem } from './schemas.js';

/** A tenant's quotas as ordering reads them. */
export interface Quotas {
  maxUsers: number;
  maxStorage: number;
  maxAPICallsPerMonth: number;
  maxComputeHours: number;
  customLimits: Record<string, number>;
}

/** The limit of a quota named as in a version's quotaConsumption; a custom limit the tenant was never granted is 0. */
export function limitOf(quotas: Quotas, quota: string): number {
  if (quota.startsWith('custom.')) return quotas.customLimits[quota.slice('custom.'.length)] ?? 0;
  return (quotas as unknown as Record<string, number>)[quota] ?? 0;
}

/** What the version's availability has against an item for a tenant of this tier: the tier, the quantity, the region. */
export function availabilityProblems(product: Product, version: ProductVersion, quantity: number, configuration: Record<string, unknown> | null, tier: string, at: string): FieldError[] {
  const { availability } = version.content;
  const problems: FieldError[] = [];
  if (availability.tenantTiers.length > 0 && !availability.tenantTiers.includes(tier)) {
    problems.push({ pointer: at, message: `${product.name} is not offered to the ${tier} tier` });
  }
  if (quantity < availability.minQuantity || (availability.maxQuantity !== null && quantity > availability.maxQuantity)) {
    problems.push({ pointer: `${at}/quantity`, message: `must be between ${availability.minQuantity} and ${availability.maxQuantity ?? 'any number'}` });
  }
  const region = configuration?.region;
  if (typeof region === 'string' && availability.regions.length > 0 && !availability.regions.includes(region)) {
    problems.push({ pointer: `${at}/configuration/region`, message: `${product.name} is not delivered in ${region} (regions: ${availability.regions.join(', ')})` });
  }
  return problems;
}

/** The provisioning request the version's binding makes of an item. */
export function provisioningRequest(version: ProductVersion, configuration: Record<string, unknown>, quantity: number): OrderItem['provisioning'] {
  const binding = version.content.provisioning;
  if (!binding) return null;
  const parameters: Record<string, unknown> = {};
  for (const [name, source] of Object.entries(binding.parameters)) {
    if ('quantity' in source) parameters[name] = quantity;
    else if ('value' in source) parameters[name] = source.value;
    else {
      let value: unknown = configuration;
      for (const segment of source.configuration.split('/').slice(1)) value = (value as Record<string, unknown> | undefined)?.[segment.replace(/~1/g, '/').replace(/~0/g, '~')];
      if (value !== undefined) parameters[name] = value;
    }
  }
  return { capability: binding.capability, parameters };
}

/**
 * What an item's price costs per interval and once. Prices quoted before the quote carried the
 * split are split from their lines: plan and usage lines recur, setup and one-time lines do not,
 * and a discount goes to the recurring part first.
 */
export function priceSplit(price: NonNullable<OrderItem['price']>): { recurring: Money; oneTime: Money } {
  const { currency } = price;
  if (price.recurringMinor !== undefined && price.oneTimeMinor !== undefined) return { recurring: Money.fromMinor(price.recurringMinor, currency), oneTime: Money.fromMinor(price.oneTimeMinor, currency) };
  const of = (lines: typeof price.lines) => Money.sum(lines.map((line) => Money.fromMinor(line.amountMinor, currency)), currency);
  const recurring = of(price.lines.filter((line) => line.kind === 'recurring' || line.kind === 'usage'));
  const discount = of(price.lines.filter((line) => line.kind === 'discount'));
  const once = of(price.lines.filter((line) => line.kind !== 'recurring' && line.kind !== 'usage' && line.kind !== 'discount'));
  const offRecurring = Money.negate(Money.min(Money.negate(discount), recurring));
  return { recurring: Money.add(recurring, offRecurring), oneTime: Money.add(once, Money.subtract(discount, offRecurring)) };
}

/** The currency of an order's priced items (one order, one currency), or null when none is priced. */
function currencyOf(items: OrderItem[]): string | null {
  return items.find((item) => item.price)?.price?.currency ?? null;
}

/** An order's recurring amounts per interval (never added across intervals) and its one-time amount. */
export function recurringAndOneTime(items: OrderItem[]): { recurringTotals: { interval: 'month' | 'year'; amountMinor: string }[]; oneTimeMinor: string } {
  const currency = currencyOf(items);
  if (currency === null) return { recurringTotals: [], oneTimeMinor: '0' };
  const perInterval = new Map<'month' | 'year', Money>();
  let oneTime = Money.zero(currency);
  for (const item of items) {
    if (!item.price) continue;
    const split = priceSplit(item.price);
    oneTime = Money.add(oneTime, split.oneTime);
    const interval = item.price.interval;
    if (interval === 'month' || interval === 'year') perInterval.set(interval, Money.add(perInterval.get(interval) ?? Money.zero(currency), split.recurring));
  }
  const recurringTotals = (['month', 'year'] as const).filter((interval) => perInterval.has(interval)).map((interval) => ({ interval, amountMinor: Money.minor(perInterval.get(interval)!) }));
  return { recurringTotals, oneTimeMinor: Money.minor(oneTime) };
}

export function totals(items: OrderItem[]): { totalMinor: string; dueNowMinor: string } {
  const currency = currencyOf(items);
  if (currency === null) return { totalMinor: '0', dueNowMinor: '0' };
  const priced = items.flatMap((item) => (item.price ? [item.price] : []));
  return {
    totalMinor: Money.minor(Money.sum(priced.map((price) => Money.fromMinor(price.totalMinor, price.currency)), currency)),
    dueNowMinor: Money.minor(Money.sum(priced.map((price) => Money.fromMinor(price.dueNowMinor, price.currency)), currency)),
  };
}
