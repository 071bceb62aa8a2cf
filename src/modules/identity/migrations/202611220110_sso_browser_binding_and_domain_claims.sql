-- A single sign-on is finished only by the browser that started it: `start` gives that browser a
-- random value in a short-lived cookie, and its SHA-256 travels with the pending sign-in (OIDC:
-- here; SAML: in RelayState) into the handoff, which `finish` redeems only with the same cookie.
-- Without it, someone could have another person's browser redeem a handoff of their own account
-- (login CSRF) and watch what they do.
alter table identity.sso_pending add column browser_binding text;
alter table identity.sso_handoffs add column browser_binding text;

-- Which provider claims an email domain, one row per domain: the primary key makes a domain
-- claimable once across every tenant, decided by the database inside the changing transaction
-- (no lock, no second connection). Kept in step with the tenant documents by the provider service.
create table identity.sso_domain_claims (
  domain      text not null primary key,
  tenant_id   text not null,
  provider_id text not null
);
create index sso_domain_claims_provider on identity.sso_domain_claims (tenant_id, provider_id);
grant select, insert, delete on identity.sso_domain_claims to platforma_app;
alter table identity.sso_domain_claims enable row level security;
alter table identity.sso_domain_claims force row level security;
create policy tenant_isolation on identity.sso_domain_claims
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

-- Claims of providers configured before this table existed.
insert into identity.sso_domain_claims (domain, tenant_id, provider_id)
select d.domain, t.tenant_id, p.provider -> 'config' ->> 'id'
  from tenancy.tenants t
  cross join lateral jsonb_array_elements(t.document -> 'settings' -> 'authentication' -> 'providers') as p(provider)
  cross join lateral jsonb_array_elements_text(p.provider -> 'config' -> 'domains') as d(domain)
 where t.status <> 'terminated' and p.provider -> 'config' ->> 'id' is not null
on conflict do nothing;
