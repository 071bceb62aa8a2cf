-- What a tenant decides about signing in is identity's, kept in identity's own tables (ADR 0017):
-- its password policy and mandatory MFA, and its single sign-on identity providers. They were parts
-- of the tenant document (settings.authentication), changed through the tenants module inside its
-- transaction and under its one version. Each part now has its own row and its own version (the
-- ETag of its endpoint); the tenant API still shows them in the document, composed on read.
-- A tenant without a row here has the defaults (see accounts/tenant-authentication.ts).
create table identity.tenant_authentication_settings (
  tenant_id        text        primary key check (tenant_id ~ '^ten_[0-9a-hjkmnp-tv-z]{26}$'),
  password_policy  jsonb       not null check (jsonb_typeof(password_policy) = 'object'),
  mfa_required     boolean     not null,
  version          integer     not null default 1 check (version > 0),
  updated_at       timestamptz not null
);

-- The providers as one ordered list per tenant (the list has one version: an If-Match on a change
-- guards against any change to the list meanwhile, as the administrators' page expects). OIDC client
-- secrets stay sealed in identity.sso_client_secrets, domain claims in identity.sso_domain_claims.
create table identity.tenant_identity_providers (
  tenant_id   text        primary key check (tenant_id ~ '^ten_[0-9a-hjkmnp-tv-z]{26}$'),
  providers   jsonb       not null check (jsonb_typeof(providers) = 'array'),
  version     integer     not null default 1 check (version > 0),
  updated_at  timestamptz not null
);

grant select, insert, update on identity.tenant_authentication_settings, identity.tenant_identity_providers to platforma_app;

alter table identity.tenant_authentication_settings enable row level security;
alter table identity.tenant_authentication_settings force row level security;
create policy tenant_isolation on identity.tenant_authentication_settings
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

alter table identity.tenant_identity_providers enable row level security;
alter table identity.tenant_identity_providers force row level security;
create policy tenant_isolation on identity.tenant_identity_providers
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

-- The existing tenants' settings move over (the tenants module's next migration drops them from the
-- documents). The version starts at the document's, so an ETag read before the move still refuses.
insert into identity.tenant_authentication_settings (tenant_id, password_policy, mfa_required, version, updated_at)
select t.tenant_id, t.document -> 'settings' -> 'authentication' -> 'passwordPolicy',
       coalesce((t.document -> 'settings' -> 'authentication' ->> 'mfaRequired')::boolean, false), t.version, t.updated_at
  from tenancy.tenants t
 where t.document -> 'settings' -> 'authentication' -> 'passwordPolicy' is not null;

insert into identity.tenant_identity_providers (tenant_id, providers, version, updated_at)
select t.tenant_id, t.document -> 'settings' -> 'authentication' -> 'providers', t.version, t.updated_at
  from tenancy.tenants t
 where jsonb_typeof(t.document -> 'settings' -> 'authentication' -> 'providers') = 'array';
