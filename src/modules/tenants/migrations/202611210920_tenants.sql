-- Tenants: the seed's TenantDocument as a JSON Schema–validated JSONB document. The columns beside
-- it are generated from the document (so they can never disagree with it) and exist to be indexed,
-- constrained and used by row-level security.
create schema tenancy;
grant usage on schema tenancy to platforma_app;

create table tenancy.tenants (
  tenant_id          text        primary key check (tenant_id ~ '^ten_[0-9a-hjkmnp-tv-z]{26}$'),
  document           jsonb       not null check (jsonb_typeof(document) = 'object'),
  version            integer     not null default 1 check (version > 0),
  status             text        generated always as (document ->> 'status') stored
                                 check (status in ('pending', 'active', 'suspended', 'terminated')),
  organization_name  text        generated always as (document ->> 'organizationName') stored not null,
  domain             text        generated always as (lower(document ->> 'domain')) stored not null,
  created_at         timestamptz not null,
  updated_at         timestamptz not null,
  check (document ->> 'tenantId' = tenant_id),
  check (length(document ->> 'organizationName') between 1 and 200)
);
-- A domain belongs to one live tenant; a terminated tenant's domain may be reused.
create unique index tenants_domain_live on tenancy.tenants (domain) where status <> 'terminated';
create index tenants_status on tenancy.tenants (status, tenant_id);
create index tenants_name on tenancy.tenants (lower(organization_name));

-- The status machine, enforced by the database as well as by the service: no code path (a bug, a
-- hand-written UPDATE) can move a tenant along an edge that does not exist.
create function tenancy.enforce_status_transition() returns trigger language plpgsql as $$
declare
  old_status text := old.document ->> 'status';
  new_status text := new.document ->> 'status';
begin
  if old_status is distinct from new_status and not (
       (old_status = 'pending'   and new_status in ('active', 'terminated'))
    or (old_status = 'active'    and new_status in ('suspended', 'terminated'))
    or (old_status = 'suspended' and new_status in ('active', 'terminated'))
  ) then
    raise exception 'tenant % cannot move from % to %', old.tenant_id, old_status, new_status
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  if old_status = 'terminated' then
    raise exception 'tenant % is terminated; terminated tenants are final', old.tenant_id
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  return new;
end $$;

create trigger tenants_status_transition before update on tenancy.tenants
  for each row execute function tenancy.enforce_status_transition();

-- Termination is soft: the application may not delete tenants.
grant select, insert, update on tenancy.tenants to platforma_app;

alter table tenancy.tenants enable row level security;
alter table tenancy.tenants force row level security;
create policy tenant_isolation on tenancy.tenants
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');
