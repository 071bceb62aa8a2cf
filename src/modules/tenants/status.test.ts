// The tenant status machine and settings merge, as units (the API and the database trigger enforce
// the same edges: see test/api/tenants-lifecycle.test.ts and bad-input.test.ts).
import { describe, expect, it } from 'vitest';
import { InvalidTransitionError } from '../../kernel/errors.js';
import { nextStatus, eventTypeOf, type TenantTransition } from './status.js';
import { mergePatch, defaultSettings } from './defaults.js';
import type { TenantStatus } from './schemas.js';

const STATUSES: TenantStatus[] = ['pending', 'active', 'suspended', 'terminated'];
const TRANSITIONS: TenantTransition[] = ['activate', 'suspend', 'reactivate', 'terminate'];

/** The whole table: from each status, where each transition leads (or null when refused). */
const EXPECTED: Record<TenantStatus, Record<TenantTransition, TenantStatus | null>> = {
  pending: { activate: 'active', suspend: null, reactivate: null, terminate: 'terminated' },
  active: { activate: null, suspend: 'suspended', reactivate: null, terminate: 'terminated' },
  suspended: { activate: null, suspend: null, reactivate: 'active', terminate: 'terminated' },
  terminated: { activate: null, suspend: null, reactivate: null, terminate: null },
};

describe('tenant status machine', () => {
  for (const from of STATUSES) {
    for (const transition of TRANSITIONS) {
      const to = EXPECTED[from][transition];
      it(`${transition} from ${from} ${to ? `leads to ${to}` : 'is refused naming the current status'}`, () => {
        if (to) {
          expect(nextStatus(from, transition)).toBe(to);
        } else {
          let caught: unknown;
          try {
            nextStatus(from, transition);
          } catch (error) {
            caught = error;
          }
          expect(caught).toBeInstanceOf(InvalidTransitionError);
          expect((caught as InvalidTransitionError).details).toEqual({ currentStatus: from });
        }
      });
    }
  }

  it('publishes one event type per transition', () => {
    expect(TRANSITIONS.map(eventTypeOf)).toEqual(['tenant.activated', 'tenant.suspended', 'tenant.reactivated', 'tenant.terminated']);
  });
});

describe('settings merge patch', () => {
  it('merges objects member by member and replaces arrays and scalars', () => {
    const merged = mergePatch(defaultSettings(), {
      branding: { primaryColor: '#000000' },
      integrations: { enabled: ['slack'] },
      compliance: { retentionPeriod: 30 },
    });
    expect(merged.branding).toEqual({ ...defaultSettings().branding, primaryColor: '#000000' });
    expect(merged.integrations.enabled).toEqual(['slack']);
    expect(merged.compliance).toEqual({ ...defaultSettings().compliance, retentionPeriod: 30 });
  });

  it('lets null clear an optional member and leaves the input untouched', () => {
    const base = { ...defaultSettings(), branding: { ...defaultSettings().branding, logo: 'https://x.example.com/logo.png' } };
    const merged = mergePatch(base, { branding: { logo: null } });
    expect(merged.branding.logo).toBeNull();
    expect(base.branding.logo).toBe('https://x.example.com/logo.png');
  });
});
