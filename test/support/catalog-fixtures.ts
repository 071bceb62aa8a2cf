// The catalog's plain fixtures (price plans, version content) and unique suffixes, typed from the
// generated API schema. Nothing here calls the API or needs the test runner, so the benchmarks and
// the tests that drive a server in another process use them as the in-process builders
// (builders.ts) do.
import { randomBytes } from 'node:crypto';
import type { PricePlan, VersionContentPatch } from '../../web/shared/api/types.js';

/** A short suffix that keeps codes, domains and emails of one test file apart. */
export function uniqueSuffix(): string {
  return randomBytes(4).toString('hex');
}

/** The price plan fixtures share: 'monthly', per unit, 10.00 EUR a month, no setup fee, no trial. */
export function pricePlan(overrides: Partial<PricePlan> = {}): PricePlan {
  return { code: 'monthly', name: 'Monthly', interval: 'month', trialDays: 0, taxCategory: 'saas', setupFee: {}, prices: { EUR: { model: 'per_unit', unitAmount: '10.00' } }, usage: [], ...overrides };
}

/** A monthly per-unit plan in EUR, named by its code unless named (what change-order tests switch between). */
export function perUnitPlan(code: string, unitAmount: string, name = code): PricePlan {
  return pricePlan({ code, name, prices: { EUR: { model: 'per_unit', unitAmount } } });
}

/** A compute server's configuration (region, disk) and its provisioning mapping: the version content order tests configure and provision. */
export const SERVER_CONFIGURATION = {
  configurationSchema: { type: 'object', properties: { region: { type: 'string', enum: ['eu-west', 'us-east'], default: 'eu-west' }, disk: { type: 'integer', minimum: 10, default: 20 } }, additionalProperties: false },
  provisioning: { capability: 'compute.server', parameters: { region: { configuration: '/region' }, diskGb: { configuration: '/disk' }, count: { quantity: true } } },
} satisfies VersionContentPatch;
