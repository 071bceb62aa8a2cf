// Prefixed, sortable identifiers (`ten_01J…`): the prefix says what a thing is in logs and support
// tickets, the ULID sorts by creation time so ids double as pagination cursors.
import { randomFillSync } from 'node:crypto';
import { monotonicFactory } from 'ulidx';

export const ID_PREFIXES = {
  tenant: 'ten',
  user: 'usr',
  event: 'evt',
  audit: 'aud',
  session: 'ses',
  role: 'role',
  invitation: 'ivt',
  impersonation: 'imp',
  request: 'req',
  mail: 'mail',
  apiKey: 'key',
  oauthClient: 'oac',
  emailToken: 'etok',
  product: 'prd',
  coupon: 'cpn',
  order: 'ord',
  approvalRule: 'apr',
  identityProvider: 'idp',
  deadLetter: 'dlq',
  workflowRun: 'wfr',
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
/**
 * ulidx's own generator asks the OS for one random byte per character (16 calls per id); this draws
 * them from a pooled buffer refilled 4 KiB at a time from the same CSPRNG. A byte / 256 is uniform on
 * [0, 1), so each of the 32 symbols stays equally likely.
 */
const randomPool = Buffer.alloc(4096);
let randomOffset = randomPool.length;
function pooledRandom(): number {
  if (randomOffset === randomPool.length) {
    randomFillSync(randomPool);
    randomOffset = 0;
  }
  return randomPool[randomOffset++]! / 256;
}
const ulid = monotonicFactory(pooledRandom);

export function newId(kind: IdKind): string {
  return `${ID_PREFIXES[kind]}_${ulid().toLowerCase()}`;
}

const ULID = /^[0-9a-hjkmnp-tv-z]{26}$/;

export function isId(kind: IdKind, value: string): boolean {
  const prefix = `${ID_PREFIXES[kind]}_`;
  return value.startsWith(prefix) && ULID.test(value.slice(prefix.length));
}

/** JSON-Schema pattern for an id of one kind, for route schemas. */
export function idPattern(kind: IdKind): string {
  return `^${ID_PREFIXES[kind]}_[0-9a-hjkmnp-tv-z]{26}$`;
}
