// Policy evaluation, deny by default (the semantics of AWS IAM and Cedar):
// - a request is allowed only if some statement allows it and no statement denies it;
// - an explicit deny wins whatever the order of statements or policies;
// - no matching statement means deny.
// Actions look like `billing:invoice.read`; resources like `prn:<tenant>:invoice/<id>`. A `*` in a
// pattern matches within one segment only: it never crosses `:` (either) or `/` (resources), so a
// pattern can never reach into another tenant's segment by accident.
import { isIP } from 'node:net';

export type Effect = 'allow' | 'deny';

export interface Conditions {
  /** The caller must (true) or must not (false) have completed MFA in this session. */
  mfa?: boolean;
  /** The caller's source IP must fall in one of these CIDR ranges (IPv4 or IPv6). */
  sourceIp?: string[];
}

export interface Statement {
  sid?: string;
  effect: Effect;
  actions: string[];
  resources: string[];
  conditions?: Conditions;
}

export interface Policy {
  name: string;
  statements: Statement[];
  /**
   * True for a platform role's policy: the only kind that may allow a platform-only action
   * (platform-actions.ts). Tenant, custom, partner and self-service policies leave it unset.
   */
  platform?: boolean;
}

export interface AuthzRequest {
  action: string;
  resource: string;
  context: { mfa: boolean; sourceIp: string };
  /** Values for `${name}` variables in resource patterns (e.g. `${tenant}`). */
  variables?: Record<string, string>;
}

export interface MatchedStatement {
  policy: string;
  sid: string;
  effect: Effect;
}

export interface Decision {
  allowed: boolean;
  /** explicit-deny: a deny matched; allow: an allow matched and no deny; implicit-deny: nothing matched. */
  reason: 'explicit-deny' | 'allow' | 'implicit-deny';
  /** The statements that decided (all matching denies, or all matching allows). */
  matched: MatchedStatement[];
}

const ACTION = /^(\*|(\*|[a-z][a-z0-9-]*):[a-z*][a-z0-9_.*-]*)$/;
const RESOURCE_PREFIX = 'prn:';

export class PolicyError extends Error {}

/** True for a valid action pattern (`billing:invoice.read`, `billing:*`, `*`): what statements and credential scopes accept. */
export function isActionPattern(pattern: string): boolean {
  return ACTION.test(pattern);
}

function escapeRegex(text: string): string {
  return text.replace(/[.+?^${}()|[\]\\]/g, '\\$&');
}

const patternCache = new Map<string, RegExp>();

/** Compiles a pattern where `*` matches any run of characters other than the separators. */
function compile(pattern: string, separators: string): RegExp {
  const key = `${separators}\u0000${pattern}`;
  let regex = patternCache.get(key);
  if (!regex) {
    const notSeparator = `[^${escapeRegex(separators)}]*`;
    regex = new RegExp(`^${pattern.split('*').map(escapeRegex).join(notSeparator)}$`);
    if (patternCache.size > 10_000) patternCache.clear();
    patternCache.set(key, regex);
  }
  return regex;
}

export function actionMatches(pattern: string, action: string): boolean {
  if (pattern === '*') return true;
  return compile(pattern, ':').test(action);
}

export function resourceMatches(pattern: string, resource: string, variables: Record<string, string> = {}): boolean {
  let resolved = pattern;
  for (const [name, value] of Object.entries(variables)) {
    // A variable's value is literal: a `*` or separator inside it must not widen the pattern.
    if (/[*:/]/.test(value)) return false;
    resolved = resolved.split(`\${${name}}`).join(value);
  }
  if (resolved.includes('${')) return false; // an unbound variable never matches
  return compile(resolved, ':/').test(resource);
}

function ipv4ToBigInt(ip: string): bigint {
  return ip.split('.').reduce((acc, part) => (acc << 8n) + BigInt(Number(part)), 0n);
}

function ipv6ToBigInt(ip: string): bigint {
  const [head, tail] = ip.split('::') as [string, string | undefined];
  const headParts = head ? head.split(':') : [];
  const tailParts = tail !== undefined && tail !== '' ? tail.split(':') : [];
  const expandV4 = (parts: string[]) =>
    parts.flatMap((p) => (p.includes('.') ? [((Number(ipv4ToBigInt(p)) >>> 16) & 0xffff).toString(16), (Number(ipv4ToBigInt(p)) & 0xffff).toString(16)] : [p]));
  const h = expandV4(headParts);
  const t = expandV4(tailParts);
  const missing = tail === undefined ? 0 : 8 - h.length - t.length;
  const groups = [...h, ...Array<string>(missing).fill('0'), ...t];
  return groups.reduce((acc, g) => (acc << 16n) + BigInt(parseInt(g || '0', 16)), 0n);
}

export function ipInCidr(ip: string, cidr: string): boolean {
  const [range, bitsText] = cidr.split('/') as [string, string | undefined];
  const family = isIP(range);
  // An IPv4 address may arrive as IPv4-mapped IPv6 (::ffff:10.0.0.1).
  const address = family === 4 && ip.startsWith('::ffff:') ? ip.slice(7) : ip;
  if (family === 0 || isIP(address) !== family) return false;
  const width = family === 4 ? 32 : 128;
  const bits = bitsText === undefined ? width : Number(bitsText);
  if (!Number.isInteger(bits) || bits < 0 || bits > width) return false;
  const toInt = family === 4 ? ipv4ToBigInt : ipv6ToBigInt;
  const shift = BigInt(width - bits);
  return toInt(address) >> shift === toInt(range) >> shift;
}

/** Conditions combine with AND; a list inside one condition (IP ranges) combines with OR. */
export function conditionsHold(conditions: Conditions | undefined, context: AuthzRequest['context']): boolean {
  if (!conditions) return true;
  if (conditions.mfa !== undefined && conditions.mfa !== context.mfa) return false;
  if (conditions.sourceIp !== undefined && !conditions.sourceIp.some((cidr) => ipInCidr(context.sourceIp, cidr))) return false;
  return true;
}

export function statementMatches(statement: Statement, request: AuthzRequest): boolean {
  return (
    statement.actions.some((pattern) => actionMatches(pattern, request.action)) &&
    statement.resources.some((pattern) => resourceMatches(pattern, request.resource, request.variables)) &&
    conditionsHold(statement.conditions, request.context)
  );
}

export function evaluate(policies: Policy[], request: AuthzRequest): Decision {
  const allows: MatchedStatement[] = [];
  const denies: MatchedStatement[] = [];
  for (const policy of policies) {
    policy.statements.forEach((statement, index) => {
      if (!statementMatches(statement, request)) return;
      const matched = { policy: policy.name, sid: statement.sid ?? `#${index + 1}`, effect: statement.effect };
      (statement.effect === 'deny' ? denies : allows).push(matched);
    });
  }
  if (denies.length > 0) return { allowed: false, reason: 'explicit-deny', matched: denies };
  if (allows.length > 0) return { allowed: true, reason: 'allow', matched: allows };
  return { allowed: false, reason: 'implicit-deny', matched: [] };
}

/** Checks a policy's shape before it is stored: valid action and resource patterns and CIDRs. */
export function validatePolicy(policy: Policy): string[] {
  const problems: string[] = [];
  policy.statements.forEach((statement, i) => {
    const at = `/statements/${i}`;
    if (statement.actions.length === 0) problems.push(`${at}/actions: at least one action`);
    statement.actions.forEach((action, j) => {
      if (!ACTION.test(action)) problems.push(`${at}/actions/${j}: must look like service:resource.verb (wildcards * allowed)`);
    });
    if (statement.resources.length === 0) problems.push(`${at}/resources: at least one resource`);
    statement.resources.forEach((resource, j) => {
      const segments = resource.split(':');
      if (!resource.startsWith(RESOURCE_PREFIX) || segments.length < 3 || segments[1] === '') {
        problems.push(`${at}/resources/${j}: must look like prn:<tenant>:<type>/<id> with a tenant segment`);
      }
    });
    statement.conditions?.sourceIp?.forEach((cidr, j) => {
      const [range, bits] = cidr.split('/');
      if (!range || isIP(range) === 0 || (bits !== undefined && !/^\d{1,3}$/.test(bits))) problems.push(`${at}/conditions/sourceIp/${j}: must be a CIDR range`);
    });
  });
  return problems;
}
