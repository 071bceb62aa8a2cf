-- Single sign-on per tenant (docs/adr/0007-single-sign-on.md). The providers themselves live in the
-- tenant document (settings.authentication.providers); these tables hold what must not be in it or
-- is protocol bookkeeping:
-- - sso_client_secrets: OIDC client secrets, sealed with the installation key (AES-256-GCM, the
--   provider id as associated data), never returned by the API.
-- - sso_pending: sign-ins sent to an identity provider and not back yet, keyed by the OIDC `state`
--   (SHA-256 of it) or the SAML AuthnRequest ID; single use, short-lived.
-- - sso_consumed_assertions: SAML assertion IDs already accepted, kept until the assertion's own
--   NotOnOrAfter, so a captured assertion cannot be posted twice.
-- - sso_handoffs: the one-time step from the identity provider's cross-site return to a same-site
--   request that may set the SameSite=Strict session cookie (hash of a 256-bit token, seconds long).
create table identity.sso_client_secrets (
  tenant_id         text        not null,
  provider_id       text        not null,
  secret_ciphertext text        not null,
  updated_at        timestamptz not null,
  primary key (tenant_id, provider_id)
);

create table identity.sso_pending (
  key           text        primary key,
  tenant_id     text        not null,
  provider_id   text        not null,
  protocol      text        not null check (protocol in ('oidc', 'saml')),
  nonce         text,
  code_verifier text,
  return_to     text,
  created_at    timestamptz not null,
  expires_at    timestamptz not null
);
create index sso_pending_expiry on identity.sso_pending (expires_at);

create table identity.sso_consumed_assertions (
  tenant_id       text        not null,
  provider_id     text        not null,
  assertion_id    text        not null,
  not_on_or_after timestamptz not null,
  primary key (provider_id, assertion_id)
);
create index sso_consumed_expiry on identity.sso_consumed_assertions (not_on_or_after);

create table identity.sso_handoffs (
  token_hash     text        primary key,
  tenant_id      text        not null,
  provider_id    text        not null,
  user_id        text        not null references identity.users (id),
  mfa_by_idp     boolean     not null,
  return_to      text        not null,
  created_at     timestamptz not null,
  expires_at     timestamptz not null
);

do $$
declare t text;
begin
  foreach t in array array['sso_client_secrets', 'sso_pending', 'sso_consumed_assertions', 'sso_handoffs'] loop
    execute format('grant select, insert, update, delete on identity.%I to platforma_app', t);
    execute format('alter table identity.%I enable row level security', t);
    execute format('alter table identity.%I force row level security', t);
    execute format($p$create policy tenant_isolation on identity.%I
      using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
      with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')$p$, t);
  end loop;
end;
$$;
