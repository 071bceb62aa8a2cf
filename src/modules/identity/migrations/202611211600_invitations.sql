-- Invitations: an emailed, expiring, single-use link to join a tenant with a role. Accepting creates
-- the account or adds the membership. Only the token's SHA-256 hash is kept.
create table identity.invitations (
  tenant_id    text        not null,
  id           text        not null check (id ~ '^ivt_[0-9a-hjkmnp-tv-z]{26}$'),
  email        text        not null check (email = lower(email)),
  role         text        not null,
  token_hash   text        not null unique,
  invited_by   text        not null,
  created_at   timestamptz not null,
  expires_at   timestamptz not null,
  accepted_at  timestamptz,
  accepted_by  text,
  revoked_at   timestamptz,
  primary key (tenant_id, id),
  check (accepted_at is null or revoked_at is null)
);
-- One open invitation per person and tenant: inviting again replaces the link.
create unique index invitations_open on identity.invitations (tenant_id, email) where accepted_at is null and revoked_at is null;
grant select, insert, update on identity.invitations to platforma_app;
alter table identity.invitations enable row level security;
alter table identity.invitations force row level security;
create policy tenant_isolation on identity.invitations
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');
