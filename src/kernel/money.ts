// Exact money (ARCHITECTURE.md §10). Amounts that are charged are integer minor units (bigint) with
// an ISO 4217 currency; prices and quantities are decimals, kept exact with decimal.js until a line
// is rounded, once, half-up to the currency's exponent. Nothing here converts between currencies.
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

/** Rounds an exact amount in major units half-up (away from zero at .5) to minor units. */
export function toMinorUnits(amount: Exact, currency: string): bigint {
  const scaled = amount.times(new Exact(10).pow(currencyExponent(currency)));
  return BigInt(scaled.toDecimalPlaces(0, Decimal.ROUND_HALF_UP).toFixed(0));
}

/** Minor units back to a decimal string in major units, e.g. 1234n USD → "12.34". */
export function formatMinorUnits(minor: bigint, currency: string): string {
  return new Exact(minor.toString()).dividedBy(new Exact(10).pow(currencyExponent(currency))).toFixed(currencyExponent(currency));
}

/** A decimal string as accepted by the API: digits, optional fraction, no exponent, no sign unless allowed. */
export const DECIMAL_PATTERN = '^(0|[1-9][0-9]{0,14})(\\.[0-9]{1,12})?$';
