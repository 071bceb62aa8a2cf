// Prices in words: what the quantity does under each price model (with the arithmetic where there
// is some), "× N" only where the amount is the price times N, recurring and one-time amounts said
// apart, and a product card's "from" price. Amounts come from exact strings, never floats.
import { describe, expect, it } from 'vitest';
import type { PriceModel, PricePreview } from '../../web/shared/api/types.js';
import { fromPriceText, lineMultiplier, oneTimeText, quantityEffect, quantityMultiplies, recurringText } from '../../web/shared/pricing-text.js';
import { orderAmountsText } from '../../web/shared/orders/OrderParts.js';

// Intl's output depends on the locale; the tests read only the parts that do not.
const tiers = [
  { upTo: 10, unitAmount: '1.00' },
  { upTo: null, unitAmount: '0.80' },
];
type Line = PricePreview['lines'][number];
const line = (kind: Line['kind'], quantity: string, priceModel?: PriceModel): Line => ({ kind, description: 'x', quantity, exactAmount: '0', amountMinor: '0', amount: '0.00', ...(priceModel ? { priceModel } : {}) });

describe('what the quantity does under each price model', () => {
  it('says a flat price does not change with the quantity', () => {
    const text = quantityEffect({ model: 'flat', amount: '40.00' }, '2', '40.00', 'EUR');
    expect(text).toMatch(/^Flat price: the quantity does not change the amount \(€40\.00 for any quantity\)\.$/);
    expect(text).not.toContain('×');
  });

  it('multiplies a per-unit price and shows the product', () => {
    expect(quantityEffect({ model: 'per_unit', unitAmount: '5' }, '2', '10.00', 'EUR')).toBe('€5.00 per unit × 2 = €10.00.');
  });

  it('rounds packages up and names how many', () => {
    expect(quantityEffect({ model: 'package', packageSize: 10, packageAmount: '5.00' }, '23', '15.00', 'EUR')).toBe('Sold in packages of 10 units at €5.00 each: 23 units need 3 packages = €15.00.');
    expect(quantityEffect({ model: 'package', packageSize: 10, packageAmount: '5.00' }, '1', '5.00', 'EUR')).toContain('1 unit needs 1 package');
  });

  it('explains graduated and volume tiers with the total', () => {
    expect(quantityEffect({ model: 'graduated', tiers }, '12', '11.60', 'EUR')).toBe('Graduated: each unit is priced by the tier it falls in (1–10 at €1.00, 11+ at €0.80); 12 units = €11.60.');
    expect(quantityEffect({ model: 'volume', tiers }, '12', '9.60', 'EUR')).toBe('Volume: all 12 units are priced at the tier the whole quantity falls in (1–10 at €1.00, 11+ at €0.80) = €9.60.');
  });
});

describe('× N beside a line', () => {
  it('appears only where the amount is the price times N', () => {
    expect(quantityMultiplies({ model: 'per_unit', unitAmount: '5' })).toBe(true);
    expect(lineMultiplier(line('recurring', '2', { model: 'per_unit', unitAmount: '5' }))).toBe('× 2');
    expect(lineMultiplier(line('recurring', '2', { model: 'flat', amount: '40' }))).toBeNull();
    expect(lineMultiplier(line('recurring', '12', { model: 'graduated', tiers }))).toBeNull();
    expect(lineMultiplier(line('recurring', '1', { model: 'per_unit', unitAmount: '5' }))).toBeNull();
    // A line without its model (quoted before lines carried it) never claims a multiplication.
    expect(lineMultiplier(line('recurring', '2'))).toBeNull();
  });
});

describe('recurring and one-time amounts', () => {
  it('says what recurs by its interval and what is charged once, and why', () => {
    expect(recurringText('4000', 'month', 'EUR')).toBe('€40.00 per month');
    expect(recurringText('12000', 'year', 'EUR')).toBe('€120.00 per year');
    expect(oneTimeText({ currency: 'EUR', oneTimeMinor: '1000', lines: [line('recurring', '1'), line('setup', '1')] })).toBe('€10.00 once (setup)');
    expect(oneTimeText({ currency: 'EUR', oneTimeMinor: '9900', lines: [line('one_time', '1')] })).toBe('€99.00 once');
    expect(oneTimeText({ currency: 'EUR', oneTimeMinor: '10900', lines: [line('one_time', '1'), line('setup', '1')] })).toBe('€109.00 once (incl. setup)');
  });

  it('never adds monthly, yearly and one-time amounts of an order together', () => {
    expect(
      orderAmountsText({
        currency: 'EUR',
        recurringTotals: [
          { interval: 'month', amountMinor: '5000' },
          { interval: 'year', amountMinor: '4800' },
        ],
        oneTimeMinor: '1100',
      }),
    ).toBe('€50.00 per month + €48.00 per year + €11.00 once');
    expect(orderAmountsText({ currency: 'EUR', recurringTotals: [{ interval: 'month', amountMinor: '4000' }], oneTimeMinor: '0' })).toBe('€40.00 per month');
  });

  it('shows a product card’s from price with its interval', () => {
    expect(fromPriceText({ amount: '6.00', currency: 'USD', interval: 'month' })).toBe('from $6.00 per month');
    expect(fromPriceText({ amount: '99.00', currency: 'GBP', interval: 'one_time' })).toBe('from £99.00 once');
  });
});
