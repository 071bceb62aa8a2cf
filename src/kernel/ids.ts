// Prefixed, sortable identifiers (`ten_01J…`): the prefix says what a thing is in logs and support
// tickets, the ULID sorts by creation time so ids double as pagination cursors.
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
} as const;

export type IdKind = keyof typeof ID_PREFIXES;
const ulid = monotonicFactory();

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
