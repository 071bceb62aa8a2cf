// What an identity provider's config must hold, per protocol, as JSON Schema (TypeBox): the stored
// shape inside the tenant document (settings.authentication.providers[].config) and the shape an
// administrator sends. The OIDC client secret is the one difference: it is sent, sealed into
// identity.sso_client_secrets, and never stored in the document or returned.
import { X509Certificate } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { StrictObject } from '../../../kernel/api/schemas.js';
import { documentValidator } from '../../../kernel/validation.js';
import { ValidationError, type FieldError } from '../../../kernel/errors.js';

const EmailDomain = Type.String({
  minLength: 3,
  maxLength: 253,
  pattern: '^(?=.{3,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\\.)+[a-z]{2,63}$',
  description: 'An email domain (lower case): the tenant’s own domain or a subdomain of it',
});
const Url = Type.String({ minLength: 8, maxLength: 2048, pattern: '^https?://', description: 'https (http only for loopback hosts, for development)' });

const common = {
  domains: Type.Array(EmailDomain, { minItems: 1, maxItems: 20, uniqueItems: true, description: 'Email domains that sign in through this provider' }),
  defaultRole: Type.String({ minLength: 1, maxLength: 64, description: 'Role of a member created on first sign-in: a built-in role other than owner, or a custom role id' }),
  mandatory: Type.Boolean({ description: 'When true, people of these domains cannot sign in with a password (platform staff excepted)' }),
};

export const OidcConfigInput = StrictObject(
  {
    issuer: Url,
    clientId: Type.String({ minLength: 1, maxLength: 255 }),
    clientSecret: Type.String({ minLength: 1, maxLength: 1024, description: 'Write-only: stored encrypted, never returned' }),
    scopes: Type.Optional(Type.Array(Type.String({ pattern: '^[\\x21\\x23-\\x5b\\x5d-\\x7e]{1,100}$' }), { maxItems: 20, uniqueItems: true, description: 'Scopes besides openid and email' })),
    ...common,
  },
  { title: 'OidcProviderConfig' },
);
export const SamlConfigInput = StrictObject(
  {
    entryPoint: Url,
    idpCertificate: Type.String({ minLength: 100, maxLength: 20_000, description: 'The IdP’s signing certificate, PEM' }),
    idpEntityId: Type.Optional(Type.String({ minLength: 1, maxLength: 1024, description: 'When set, the assertion’s Issuer must equal it' })),
    ...common,
  },
  { title: 'SamlProviderConfig' },
);

export type OidcConfigInput = Static<typeof OidcConfigInput>;
export type SamlConfigInput = Static<typeof SamlConfigInput>;

/** Stored in the tenant document (no secret). */
export interface StoredOidcConfig extends Omit<OidcConfigInput, 'clientSecret'> {
  id: string;
  scopes: string[];
}
export interface StoredSamlConfig extends SamlConfigInput {
  id: string;
}

export interface OidcProvider {
  type: 'oidc';
  name: string;
  enabled: boolean;
  config: StoredOidcConfig;
}
export interface SamlProvider {
  type: 'saml';
  name: string;
  enabled: boolean;
  config: StoredSamlConfig;
}
export type SsoProvider = OidcProvider | SamlProvider;

/** A document entry as the tenants module stores it. */
export interface ProviderEntry {
  type: 'saml' | 'oidc' | 'oauth';
  name: string;
  config: Record<string, unknown>;
  enabled: boolean;
}

const validators: Record<'oidc' | 'saml', (value: unknown) => unknown> = {
  oidc: documentValidator(OidcConfigInput, 'OIDC provider config'),
  saml: documentValidator(SamlConfigInput, 'SAML provider config'),
};

/** Validates a config against its protocol's schema; field errors point into the request body (/config/…). */
export function validateConfig(type: 'oidc', value: unknown): OidcConfigInput;
export function validateConfig(type: 'saml', value: unknown): SamlConfigInput;
export function validateConfig(type: 'oidc' | 'saml', value: unknown): OidcConfigInput | SamlConfigInput;
export function validateConfig(type: 'oidc' | 'saml', value: unknown): OidcConfigInput | SamlConfigInput {
  let config: OidcConfigInput | SamlConfigInput;
  try {
    config = validators[type](value) as OidcConfigInput | SamlConfigInput;
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(error.message, error.fieldErrors.map((e) => ({ ...e, pointer: `/config${e.pointer === '/' ? '' : e.pointer}` })));
    throw error;
  }
  const problems: FieldError[] = [];
  const url = type === 'oidc' ? (config as OidcConfigInput).issuer : (config as SamlConfigInput).entryPoint;
  const pointer = type === 'oidc' ? '/config/issuer' : '/config/entryPoint';
  if (!acceptableUrl(url)) problems.push({ pointer, message: 'must be an https URL (http only for localhost or 127.0.0.1)' });
  if (type === 'saml') {
    const saml = config as SamlConfigInput;
    try {
      new X509Certificate(saml.idpCertificate);
    } catch {
      problems.push({ pointer: '/config/idpCertificate', message: 'must be a PEM certificate' });
    }
  }
  if (problems.length > 0) throw new ValidationError('The provider config is not valid.', problems);
  return config;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '[::1]']);

export function isLoopback(url: URL): boolean {
  return LOOPBACK.has(url.hostname);
}

function acceptableUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url));
  } catch {
    return false;
  }
}

/** The providers of a document that this code can sign in with (type oidc or saml, with an id). */
export function usableProviders(entries: ProviderEntry[]): SsoProvider[] {
  return entries.filter((entry): entry is ProviderEntry & SsoProvider => (entry.type === 'oidc' || entry.type === 'saml') && typeof entry.config.id === 'string');
}

export function providerId(entry: ProviderEntry): string | undefined {
  return typeof entry.config.id === 'string' ? entry.config.id : undefined;
}


