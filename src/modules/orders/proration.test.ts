// Proration of changes to live items: billing periods by calendar month/year, and the credit and
// charge of each mode, rounded once per line.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Exact } from '../../kernel/money.js';
import { periodAt, prorate, type ProrationMode } from './proration.js';

const d = (text: string) => new Date(text);

describe('billing periods', () => {
  it('follow the anchor day, clamped to short months', () => {
    expect(periodAt(d('2026-01-31T00:00:00Z'), 'month', d('2026-02-15T00:00:00Z'))).toEqual({ start: d('2026-01-31T00:00:00Z'), end: d('2026-02-28T00:00:00Z') });
    expect(periodAt(d('2026-01-31T00:00:00Z'), 'month', d('2026-03-01T00:00:00Z'))).toEqual({ start: d('2026-02-28T00:00:00Z'), end: d('2026-03-31T00:00:00Z') });
    expect(periodAt(d('2024-02-29T12:00:00Z'), 'year', d('2025-06-01T00:00:00Z'))).toEqual({ start: d('2025-02-28T12:00:00Z'), end: d('2026-02-28T12:00:00Z') });
  });
  it('contain the moment asked about', () => {
    fc.assert(
      fc.property(fc.date({ min: d('2020-01-01T00:00:00Z'), max: d('2030-01-01T00:00:00Z'), noInvalidDate: true }), fc.integer({ min: 0, max: 2_000 * 86_400_000 }), fc.constantFrom('month' as const, 'year' as const), (anchor, offset, interval) => {
        const at = new Date(anchor.getTime() + offset);
        const period = periodAt(anchor, interval, at);
        return period.start <= at && at < period.end;
      }),
    );
  });
});

describe('proration', () => {
  const period = { start: d('2026-11-01T00:00:00Z'), end: d('2026-12-01T00:00:00Z') };
  const halfway = d('2026-11-16T00:00:00Z');
  const base = { currency: 'EUR', interval: 'month' as const, period, at: halfway };

  it('prorate_now credits the unused old price and charges the new one for the rest of the period', () => {
    const upgrade = prorate({ ...base, mode: 'prorate_now', currentPerPeriod: new Exact('30.00'), proposedPerPeriod: new Exact('90.00') });
    expect(upgrade).toMatchObject({ remainingFraction: '0.5', creditMinor: '1500', chargeMinor: '4500', dueNowMinor: '3000', dueNow: '30.00', newPriceFrom: halfway.toISOString() });
  });
  it('a downgrade owes nothing now (its credit is larger than its charge)', () => {
    expect(prorate({ ...base, mode: 'prorate_now', currentPerPeriod: new Exact('90.00'), proposedPerPeriod: new Exact('30.00') })).toMatchObject({ creditMinor: '4500', chargeMinor: '1500', dueNowMinor: '0' });
  });
  it('at_period_end charges nothing now and applies the new price from the end of the period', () => {
    expect(prorate({ ...base, mode: 'at_period_end', currentPerPeriod: new Exact('30'), proposedPerPeriod: new Exact('90') })).toMatchObject({ dueNowMinor: '0', creditMinor: '0', newPriceFrom: period.end.toISOString() });
  });
  it('none applies the new price now without credit or charge', () => {
    expect(prorate({ ...base, mode: 'none', currentPerPeriod: new Exact('30'), proposedPerPeriod: new Exact('90') })).toMatchObject({ dueNowMinor: '0', chargeMinor: '0', newPriceFrom: halfway.toISOString() });
  });
  it('never credits more than the old price or charges more than the new one, and never asks a negative amount', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 0, max: 30 * 86_400_000 }), fc.constantFrom<ProrationMode>('prorate_now', 'at_period_end', 'none'), (oldCents, newCents, elapsed, mode) => {
        const result = prorate({ ...base, at: new Date(period.start.getTime() + elapsed), mode, currentPerPeriod: new Exact(oldCents).dividedBy(100), proposedPerPeriod: new Exact(newCents).dividedBy(100) });
        return BigInt(result.creditMinor) <= BigInt(oldCents) && BigInt(result.chargeMinor) <= BigInt(newCents) && BigInt(result.dueNowMinor) >= 0n;
      }),
    );
  });
});
