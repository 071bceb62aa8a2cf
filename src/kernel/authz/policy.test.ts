import { describe, expect, it } from 'vitest';
import { actionMatches, evaluate, ipInCidr, resourceMatches, validatePolicy, type Policy, type Statement } from './policy.js';

const context = { mfa: false, sourceIp: '10.1.2.3' };
const request = (action: string, resource: string, extra: Partial<typeof context> = {}) => ({ action, resource, context: { ...context, ...extra } });
const policy = (name: string, ...statements: Statement[]): Policy => ({ name, statements });
const allow = (actions: string[], resources: string[], conditions?: Statement['conditions']): Statement => ({ effect: 'allow', actions, resources, conditions });
const deny = (actions: string[], resources: string[], conditions?: Statement['conditions']): Statement => ({ effect: 'deny', actions, resources, conditions });

describe('action patterns', () => {
  it.each([
    ['billing:invoice.read', 'billing:invoice.read', true],
    ['billing:*', 'billing:invoice.read', true],
    ['billing:invoice.*', 'billing:invoice.read', true],
    ['billing:invoice.*', 'billing:payment.read', false],
    ['billing:*', 'tenants:tenant.read', false],
    ['*', 'tenants:tenant.read', true],
    ['bill*', 'billing:invoice.read', false],
    ['billing:invoice.read', 'billing:invoice.readall', false],
  ])('%s matches %s: %s', (pattern, action, expected) => {
    expect(actionMatches(pattern, action)).toBe(expected);
  });
});

describe('resource patterns', () => {
  it.each([
    ['prn:ten_a:invoice/inv_1', 'prn:ten_a:invoice/inv_1', true],
    ['prn:ten_a:invoice/*', 'prn:ten_a:invoice/inv_1', true],
    ['prn:ten_a:*', 'prn:ten_a:invoice/inv_1', false], // * does not cross '/'
    ['prn:ten_a:*/*', 'prn:ten_a:invoice/inv_1', true],
    ['prn:*:invoice/*', 'prn:ten_b:invoice/inv_1', true],
    ['prn:ten_a*', 'prn:ten_a:invoice/inv_1', false], // * does not cross ':'
    ['prn:ten_*:invoice/*', 'prn:ten_b:invoice/x', true],
    ['prn:ten_a:invoice/*', 'prn:ten_ab:invoice/x', false],
    ['prn:ten_a:invoice/inv.1', 'prn:ten_a:invoice/invx1', false], // '.' is literal
  ])('%s matches %s: %s', (pattern, resource, expected) => {
    expect(resourceMatches(pattern, resource)).toBe(expected);
  });

  it('substitutes variables literally and never matches with an unbound one', () => {
    expect(resourceMatches('prn:${tenant}:invoice/*', 'prn:ten_a:invoice/1', { tenant: 'ten_a' })).toBe(true);
    expect(resourceMatches('prn:${tenant}:invoice/*', 'prn:ten_b:invoice/1', { tenant: 'ten_a' })).toBe(false);
    expect(resourceMatches('prn:${tenant}:invoice/*', 'prn:ten_a:invoice/1', {})).toBe(false);
    expect(resourceMatches('prn:${tenant}:invoice/*', 'prn:ten_b:invoice/1', { tenant: '*' })).toBe(false);
  });
});

describe('CIDR conditions', () => {
  it.each([
    ['10.1.2.3', '10.0.0.0/8', true],
    ['10.1.2.3', '10.1.2.3/32', true],
    ['10.1.2.3', '10.1.2.3', true],
    ['11.1.2.3', '10.0.0.0/8', false],
    ['::ffff:10.1.2.3', '10.0.0.0/8', true],
    ['2001:db8::1', '2001:db8::/32', true],
    ['2001:db9::1', '2001:db8::/32', false],
    ['10.1.2.3', '2001:db8::/32', false],
    ['10.1.2.3', '0.0.0.0/0', true],
    ['not-an-ip', '0.0.0.0/0', false],
  ])('%s in %s: %s', (ip, cidr, expected) => {
    expect(ipInCidr(ip, cidr)).toBe(expected);
  });
});

describe('decisions', () => {
  const readInvoices = allow(['billing:invoice.read'], ['prn:ten_a:invoice/*']);

  it('denies when nothing matches', () => {
    expect(evaluate([], request('billing:invoice.read', 'prn:ten_a:invoice/1'))).toEqual({ allowed: false, reason: 'implicit-deny', matched: [] });
    expect(evaluate([policy('p', readInvoices)], request('billing:invoice.pay', 'prn:ten_a:invoice/1')).allowed).toBe(false);
  });

  it('allows a matching allow and says which statement matched', () => {
    const decision = evaluate([policy('billing-reader', { ...readInvoices, sid: 'read' })], request('billing:invoice.read', 'prn:ten_a:invoice/1'));
    expect(decision).toEqual({ allowed: true, reason: 'allow', matched: [{ policy: 'billing-reader', sid: 'read', effect: 'allow' }] });
  });

  it('lets an explicit deny win in either order, across policies', () => {
    const denyPaid = deny(['billing:*'], ['prn:ten_a:invoice/inv_paid']);
    const r = request('billing:invoice.read', 'prn:ten_a:invoice/inv_paid');
    for (const policies of [[policy('a', readInvoices, denyPaid)], [policy('a', denyPaid, readInvoices)], [policy('a', readInvoices), policy('b', denyPaid)], [policy('b', denyPaid), policy('a', readInvoices)]]) {
      const decision = evaluate(policies, r);
      expect(decision.allowed).toBe(false);
      expect(decision.reason).toBe('explicit-deny');
    }
    expect(evaluate([policy('a', readInvoices, denyPaid)], request('billing:invoice.read', 'prn:ten_a:invoice/inv_open')).allowed).toBe(true);
  });

  it('applies conditions with AND across kinds and OR within a list', () => {
    const guarded = allow(['tenants:*'], ['prn:ten_a:*/*'], { mfa: true, sourceIp: ['192.168.0.0/16', '10.0.0.0/8'] });
    const r = (mfa: boolean, sourceIp: string) => request('tenants:tenant.update', 'prn:ten_a:tenant/ten_a', { mfa, sourceIp });
    expect(evaluate([policy('g', guarded)], r(true, '10.9.9.9')).allowed).toBe(true);
    expect(evaluate([policy('g', guarded)], r(true, '192.168.1.1')).allowed).toBe(true);
    expect(evaluate([policy('g', guarded)], r(false, '10.9.9.9')).allowed).toBe(false);
    expect(evaluate([policy('g', guarded)], r(true, '8.8.8.8')).allowed).toBe(false);
  });

  it('a deny whose condition does not hold does not deny', () => {
    const denyWithoutMfa = deny(['*'], ['prn:*:*/*'], { mfa: false });
    expect(evaluate([policy('a', readInvoices, denyWithoutMfa)], request('billing:invoice.read', 'prn:ten_a:invoice/1', { mfa: true })).allowed).toBe(true);
    expect(evaluate([policy('a', readInvoices, denyWithoutMfa)], request('billing:invoice.read', 'prn:ten_a:invoice/1', { mfa: false })).allowed).toBe(false);
  });
});

describe('policy validation', () => {
  it('accepts well-formed statements and names each malformed member by pointer', () => {
    expect(validatePolicy(policy('ok', readAll()))).toEqual([]);
    const problems = validatePolicy(policy('bad', { effect: 'allow', actions: ['Billing'], resources: ['invoice/*'], conditions: { sourceIp: ['10.0.0.0/abc'] } }));
    expect(problems).toEqual([
      '/statements/0/actions/0: must look like service:resource.verb (wildcards * allowed)',
      '/statements/0/resources/0: must look like prn:<tenant>:<type>/<id> with a tenant segment',
      '/statements/0/conditions/sourceIp/0: must be a CIDR range',
    ]);
  });
  function readAll(): Statement {
    return allow(['billing:*', '*'], ['prn:${tenant}:invoice/*'], { sourceIp: ['10.0.0.0/8', '2001:db8::/32'] });
  }
});
