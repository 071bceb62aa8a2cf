// Exact money (ARCHITECTURE.md §10, docs/adr/0018-money.md). Amounts that are charged travel as a
// `Money`: integer minor units (bigint) with an ISO 4217 currency; prices and quantities are
// decimals, kept exact with decimal.js until a line is rounded, once, half-up to the currency's
// exponent. Nothing here converts between currencies.
import { Decimal } from 'decimal.js';

/**
 * A private Decimal constructor, so no other library's global settings can change ours: 60
 * significant digits keep every intermediate product of price × quantity exact for the ranges the
 * schemas allow (unit prices up to 12 decimals, quantities up to 10^12).
 */
export const Exact = Decimal.clone({ precision: 60, rounding: Decimal.ROUND_HALF_UP, toExpNeg: -40, toExpPos: 40 });
export type Exact = Decimal;

const KNOWN_CURRENCIES = new Set(Intl.supportedValuesOf('currency'));

/** An ISO 4217 code the runtime knows (its exponent comes from CLDR through Intl). */
export function isCurrency(code: string): boolean {
  return KNOWN_CURRENCIES.has(code);
}

const exponents = new Map<string, number>();

/** Digits after the decimal point of the currency's minor unit: USD 2, JPY 0, KWD 3. */
export function currencyExponent(currency: string): number {
  let exponent = exponents.get(currency);
  if (exponent === undefined) {
    if (!isCurrency(currency)) throw new RangeError(`Unknown currency ${currency}`);
    exponent = new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
    exponents.set(currency, exponent);
  }
  return exponent;
}

/**
 * An amount of money: integer minor units of one ISO 4217 currency (USD cents, JPY yen, KWD fils).
 * Values are immutable and exact; every operation on two amounts checks they share a currency
 * (nothing here converts), and the only rounding is `Money.round`'s, half-up (away from zero at
 * .5) to the currency's exponent (docs/adr/0018-money.md). Documents and the API carry amounts as
 * strings ("1234" minor units, "12.34" major units); `Money.fromMinor`/`Money.minor`/`Money.format`
 * convert at those edges.
 */
export interface Money {
  readonly amountMinor: bigint;
  readonly currency: string;
}

/** Two amounts of different currencies met in one operation: a bug, never a conversion. */
export class CurrencyMismatchError extends Error {
  constructor(a: string, b: string) {
    super(`Cannot combine ${a} and ${b}: amounts are never converted between currencies`);
    this.name = 'CurrencyMismatchError';
  }
}

const same = (a: Money, b: Money): string => {
  if (a.currency !== b.currency) throw new CurrencyMismatchError(a.currency, b.currency);
  return a.currency;
};
const TEN = 10n;
const scaleOf = (currency: string) => TEN ** BigInt(currencyExponent(currency));

export const Money = {
  /** An amount in minor units; the currency must be one the runtime knows. */
  of(amountMinor: bigint, currency: string): Money {
    currencyExponent(currency); // throws on an unknown currency
    return Object.freeze({ amountMinor, currency });
  },

  zero(currency: string): Money {
    return Money.of(0n, currency);
  },

  /** From minor units as documents and the API carry them ("1234", "-50"). */
  fromMinor(minor: string | bigint, currency: string): Money {
    if (typeof minor === 'string' && !/^-?[0-9]+$/.test(minor)) throw new RangeError(`Not an amount in minor units: ${minor}`);
    return Money.of(BigInt(minor), currency);
  },

  /**
   * From a decimal string in major units ("12.34"), exactly: more fraction digits than the
   * currency has is an error, not a rounding (use `round` for computed amounts).
   */
  parse(decimal: string, currency: string): Money {
    const match = /^(-?)([0-9]+)(?:\.([0-9]+))?$/.exec(decimal);
    if (!match) throw new RangeError(`Not a decimal amount: ${decimal}`);
    const exponent = currencyExponent(currency);
    const fraction = (match[3] ?? '').replace(/0+$/, '');
    if (fraction.length > exponent) throw new RangeError(`${decimal} has more decimals than ${currency} has (${exponent})`);
    const minor = BigInt(match[2]!) * scaleOf(currency) + BigInt(fraction.padEnd(exponent, '0') || '0');
    return Money.of(match[1] ? -minor : minor, currency);
  },

  /** The one rounding rule: an exact amount in major units, half-up (away from zero at .5) to minor units. */
  round(major: Exact | string | number, currency: string): Money {
    const scaled = new Exact(major).times(new Exact(10).pow(currencyExponent(currency)));
    return Money.of(BigInt(scaled.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0)), currency);
  },

  /** The amount in major units as an exact decimal (for computing with prices and fractions before rounding again). */
  toExact(money: Money): Exact {
    return new Exact(money.amountMinor.toString()).dividedBy(new Exact(10).pow(currencyExponent(money.currency)));
  },

  /** Minor units as documents and the API carry them: "1234". */
  minor(money: Money): string {
    return money.amountMinor.toString();
  },

  /** Major units as the API shows them, always with the currency's decimals: "12.34", "-0.05", "1200" (JPY). */
  format(money: Money): string {
    const exponent = currencyExponent(money.currency);
    const negative = money.amountMinor < 0n;
    const digits = (negative ? -money.amountMinor : money.amountMinor).toString().padStart(exponent + 1, '0');
    const whole = digits.slice(0, digits.length - exponent);
    const text = exponent === 0 ? whole : `${whole}.${digits.slice(digits.length - exponent)}`;
    return negative ? `-${text}` : text;
  },

  add(a: Money, b: Money): Money {
    return Money.of(a.amountMinor + b.amountMinor, same(a, b));
  },

  subtract(a: Money, b: Money): Money {
    return Money.of(a.amountMinor - b.amountMinor, same(a, b));
  },

  /** The sum of amounts in `currency` (zero for none). */
  sum(amounts: Iterable<Money>, currency: string): Money {
    let total = Money.zero(currency);
    for (const amount of amounts) total = Money.add(total, amount);
    return total;
  },

  negate(money: Money): Money {
    return Money.of(-money.amountMinor, money.currency);
  },

  /**
   * Times a whole number (exact), or times a decimal quantity or fraction (then rounded once by
   * the rule). A bigint or an integral number never rounds.
   */
  multiply(money: Money, factor: bigint | number | string | Exact): Money {
    if (typeof factor === 'bigint') return Money.of(money.amountMinor * factor, money.currency);
    if (typeof factor === 'number' && Number.isSafeInteger(factor)) return Money.of(money.amountMinor * BigInt(factor), money.currency);
    return Money.round(Money.toExact(money).times(new Exact(factor)), money.currency);
  },

  /**
   * Splits the amount in proportion to `ratios` (non-negative, not all zero) without losing or
   * making a minor unit: each share is rounded toward zero, and the units left over go one each to
   * the shares with the largest remainders (the earlier share on a tie). The shares always add up
   * to the amount.
   */
  allocate(money: Money, ratios: readonly (bigint | number)[]): Money[] {
    const weights = ratios.map((ratio) => {
      if (typeof ratio === 'number' && !Number.isSafeInteger(ratio)) throw new RangeError('ratios must be whole numbers');
      const weight = BigInt(ratio);
      if (weight < 0n) throw new RangeError('ratios must not be negative');
      return weight;
    });
    const whole = weights.reduce((sum, weight) => sum + weight, 0n);
    if (whole === 0n) throw new RangeError('ratios must not all be zero');
    const negative = money.amountMinor < 0n;
    const amount = negative ? -money.amountMinor : money.amountMinor;
    const shares = weights.map((weight) => (amount * weight) / whole);
    const remainders = weights.map((weight, index) => ({ index, remainder: (amount * weight) % whole }));
    let left = amount - shares.reduce((sum, share) => sum + share, 0n);
    remainders.sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
    for (const { index } of remainders) {
      if (left === 0n) break;
      shares[index]! += 1n;
      left -= 1n;
    }
    return shares.map((share) => Money.of(negative ? -share : share, money.currency));
  },

  /** `parts` shares as equal as minor units allow (the first ones get the odd units). */
  split(money: Money, parts: number): Money[] {
    if (!Number.isSafeInteger(parts) || parts < 1) throw new RangeError('parts must be a whole number of at least 1');
    return Money.allocate(money, Array.from({ length: parts }, () => 1));
  },

  /** -1, 0 or 1. */
  compare(a: Money, b: Money): -1 | 0 | 1 {
    same(a, b);
    return a.amountMinor < b.amountMinor ? -1 : a.amountMinor > b.amountMinor ? 1 : 0;
  },

  equals(a: Money, b: Money): boolean {
    return a.currency === b.currency && a.amountMinor === b.amountMinor;
  },

  min(a: Money, b: Money): Money {
    return Money.compare(a, b) <= 0 ? a : b;
  },

  max(a: Money, b: Money): Money {
    return Money.compare(a, b) >= 0 ? a : b;
  },

  isZero(money: Money): boolean {
    return money.amountMinor === 0n;
  },

  isNegative(money: Money): boolean {
    return money.amountMinor < 0n;
  },
};

/** Rounds an exact amount in major units half-up (away from zero at .5) to minor units (`Money.round`). */
export function toMinorUnits(amount: Exact, currency: string): bigint {
  return Money.round(amount, currency).amountMinor;
}

/** Minor units back to a decimal string in major units, e.g. 1234n USD → "12.34" (`Money.format`). */
export function formatMinorUnits(minor: bigint, currency: string): string {
  return Money.format(Money.of(minor, currency));
}

/** A decimal string as accepted by the API: digits, optional fraction, no exponent, no sign unless allowed. */
export const DECIMAL_PATTERN = '^(0|[1-9][0-9]{0,14})(\\.[0-9]{1,12})?$';
