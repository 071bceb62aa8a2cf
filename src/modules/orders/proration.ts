// Proration of a change to a live item (upgrade, downgrade, quantity change): what the customer is
// credited for the unused part of the current period at the old price, and charged for it at the
// new one. Exact until each of the two lines is rounded once (like every other line).
//
// Modes:
//   prorate_now    credit the unused old, charge the new for the rest of the period, now
//   at_period_end  nothing now; the new price applies from the next period
//   none           the new price applies now with no credit and no charge for this period
import { Exact, Money } from '../../kernel/money.js';

export type ProrationMode = 'prorate_now' | 'at_period_end' | 'none';
export type Interval = 'month' | 'year' | 'one_time';

export interface Period {
  start: Date;
  end: Date;
}

/** The billing period containing `at` for an item that started at `anchor` (calendar months/years, day clamped). */
export function periodAt(anchor: Date, interval: Exclude<Interval, 'one_time'>, at: Date): Period {
  const step = interval === 'month' ? 1 : 12;
  const add = (months: number) => {
    const date = new Date(anchor);
    const day = anchor.getUTCDate();
    date.setUTCDate(1);
    date.setUTCMonth(date.getUTCMonth() + months);
    const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 0)).getUTCDate();
    date.setUTCDate(Math.min(day, lastDay));
    return date;
  };
  let periods = 0;
  while (add((periods + 1) * step) <= at) periods += 1;
  return { start: add(periods * step), end: add((periods + 1) * step) };
}

export interface ProrationInput {
  mode: ProrationMode;
  currency: string;
  interval: Interval;
  /** Exact total per period of the current item and of the proposed one (major units). */
  currentPerPeriod: Exact;
  proposedPerPeriod: Exact;
  period: Period | null;
  at: Date;
}

export interface Proration {
  mode: ProrationMode;
  periodStart: string | null;
  periodEnd: string | null;
  /** Share of the period still to run, as an exact decimal string. */
  remainingFraction: string;
  creditMinor: string;
  chargeMinor: string;
  dueNowMinor: string;
  dueNow: string;
  /** From when the proposed price is what each period costs. */
  newPriceFrom: string;
}

export function prorate(input: ProrationInput): Proration {
  const { period, at, currency } = input;
  const remaining =
    period && input.interval !== 'one_time' ? Exact.max(0, Exact.min(1, new Exact(period.end.getTime() - at.getTime()).dividedBy(period.end.getTime() - period.start.getTime()))) : new Exact(0);
  const now = input.mode === 'prorate_now';
  const zero = Money.zero(currency);
  const credit = now ? Money.round(input.currentPerPeriod.times(remaining), currency) : zero;
  const charge = now ? Money.round(input.proposedPerPeriod.times(remaining), currency) : zero;
  // A downgrade's credit larger than its charge is kept as credit for the next invoice, never paid out here.
  const due = Money.max(Money.subtract(charge, credit), zero);
  return {
    mode: input.mode,
    periodStart: period?.start.toISOString() ?? null,
    periodEnd: period?.end.toISOString() ?? null,
    remainingFraction: remaining.toDecimalPlaces(6).toString(),
    creditMinor: Money.minor(credit),
    chargeMinor: Money.minor(charge),
    dueNowMinor: Money.minor(due),
    dueNow: Money.format(due),
    newPriceFrom: (input.mode === 'at_period_end' && period ? period.end : at).toISOString(),
  };
}
