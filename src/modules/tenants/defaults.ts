// What a new tenant starts with when the request leaves something out, and how patches merge.
import type { StoredTenantDocument, TenantDocument } from './schemas.js';

export function defaultQuotas(): TenantDocument['quotas'] {
  return { maxUsers: 10, maxStorage: 100, maxAPICallsPerMonth: 100_000, maxComputeHours: 720, features: [], customLimits: {} };
}

/** The settings tenants owns; settings.authentication is identity's, with identity's defaults. */
export function defaultSettings(): StoredTenantDocument['settings'] {
  return {
    branding: { logo: null, primaryColor: '#1f6feb', secondaryColor: '#0b1f33', customDomain: null },
    integrations: { enabled: [], configurations: {} },
    compliance: { dataResidency: 'eu', retentionPeriod: 365, auditLevel: 'basic', gdprCompliant: true },
  };
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * RFC 7396-style merge: objects merge member by member, anything else (arrays, scalars, null)
 * replaces. Free-form maps (`configurations`) merge too, which is what a settings form expects.
 */
export function mergePatch<T>(target: T, patch: unknown): T {
  if (!isPlainObject(patch) || !isPlainObject(target)) return patch as T;
  const out: Record<string, unknown> = { ...target };
  for (const [key, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    out[key] = isPlainObject(value) && isPlainObject(out[key]) ? mergePatch(out[key], value) : value;
  }
  return out as T;
}
