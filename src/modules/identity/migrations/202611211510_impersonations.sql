-- Impersonation: platform staff (support, platform-admin) act as a tenant user, with a stated
-- reason, for a limited time. The staff member's own session carries the impersonation (so ending
-- it returns them to themselves without signing in again); every request in it runs as the user,
-- with the impersonator recorded in each audit entry.
create table identity.impersonations (
  tenant_id      text        not null,
  id             text        not null unique check (id ~ '^imp_[0-9a-hjkmnp-tv-z]{26}$'),
  staff_user_id  text        not null references identity.users (id),
  user_id        text        not null references identity.users (id),
  session_id     text        not null references identity.sessions (id),
  reason         text        not null check (length(reason) between 3 and 500),
  started_at     timestamptz not null,
  expires_at     timestamptz not null,
  ended_at       timestamptz,
  primary key (tenant_id, id),
  check (staff_user_id <> user_id)
);
create index impersonations_staff on identity.impersonations (staff_user_id, started_at);
grant select, insert on identity.impersonations to platforma_app;
grant update (ended_at) on identity.impersonations to platforma_app;
alter table identity.impersonations enable row level security;
alter table identity.impersonations force row level security;
create policy tenant_isolation on identity.impersonations
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

alter table identity.sessions add column impersonation_id text references identity.impersonations (id);
