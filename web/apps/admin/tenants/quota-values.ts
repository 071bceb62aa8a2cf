// Converts between a tenant's quotas and the text a form edits: whole numbers as digits, features
// as a comma-separated list, custom limits as "name = number" lines. Parsing reports problems per
// field so they can be shown before anything is sent.
import type { TenantQuotas } from '../../../shared/api/types.js';

export const NUMERIC_QUOTAS = ['maxUsers', 'maxStorage', 'maxAPICallsPerMonth', 'maxComputeHours'] as const;
export type NumericQuota = (typeof NUMERIC_QUOTAS)[number];
export type QuotaField = NumericQuota | 'features' | 'customLimits';
export type QuotaFormValues = Record<QuotaField, string>;

export function toFormValues(quotas: TenantQuotas): QuotaFormValues {
  return {
    maxUsers: String(quotas.maxUsers),
    maxStorage: String(quotas.maxStorage),
    maxAPICallsPerMonth: String(quotas.maxAPICallsPerMonth),
    maxComputeHours: String(quotas.maxComputeHours),
    features: quotas.features.join(', '),
    customLimits: Object.entries(quotas.customLimits)
      .map(([name, limit]) => `${name} = ${limit}`)
      .join('\n'),
  };
}

function wholeNumber(text: string): number | undefined {
  const trimmed = text.trim().replace(/[_\s]/g, '');
  return /^\d+$/.test(trimmed) ? Number(trimmed) : undefined;
}

export type ParsedQuotas = { ok: true; quotas: TenantQuotas } | { ok: false; errors: Partial<Record<QuotaField, string>> };

export function parseFormValues(values: QuotaFormValues): ParsedQuotas {
  const errors: Partial<Record<QuotaField, string>> = {};
  const numbers: Partial<Record<NumericQuota, number>> = {};
  for (const field of NUMERIC_QUOTAS) {
    const value = wholeNumber(values[field]);
    if (value === undefined) errors[field] = 'Enter a whole number (0 or more).';
    else numbers[field] = value;
  }

  const features = [...new Set(values.features.split(/[,\n]/).map((feature) => feature.trim()).filter(Boolean))];

  const customLimits: Record<string, number> = {};
  const badLines: string[] = [];
  for (const line of values.customLimits.split('\n').map((text) => text.trim()).filter(Boolean)) {
    const match = /^([^=\s]+)\s*=\s*(.+)$/.exec(line);
    const limit = match?.[2] === undefined ? undefined : wholeNumber(match[2]);
    if (!match?.[1] || limit === undefined) badLines.push(line);
    else customLimits[match[1]] = limit;
  }
  if (badLines.length > 0) errors.customLimits = `Write each limit as “name = number”; not understood: ${badLines.join('; ')}`;

  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return {
    ok: true,
    quotas: {
      maxUsers: numbers.maxUsers ?? 0,
      maxStorage: numbers.maxStorage ?? 0,
      maxAPICallsPerMonth: numbers.maxAPICallsPerMonth ?? 0,
      maxComputeHours: numbers.maxComputeHours ?? 0,
      features,
      customLimits,
    },
  };
}
