// Money: exact minor units of one currency, one rounding rule (half-up, docs/adr/0018-money.md),
// splits that never lose or make a minor unit, and no mixing of currencies.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CurrencyMismatchError, Exact, Money, currencyExponent, formatMinorUnits } from './money.js';

const currencies = ['USD', 'EUR', 'JPY', 'BHD', 'KWD', 'CHF'] as const;
const currency = fc.constantFrom(...currencies);
/** Amounts far beyond what a double holds exactly. */
const minor = fc.bigInt({ min: -(10n ** 24n), max: 10n ** 24n });
const usd = (amount: bigint) => Money.of(amount, 'USD');

describe('Money', () => {
  it('knows each currency’s minor unit', () => {
    expect(['JPY', 'USD', 'EUR', 'BHD', 'KWD'].map(currencyExponent)).toEqual([0, 2, 2, 3, 3]);
    expect(() => Money.zero('XYZ')).toThrow(RangeError);
  });

  it('formats and parses the API’s decimal strings', () => {
    expect(Money.format(usd(1234n))).toBe('12.34');
    expect(Money.format(usd(-5n))).toBe('-0.05');
    expect(Money.format(Money.of(1200n, 'JPY'))).toBe('1200');
    expect(Money.format(Money.of(1n, 'KWD'))).toBe('0.001');
    expect(Money.parse('12.3', 'USD')).toEqual(usd(1230n));
    expect(Money.parse('-0.05', 'USD')).toEqual(usd(-5n));
    expect(Money.parse('7', 'JPY')).toEqual(Money.of(7n, 'JPY'));
    expect(() => Money.parse('0.001', 'USD')).toThrow(/more decimals/);
    expect(() => Money.parse('1e3', 'USD')).toThrow(RangeError);
    expect(Money.minor(Money.fromMinor('-42', 'EUR'))).toBe('-42');
    expect(() => Money.fromMinor('4.2', 'EUR')).toThrow(RangeError);
  });

  it('rounds once, half-up: away from zero at exactly half a minor unit', () => {
    expect(Money.round('0.005', 'USD')).toEqual(usd(1n));
    expect(Money.round('0.0049999', 'USD')).toEqual(usd(0n));
    expect(Money.round('-0.005', 'USD')).toEqual(usd(-1n));
    expect(Money.round('2.5', 'JPY')).toEqual(Money.of(3n, 'JPY'));
    expect(Money.round('0.0005', 'KWD')).toEqual(Money.of(1n, 'KWD'));
    expect(Money.multiply(usd(1000n), '0.3333')).toEqual(usd(333n));
    expect(Money.multiply(usd(5n), '0.5')).toEqual(usd(3n));
  });

  it('never mixes currencies', () => {
    const eur = Money.of(1n, 'EUR');
    expect(() => Money.add(usd(1n), eur)).toThrow(CurrencyMismatchError);
    expect(() => Money.subtract(usd(1n), eur)).toThrow(CurrencyMismatchError);
    expect(() => Money.compare(usd(1n), eur)).toThrow(CurrencyMismatchError);
    expect(() => Money.sum([usd(1n)], 'EUR')).toThrow(CurrencyMismatchError);
    expect(Money.equals(usd(1n), eur)).toBe(false);
  });

  it('keeps amounts beyond 2^53 exact', () => {
    const big = usd(2n ** 53n + 1n);
    expect(Money.minor(Money.add(big, usd(1n)))).toBe('9007199254740994');
    expect(Money.format(big)).toBe('90071992547409.93');
    expect(Money.parse('90071992547409.93', 'USD')).toEqual(big);
  });

  it('adds, subtracts and negates exactly', () => {
    fc.assert(
      fc.property(minor, minor, minor, currency, (a, b, c, code) => {
        const [x, y, z] = [Money.of(a, code), Money.of(b, code), Money.of(c, code)];
        expect(Money.add(x, y)).toEqual(Money.add(y, x));
        expect(Money.add(Money.add(x, y), z)).toEqual(Money.add(x, Money.add(y, z)));
        expect(Money.subtract(Money.add(x, y), y)).toEqual(x);
        expect(Money.add(x, Money.negate(x))).toEqual(Money.zero(code));
        expect(Money.add(x, Money.zero(code))).toEqual(x);
        // 0 - …, not -…: the negation of 0 is -0, which Object.is (toBe) tells from 0.
        expect(Money.compare(x, y)).toBe(0 - Money.compare(y, x));
      }),
    );
  });

  it('formats and parses back to the same amount', () => {
    fc.assert(
      fc.property(minor, currency, (amount, code) => {
        expect(Money.parse(Money.format(Money.of(amount, code)), code)).toEqual(Money.of(amount, code));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 15n), max: 10n ** 15n }), (amount) => {
        expect(Money.format(usd(amount))).toBe(new Exact(amount.toString()).dividedBy(100).toFixed(2));
      }),
    );
    expect(formatMinorUnits(1234n, 'USD')).toBe('12.34');
  });

  it('allocates without losing or making a minor unit, each share within one unit of its exact part', () => {
    fc.assert(
      fc.property(minor, currency, fc.array(fc.integer({ min: 0, max: 1000 }), { minLength: 1, maxLength: 12 }).filter((ratios) => ratios.some((ratio) => ratio > 0)), (amount, code, ratios) => {
        const money = Money.of(amount, code);
        const shares = Money.allocate(money, ratios);
        expect(shares).toHaveLength(ratios.length);
        expect(Money.sum(shares, code)).toEqual(money);
        const whole = ratios.reduce((sum, ratio) => sum + ratio, 0);
        shares.forEach((share, index) => {
          const exact = new Exact(amount.toString()).times(ratios[index]!).dividedBy(whole);
          expect(exact.minus(share.amountMinor.toString()).abs().lt(1)).toBe(true);
          if (ratios[index] === 0) expect(share.amountMinor).toBe(0n);
        });
      }),
    );
  });

  it('splits into equal parts, the odd units first', () => {
    expect(Money.split(usd(100n), 3).map(Money.minor)).toEqual(['34', '33', '33']);
    expect(Money.split(usd(-100n), 3).map(Money.minor)).toEqual(['-34', '-33', '-33']);
    expect(Money.allocate(usd(5n), [1, 1]).map(Money.minor)).toEqual(['3', '2']);
    fc.assert(
      fc.property(minor, fc.integer({ min: 1, max: 50 }), (amount, parts) => {
        const shares = Money.split(usd(amount), parts).map((share) => share.amountMinor);
        expect(shares.reduce((sum, share) => sum + share, 0n)).toBe(amount);
        const sorted = [...shares].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
        expect(sorted.at(-1)! - sorted[0]!).toBeLessThanOrEqual(1n);
      }),
    );
    expect(() => Money.allocate(usd(1n), [0, 0])).toThrow(RangeError);
    expect(() => Money.allocate(usd(1n), [-1, 2])).toThrow(RangeError);
  });

  it('multiplies by whole numbers exactly and by decimals with the one rounding', () => {
    fc.assert(
      fc.property(minor, fc.integer({ min: -1000, max: 1000 }), currency, (amount, factor, code) => {
        expect(Money.multiply(Money.of(amount, code), factor)).toEqual(Money.of(amount * BigInt(factor), code));
        expect(Money.multiply(Money.of(amount, code), BigInt(factor))).toEqual(Money.of(amount * BigInt(factor), code));
      }),
    );
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }), fc.integer({ min: 0, max: 1_000_000 }), (amount, millionths) => {
        const factor = new Exact(millionths).dividedBy(1_000_000);
        const product = Money.multiply(usd(amount), factor);
        expect(product).toEqual(Money.round(Money.toExact(usd(amount)).times(factor), 'USD'));
        expect(new Exact(amount.toString()).times(factor).minus(product.amountMinor.toString()).abs().lte(0.5)).toBe(true);
      }),
    );
  });
});
