// The customer's carts: a cart is a draft order in one currency, kept on the server, so there is at
// most one per currency in use (found again, or created when needed, by the orders feature hooks).
// Two things live only in this browser session: the currency the customer chose to see prices in,
// and the Idempotency-Key of a checkout in progress, reused if the same submission is retried (a
// lost answer then returns the first result instead of failing as "already submitted").
import type { PricePlan } from '../../../shared/api/types.js';
import { newIdempotencyKey } from '../../../shared/forms.js';

const CURRENCY_KEY = 'platforma.portal.currency';
const SUBMIT_KEY_PREFIX = 'platforma.portal.submit.';

function storage(): Storage | undefined {
  try {
    return window.sessionStorage;
  } catch {
    return undefined;
  }
}

/** The currencies a version's plans price in, sorted. */
export function currenciesOf(plans: PricePlan[]): string[] {
  return [...new Set(plans.flatMap((plan) => Object.keys(plan.prices)))].sort();
}

/** The currency to show: the one chosen earlier in this session if offered, else the first offered. */
export function preferredCurrency(offered: string[]): string | undefined {
  const remembered = storage()?.getItem(CURRENCY_KEY);
  return remembered && offered.includes(remembered) ? remembered : offered[0];
}

export function rememberCurrency(currency: string): void {
  storage()?.setItem(CURRENCY_KEY, currency);
}

/**
 * The Idempotency-Key for submitting this cart. The same key comes back until the submission got
 * an answer, so a retry after a lost response or a reload is recognised by the server.
 */
export function submitKeyFor(orderId: string): string {
  const store = storage();
  const existing = store?.getItem(SUBMIT_KEY_PREFIX + orderId);
  if (existing) return existing;
  const key = newIdempotencyKey();
  store?.setItem(SUBMIT_KEY_PREFIX + orderId, key);
  return key;
}

/** Forgets the key once the server has answered the submission (either way). */
export function forgetSubmitKey(orderId: string): void {
  storage()?.removeItem(SUBMIT_KEY_PREFIX + orderId);
}
