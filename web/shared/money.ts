// Money on screen. Amounts arrive as exact decimal strings (major units, "12.50") or as integer
// minor units in a string ("1250"); neither ever becomes a JS float: Intl.NumberFormat formats the
// decimal string itself, and minor units are turned into major units by moving the decimal point.
const DECIMAL = /^-?\d+(\.\d+)?$/;
const INTEGER = /^-?\d+$/;

/** Digits after the decimal point in the currency's minor unit (EUR 2, JPY 0, BHD 3), from CLDR via Intl. */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "1250" minor units of EUR → "12.50"; "-5" → "-0.05"; JPY "4500" → "4500". Exact, by string. */
export function minorToMajor(minor: string, currency: string): string {
  if (!INTEGER.test(minor)) return minor;
  const digits = minorDigits(currency);
  const negative = minor.startsWith('-');
  const magnitude = (negative ? minor.slice(1) : minor).replace(/^0+(?=\d)/, '');
  if (digits === 0) return `${negative ? '-' : ''}${magnitude}`;
  const padded = magnitude.padStart(digits + 1, '0');
  return `${negative ? '-' : ''}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

function formatter(currency: string, exact: boolean): Intl.NumberFormat | undefined {
  try {
    // Unit prices may carry more decimals than the currency's minor unit ("0.0125"): show them all.
    return new Intl.NumberFormat(undefined, { style: 'currency', currency, ...(exact ? { maximumFractionDigits: 20 } : {}) });
  } catch {
    return undefined;
  }
}

/**
 * A decimal string in major units as money in the user's locale ("12.50", "EUR" → "€12.50").
 * `exact` keeps every decimal (unit prices); otherwise the currency's own number of decimals.
 */
export function formatMoney(amount: string, currency: string, exact = false): string {
  if (!DECIMAL.test(amount)) return `${amount} ${currency}`;
  const format = formatter(currency, exact);
  return format ? format.format(amount as Intl.StringNumericLiteral) : `${amount} ${currency}`;
}

/** Integer minor units (as a string) as money: "1250", "EUR" → "€12.50". */
export function formatMinor(minor: string, currency: string): string {
  return formatMoney(minorToMajor(minor, currency), currency);
}

/** Whether a string is a non-negative decimal amount the API accepts ("12", "12.50", "0.0125"). */
export function isDecimalAmount(text: string): boolean {
  // The server's DECIMAL_PATTERN (src/kernel/money.ts): no leading zeros, up to 12 decimals.
  return /^(0|[1-9][0-9]{0,14})(\.[0-9]{1,12})?$/.test(text);
}
