// The pricing engine, by example (worked figures an operator can check by hand) and by property
// (fast-check): graduated totals are the sum of their tier pieces, totals are never negative, a line
// is rounded once, packages round up to whole packages.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Exact, formatMinorUnits, toMinorUnits } from '../../kernel/money.js';
import { checkPriceModel, priceLine, type PriceModel, type Tier } from './pricing.js';

const graduated: PriceModel = {
  model: 'graduated',
  tiers: [
    { upTo: 5, unitAmount: '0', flatAmount: '0' },
    { upTo: 10, unitAmount: '5.00', flatAmount: '10.00' },
    { upTo: null, unitAmount: '4.00' },
  ],
};
const volume: PriceModel = {
  model: 'volume',
  tiers: [
    { upTo: 5, unitAmount: '10.00' },
    { upTo: 10, unitAmount: '8.00', flatAmount: '1.00' },
    { upTo: null, unitAmount: '6.00' },
  ],
};

describe('worked examples', () => {
  it.each([
    { name: 'flat ignores the quantity', model: { model: 'flat', amount: '49.00' } as PriceModel, quantity: 7, currency: 'EUR', minor: 4900n },
    { name: 'flat costs nothing for zero units', model: { model: 'flat', amount: '49.00' } as PriceModel, quantity: 0, currency: 'EUR', minor: 0n },
    { name: 'per unit', model: { model: 'per_unit', unitAmount: '0.0045' } as PriceModel, quantity: 1000, currency: 'USD', minor: 450n },
    { name: 'per unit, fractional usage, half-up', model: { model: 'per_unit', unitAmount: '0.25' } as PriceModel, quantity: '0.5', currency: 'USD', minor: 13n },
    { name: 'graduated inside the free tier', model: graduated, quantity: 5, currency: 'USD', minor: 0n },
    { name: 'graduated reaching the second tier pays its flat once', model: graduated, quantity: 6, currency: 'USD', minor: 1500n },
    { name: 'graduated across all tiers', model: graduated, quantity: 12, currency: 'USD', minor: 4300n },
    { name: 'volume in the first tier', model: volume, quantity: 5, currency: 'USD', minor: 5000n },
    { name: 'volume: every unit at the tier the total lands in', model: volume, quantity: 6, currency: 'USD', minor: 4900n },
    { name: 'volume in the open tier', model: volume, quantity: 20, currency: 'USD', minor: 12000n },
    { name: 'package rounds up to whole packages', model: { model: 'package', packageSize: 10, packageAmount: '3.00' } as PriceModel, quantity: 11, currency: 'USD', minor: 600n },
    { name: 'JPY has no minor unit: half-up to whole yen', model: { model: 'per_unit', unitAmount: '2.5' } as PriceModel, quantity: 1, currency: 'JPY', minor: 3n },
    { name: 'KWD has three decimals', model: { model: 'per_unit', unitAmount: '0.0125' } as PriceModel, quantity: 1, currency: 'KWD', minor: 13n },
  ])('$name', ({ model, quantity, currency, minor }) => {
    expect(priceLine(model, quantity, currency).amount).toBe(minor);
  });

  it('rounds a line once, not each tier piece', () => {
    const tiny: PriceModel = { model: 'graduated', tiers: [{ upTo: 1, unitAmount: '0.005' }, { upTo: 2, unitAmount: '0.005' }, { upTo: null, unitAmount: '0.005' }] };
    const line = priceLine(tiny, 3, 'USD');
    expect(line.pieces.map((piece) => piece.exact)).toEqual(['0.005', '0.005', '0.005']);
    // Rounding each piece would give 3 × 0.01 = 0.03; the exact 0.015 rounds once to 0.02.
    expect(formatMinorUnits(line.amount, 'USD')).toBe('0.02');
  });

  it('explains a graduated total piece by piece', () => {
    expect(priceLine(graduated, 12, 'USD').pieces).toEqual([
      { tier: 0, quantity: '5', unitAmount: '0', flatAmount: '0', exact: '0' },
      { tier: 1, quantity: '5', unitAmount: '5.00', flatAmount: '10', exact: '35' },
      { tier: 2, quantity: '2', unitAmount: '4.00', flatAmount: '0', exact: '8' },
    ]);
  });

  it('refuses a negative quantity', () => {
    expect(() => priceLine(graduated, -1, 'USD')).toThrow(RangeError);
  });
});

describe('model checks', () => {
  it('accepts ascending tiers ending open', () => {
    expect(checkPriceModel(graduated)).toEqual([]);
  });
  it.each([
    { name: 'no tiers', tiers: [] as Tier[], pointer: '/tiers' },
    { name: 'a bounded last tier', tiers: [{ upTo: 5, unitAmount: '1' }], pointer: '/tiers/0/upTo' },
    { name: 'an open tier before the last', tiers: [{ upTo: null, unitAmount: '1' }, { upTo: null, unitAmount: '1' }], pointer: '/tiers/0/upTo' },
    { name: 'bounds not ascending', tiers: [{ upTo: 5, unitAmount: '1' }, { upTo: 5, unitAmount: '1' }, { upTo: null, unitAmount: '1' }], pointer: '/tiers/1/upTo' },
    { name: 'a fractional bound', tiers: [{ upTo: 2.5, unitAmount: '1' }, { upTo: null, unitAmount: '1' }], pointer: '/tiers/0/upTo' },
  ])('names the problem: $name', ({ tiers, pointer }) => {
    expect(checkPriceModel({ model: 'graduated', tiers }).map((problem) => problem.pointer)).toContain(pointer);
  });
  it('refuses a package size below one', () => {
    expect(checkPriceModel({ model: 'package', packageSize: 0, packageAmount: '1' })).toEqual([{ pointer: '/packageSize', message: 'must be a whole number of at least 1' }]);
  });
});

// ---- properties ----

const CURRENCIES = ['USD', 'EUR', 'JPY', 'KWD'] as const;
/** A non-negative decimal price with up to 6 fraction digits, as the API accepts it. */
const price = fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 999_999 })).map(([whole, fraction]) => `${whole}.${String(fraction).padStart(6, '0')}`);
/** Whole or fractional (usage) quantities. */
const quantity = fc.oneof(fc.integer({ min: 0, max: 1_000_000 }).map(String), fc.tuple(fc.integer({ min: 0, max: 100_000 }), fc.integer({ min: 0, max: 999 })).map(([w, f]) => `${w}.${String(f).padStart(3, '0')}`));
const tiers = fc
  .uniqueArray(fc.integer({ min: 1, max: 100_000 }), { minLength: 0, maxLength: 9 })
  .chain((bounds) => {
    const sorted = [...bounds].sort((a, b) => a - b);
    const uppers: (number | null)[] = [...sorted, null];
    return fc.tuple(...uppers.map((upTo) => fc.record({ unitAmount: price, flatAmount: price }).map((t): Tier => ({ upTo, ...t }))));
  });
const anyModel: fc.Arbitrary<PriceModel> = fc.oneof(
  price.map((amount): PriceModel => ({ model: 'flat', amount })),
  price.map((unitAmount): PriceModel => ({ model: 'per_unit', unitAmount })),
  tiers.map((t): PriceModel => ({ model: 'graduated', tiers: t })),
  tiers.map((t): PriceModel => ({ model: 'volume', tiers: t })),
  fc.record({ packageSize: fc.integer({ min: 1, max: 1000 }), packageAmount: price }).map((p): PriceModel => ({ model: 'package', ...p })),
);
const currency = fc.constantFrom(...CURRENCIES);

describe('properties', () => {
  it('generated models pass the model check', () => {
    fc.assert(fc.property(anyModel, (model) => checkPriceModel(model).length === 0));
  });

  it('a graduated total equals the sum of its tier pieces, rounded once', () => {
    fc.assert(
      fc.property(tiers, quantity, currency, (t, q, c) => {
        const line = priceLine({ model: 'graduated', tiers: t }, q, c);
        const sum = line.pieces.reduce((total, piece) => total.plus(piece.exact), new Exact(0));
        expect(line.exact.equals(sum)).toBe(true);
        expect(line.amount).toBe(toMinorUnits(sum, c));
        // The pieces cover the quantity exactly.
        const covered = line.pieces.reduce((total, piece) => total.plus(piece.quantity), new Exact(0));
        expect(covered.equals(q)).toBe(true);
      }),
    );
  });

  it('totals are never negative', () => {
    fc.assert(fc.property(anyModel, quantity, currency, (model, q, c) => priceLine(model, q, c).amount >= 0n));
  });

  it('a line is its exact total rounded once, half-up, to the currency', () => {
    fc.assert(
      fc.property(anyModel, quantity, currency, (model, q, c) => {
        const line = priceLine(model, q, c);
        expect(line.amount).toBe(toMinorUnits(line.exact, c));
        // Half-up: the rounded amount is within half a minor unit of the exact total, never below it by half.
        const exponent = c === 'JPY' ? 0 : c === 'KWD' ? 3 : 2;
        const difference = new Exact(line.amount.toString()).minus(line.exact.times(new Exact(10).pow(exponent)));
        expect(difference.gt(-0.5) && difference.lte(0.5)).toBe(true);
      }),
    );
  });

  it('package pricing charges whole packages, rounded up', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1000 }), price, quantity, currency, (size, amount, q, c) => {
        const line = priceLine({ model: 'package', packageSize: size, packageAmount: amount }, q, c);
        const packages = new Exact(q).dividedBy(size).ceil();
        expect(packages.isInteger()).toBe(true);
        // Enough packages for the quantity, and never a whole package too many.
        expect(packages.times(size).gte(q) && packages.minus(1).times(size).lt(q)).toBe(true);
        expect(line.exact.equals(packages.times(amount))).toBe(true);
      }),
    );
  });

  it('a graduated total never falls when the quantity grows', () => {
    fc.assert(
      fc.property(tiers, quantity, quantity, currency, (t, a, b, c) => {
        const [low, high] = new Exact(a).lte(b) ? [a, b] : [b, a];
        const model: PriceModel = { model: 'graduated', tiers: t };
        return priceLine(model, low, c).exact.lte(priceLine(model, high, c).exact);
      }),
    );
  });

  it('one open-ended tier without a flat amount prices like per unit', () => {
    fc.assert(
      fc.property(price, quantity, currency, (unitAmount, q, c) => {
        const tiered = priceLine({ model: 'graduated', tiers: [{ upTo: null, unitAmount }] }, q, c);
        const perUnit = priceLine({ model: 'per_unit', unitAmount }, q, c);
        const volumeLine = priceLine({ model: 'volume', tiers: [{ upTo: null, unitAmount }] }, q, c);
        return tiered.amount === perUnit.amount && volumeLine.amount === perUnit.amount;
      }),
    );
  });
});
