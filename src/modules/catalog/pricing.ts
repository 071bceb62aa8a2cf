// The pricing engine: pure functions from a price model, a quantity and a currency to exact line
// totals. Everything stays an exact decimal until a line is finished; then it is rounded once,
// half-up, to the currency's minor unit (ARCHITECTURE.md §10). Tier pieces are never rounded on their
// own, so a graduated line is exactly the sum of its pieces before that one rounding.
//
// Models (the names and semantics follow Stripe's, which operators already know):
//   flat       one amount whatever the quantity (0 units cost nothing)
//   per_unit   unitAmount × quantity
//   graduated  each unit priced by the tier it falls in; a tier's flatAmount is charged once when
//              the quantity reaches into that tier
//   volume     every unit priced by the single tier the whole quantity falls in, plus its flatAmount
//   package    whole packages of packageSize units, rounded up, × packageAmount
import { Exact, Money } from '../../kernel/money.js';

export interface Tier {
  /** Inclusive upper bound of the tier in units; null for the last, open-ended tier. */
  upTo: number | null;
  /** Price per unit in major units of the currency, as a decimal string ("0.0045"). */
  unitAmount: string;
  /** Charged once when the quantity reaches into the tier (graduated) or lands in it (volume). */
  flatAmount?: string;
}

export type PriceModel =
  | { model: 'flat'; amount: string }
  | { model: 'per_unit'; unitAmount: string }
  | { model: 'graduated'; tiers: Tier[] }
  | { model: 'volume'; tiers: Tier[] }
  | { model: 'package'; packageSize: number; packageAmount: string };

export interface TierPiece {
  /** Index of the tier in the model. */
  tier: number;
  /** Units priced in this tier (a decimal string). */
  quantity: string;
  unitAmount: string;
  flatAmount: string;
  /** Exact, unrounded amount of this piece in major units. */
  exact: string;
}

export interface PricedLine {
  /** Exact, unrounded total in major units. */
  exact: Exact;
  /** The total rounded once, half-up (Money.round). */
  money: Money;
  /** The same in minor units. */
  amount: bigint;
  /** How tiered models reached the total (empty for the others). */
  pieces: TierPiece[];
}

/** Why a model cannot be used; each problem names where it is, as a JSON pointer into the model. */
export interface ModelProblem {
  pointer: string;
  message: string;
}

/**
 * Checks what a JSON Schema cannot: tiers ascend strictly and only the last is open-ended, package
 * sizes are whole. Returns no problems for a valid model.
 */
export function checkPriceModel(model: PriceModel): ModelProblem[] {
  const problems: ModelProblem[] = [];
  if (model.model === 'graduated' || model.model === 'volume') {
    if (model.tiers.length === 0) problems.push({ pointer: '/tiers', message: 'needs at least one tier' });
    let previous = 0;
    model.tiers.forEach((tier, index) => {
      const last = index === model.tiers.length - 1;
      if (tier.upTo === null) {
        if (!last) problems.push({ pointer: `/tiers/${index}/upTo`, message: 'only the last tier may be open-ended (null)' });
        return;
      }
      if (last) problems.push({ pointer: `/tiers/${index}/upTo`, message: 'the last tier must be open-ended (null) so every quantity has a price' });
      if (!Number.isInteger(tier.upTo) || tier.upTo <= previous) {
        problems.push({ pointer: `/tiers/${index}/upTo`, message: `must be a whole number above the previous tier's bound (${previous})` });
      }
      previous = tier.upTo;
    });
  }
  if (model.model === 'package' && (!Number.isInteger(model.packageSize) || model.packageSize < 1)) {
    problems.push({ pointer: '/packageSize', message: 'must be a whole number of at least 1' });
  }
  return problems;
}

/** Prices `quantity` units under `model`, exactly, then rounds the line once to minor units. */
export function priceLine(model: PriceModel, quantity: Exact | string | number, currency: string): PricedLine {
  const units = new Exact(quantity);
  if (units.isNegative()) throw new RangeError('quantity must not be negative');
  const { exact, pieces } = exactTotal(model, units);
  const money = Money.round(exact, currency);
  return { exact, money, amount: money.amountMinor, pieces };
}

function exactTotal(model: PriceModel, units: Exact): { exact: Exact; pieces: TierPiece[] } {
  const zero = new Exact(0);
  if (units.isZero()) return { exact: zero, pieces: [] };
  switch (model.model) {
    case 'flat':
      return { exact: new Exact(model.amount), pieces: [] };
    case 'per_unit':
      return { exact: new Exact(model.unitAmount).times(units), pieces: [] };
    case 'package': {
      const packages = units.dividedBy(model.packageSize).ceil();
      return { exact: packages.times(model.packageAmount), pieces: [] };
    }
    case 'graduated': {
      const pieces: TierPiece[] = [];
      let lower = zero;
      let exact = zero;
      for (const [index, tier] of model.tiers.entries()) {
        if (units.lte(lower)) break;
        const upper = tier.upTo === null ? units : Exact.min(units, tier.upTo);
        const inTier = upper.minus(lower);
        const flat = new Exact(tier.flatAmount ?? 0);
        const piece = inTier.times(tier.unitAmount).plus(flat);
        pieces.push({ tier: index, quantity: inTier.toString(), unitAmount: tier.unitAmount, flatAmount: flat.toString(), exact: piece.toString() });
        exact = exact.plus(piece);
        if (tier.upTo === null) break;
        lower = new Exact(tier.upTo);
      }
      return { exact, pieces };
    }
    case 'volume': {
      const index = model.tiers.findIndex((tier) => tier.upTo === null || units.lte(tier.upTo));
      const tier = model.tiers[index === -1 ? model.tiers.length - 1 : index];
      if (!tier) throw new RangeError('a volume model needs at least one tier');
      const flat = new Exact(tier.flatAmount ?? 0);
      const exact = units.times(tier.unitAmount).plus(flat);
      return { exact, pieces: [{ tier: index, quantity: units.toString(), unitAmount: tier.unitAmount, flatAmount: flat.toString(), exact: exact.toString() }] };
    }
  }
}
