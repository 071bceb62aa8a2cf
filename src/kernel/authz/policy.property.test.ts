// Properties of policy evaluation that must hold for every input, not just the truth tables.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { evaluate, resourceMatches, actionMatches, type Policy, type Statement } from './policy.js';

const segment = fc.stringMatching(/^[a-z0-9_]{1,6}$/);
const action = fc.tuple(fc.constantFrom('billing', 'tenants', 'identity'), fc.constantFrom('invoice', 'tenant', 'user'), fc.constantFrom('read', 'update', 'delete')).map(([s, r, v]) => `${s}:${r}.${v}`);
const actionPattern = fc.oneof(action, action.map((a) => `${a.split(':')[0]}:*`), fc.constant('*'));
const resource = fc.tuple(segment, fc.constantFrom('invoice', 'tenant', 'user'), segment).map(([t, type, id]) => `prn:ten_${t}:${type}/${id}`);
/** A resource pattern: each segment kept, or replaced by a wildcard within that segment. */
const resourcePattern = fc.tuple(resource, fc.boolean(), fc.boolean(), fc.boolean()).map(([r, wildTenant, wildType, wildId]) => {
  const [, tenant, rest] = r.split(':') as [string, string, string];
  const [type, id] = rest.split('/') as [string, string];
  return `prn:${wildTenant ? 'ten_*' : tenant}:${wildType ? '*' : type}/${wildId ? '*' : id}`;
});
const conditions = fc.option(fc.record({ mfa: fc.option(fc.boolean(), { nil: undefined }), sourceIp: fc.option(fc.constantFrom<string[]>(['10.0.0.0/8'], ['192.168.0.0/16', '10.0.0.0/8'], ['0.0.0.0/0']), { nil: undefined }) }), { nil: undefined });
const statement: fc.Arbitrary<Statement> = fc.record({
  effect: fc.constantFrom('allow' as const, 'deny' as const),
  actions: fc.array(actionPattern, { minLength: 1, maxLength: 3 }),
  resources: fc.array(resourcePattern, { minLength: 1, maxLength: 3 }),
  conditions,
});
const policies = fc.array(fc.record({ name: fc.constantFrom('a', 'b', 'c'), statements: fc.array(statement, { maxLength: 5 }) }), { maxLength: 4 });
const request = fc.record({
  action,
  resource,
  context: fc.record({ mfa: fc.boolean(), sourceIp: fc.constantFrom('10.1.2.3', '192.168.5.5', '8.8.8.8') }),
});

describe('policy evaluation properties', () => {
  it('order never matters: any permutation of statements and policies decides the same', () => {
    fc.assert(
      fc.property(policies, request, fc.nat(), (ps, r, seed) => {
        const flat: Policy[] = ps.map((p) => ({ ...p, statements: [...p.statements] }));
        const shuffled = [...flat].reverse().map((p) => ({ ...p, statements: rotate(p.statements, seed) }));
        expect(evaluate(shuffled, r).allowed).toBe(evaluate(flat, r).allowed);
      }),
      { numRuns: 500 },
    );
  });

  it('a matching deny beats any number of allows', () => {
    fc.assert(
      fc.property(policies, request, (ps, r) => {
        const denyIt: Statement = { effect: 'deny', actions: [r.action], resources: [r.resource] };
        const everything: Statement = { effect: 'allow', actions: ['*'], resources: ['prn:*:*/*'] };
        const decision = evaluate([...ps, { name: 'x', statements: [everything, denyIt, everything] }], r);
        expect(decision.allowed).toBe(false);
        expect(decision.reason).toBe('explicit-deny');
      }),
      { numRuns: 300 },
    );
  });

  it('no match means deny, and an allow needs a matching allow statement', () => {
    fc.assert(
      fc.property(policies, request, (ps, r) => {
        const decision = evaluate(ps, r);
        if (decision.allowed) expect(decision.matched.every((m) => m.effect === 'allow') && decision.matched.length > 0).toBe(true);
        if (decision.matched.length === 0) expect(decision).toEqual({ allowed: false, reason: 'implicit-deny', matched: [] });
      }),
      { numRuns: 500 },
    );
  });

  it('wildcards never cross a segment: a tenant pattern never matches another tenant', () => {
    fc.assert(
      fc.property(segment, segment, fc.constantFrom('invoice', 'tenant'), segment, (a, b, type, id) => {
        fc.pre(a !== b);
        const other = `prn:ten_${b}:${type}/${id}`;
        for (const pattern of [`prn:ten_${a}:*/*`, `prn:ten_${a}:${type}/*`, `prn:ten_${a}*`, `prn:ten_${a}:*`]) {
          expect(resourceMatches(pattern, other)).toBe(false);
        }
        // `*` within the id segment never swallows a further `/` or `:`.
        expect(resourceMatches(`prn:ten_${a}:${type}/*`, `prn:ten_${a}:${type}/${id}/x`)).toBe(false);
        expect(actionMatches(`billing:*`, `tenants:tenant.${id}`)).toBe(false);
      }),
      { numRuns: 500 },
    );
  });

  it('conditions combine with AND: adding a condition never turns a deny into an allow', () => {
    fc.assert(
      fc.property(request, conditions, (r, extra) => {
        const base: Statement = { effect: 'allow', actions: [r.action], resources: [r.resource] };
        const narrowed: Statement = { ...base, conditions: extra ?? undefined };
        const without = evaluate([{ name: 'p', statements: [base] }], r).allowed;
        const withCondition = evaluate([{ name: 'p', statements: [narrowed] }], r).allowed;
        expect(!without && withCondition).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});

function rotate<T>(items: T[], by: number): T[] {
  if (items.length === 0) return items;
  const k = by % items.length;
  return [...items.slice(k), ...items.slice(0, k)];
}
