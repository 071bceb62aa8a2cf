-- API keys: service keys act for a tenant with a role; personal keys act as their user in one of
-- the user's tenants with the user's membership role. Both may be narrowed by scopes. Only a
-- SHA-256 hash of the whole key is stored (the secret has 256 bits of randomness, so a slow hash
-- adds nothing), plus its public prefix so people can recognise a key they hold.
create table identity.api_keys (
  tenant_id    text        not null,
  id           text        not null check (id ~ '^key_[0-9a-hjkmnp-tv-z]{26}$'),
  user_id      text        references identity.users (id),       -- null: a service key
  role         text,                                             -- service keys: built-in role or custom role id
  name         text        not null check (length(name) between 1 and 100),
  prefix       text        not null unique check (prefix ~ '^[0-9a-z]{8}$'),
  secret_hash  text        not null unique check (secret_hash ~ '^[0-9a-f]{64}$'),
  scopes       text[],                                           -- null: no narrowing beyond the role
  expires_at   timestamptz,
  last_used_at timestamptz,
  created_by   text        not null,
  created_at   timestamptz not null,
  revoked_at   timestamptz,
  primary key (tenant_id, id),
  check ((user_id is null) = (role is not null))
);
create index api_keys_user on identity.api_keys (user_id) where user_id is not null;
grant select, insert, update on identity.api_keys to platforma_app;
alter table identity.api_keys enable row level security;
alter table identity.api_keys force row level security;
create policy tenant_isolation on identity.api_keys
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

-- Servers cache resolved credentials (sessions and keys → principals) for a few seconds. Any change
-- that can alter what a credential resolves to announces itself here, in the changing transaction,
-- so every server drops its cache when it commits: revocation, role and membership changes apply
-- on the next request. Bookkeeping columns (last_seen_at, last_used_at) do not count.
create function identity.announce_principal_change() returns trigger
  language plpgsql as $$
begin
  if tg_op = 'UPDATE' and (to_jsonb(old) - 'last_seen_at' - 'last_used_at') = (to_jsonb(new) - 'last_seen_at' - 'last_used_at') then
    return null;
  end if;
  perform pg_notify('identity_principals_changed', tg_table_name);
  return null;
end;
$$;

create trigger announce_principal_change after update or delete on identity.sessions
  for each row execute function identity.announce_principal_change();
create trigger announce_principal_change after insert or update or delete on identity.memberships
  for each row execute function identity.announce_principal_change();
create trigger announce_principal_change after update or delete on identity.roles
  for each row execute function identity.announce_principal_change();
create trigger announce_principal_change after update or delete on identity.users
  for each row execute function identity.announce_principal_change();
create trigger announce_principal_change after update or delete on identity.api_keys
  for each row execute function identity.announce_principal_change();
