-- People across tenants: a user belongs to several tenants, with one role in each. Roles are the
-- built-in ones (defined in code) or custom roles a tenant defines (policies as JSON). Platform
-- staff have a platform role on the user itself.
alter table identity.users drop constraint users_platform_role_check;
alter table identity.users add constraint users_platform_role_check
  check (platform_role in ('platform-admin', 'operator', 'support', 'billing-operator', 'read-only'));
alter table identity.users add column email_verified_at timestamptz;
alter table identity.users add column password_changed_at timestamptz;
-- Accounts that only ever sign in through their tenant's identity provider have no password.
alter table identity.users alter column password_hash drop not null;

create table identity.memberships (
  tenant_id  text        not null,
  user_id    text        not null references identity.users (id),
  role       text        not null,               -- a built-in role name, or a custom role id (role_…)
  created_at timestamptz not null,
  primary key (tenant_id, user_id)
);
create index memberships_user on identity.memberships (user_id);
grant select, insert, update, delete on identity.memberships to platforma_app;
alter table identity.memberships enable row level security;
alter table identity.memberships force row level security;
create policy tenant_isolation on identity.memberships
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

create table identity.roles (
  tenant_id   text        not null,
  id          text        not null check (id ~ '^role_[0-9a-hjkmnp-tv-z]{26}$'),
  name        text        not null check (length(name) between 1 and 64),
  description text        not null default '',
  statements  jsonb       not null check (jsonb_typeof(statements) = 'array'),
  created_at  timestamptz not null,
  updated_at  timestamptz not null,
  primary key (tenant_id, id),
  unique (tenant_id, name)
);
grant select, insert, update, delete on identity.roles to platforma_app;
alter table identity.roles enable row level security;
alter table identity.roles force row level security;
create policy tenant_isolation on identity.roles
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

-- The tenant a session is currently working in (switchable without signing in again), and when the
-- session completed MFA. Sessions belong to a user, not to a tenant: this is a pointer.
alter table identity.sessions add column active_tenant_id text;
alter table identity.sessions add column mfa_verified_at timestamptz;
create index sessions_active_tenant on identity.sessions (active_tenant_id, user_id) where revoked_at is null;
