-- The OAuth 2.0 / OpenID Connect authorization server (oidc-provider). Three tables:
-- - oauth_clients: registered clients, each belonging to one tenant (RLS like every tenant table).
--   The secret is stored only as a SHA-256 hash (secrets are 256 random bits, so a fast hash is
--   enough); a copy of the table authenticates no client.
-- - oauth_payloads: everything oidc-provider persists (grants, codes, tokens, sessions,
--   interactions), one row per model and id, shared by every replica. Not tenant data by itself:
--   rows are keyed by random ids the provider hands out.
-- - oauth_keys: the provider's signing keys and cookie keys, generated on first start (see
--   docs/adr/0005-oauth-signing-keys.md): readable only by the owner and the application role.
create table identity.oauth_clients (
  tenant_id     text        not null,
  id            text        not null check (id ~ '^oac_[0-9a-hjkmnp-tv-z]{26}$'),
  name          text        not null check (length(name) between 1 and 100),
  grant_type    text        not null check (grant_type in ('client_credentials', 'authorization_code')),
  redirect_uris jsonb       not null default '[]' check (jsonb_typeof(redirect_uris) = 'array'),
  scopes        jsonb       not null check (jsonb_typeof(scopes) = 'array'),
  role          text        not null,  -- client credentials: the role its tokens act with
  secret_hash   text        not null,
  created_at    timestamptz not null,
  created_by    text        not null,
  primary key (id),
  unique (tenant_id, id)
);
grant select, insert, delete on identity.oauth_clients to platforma_app;
alter table identity.oauth_clients enable row level security;
alter table identity.oauth_clients force row level security;
create policy tenant_isolation on identity.oauth_clients
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

create table identity.oauth_payloads (
  model       text        not null,
  id          text        not null,
  payload     jsonb       not null,
  grant_id    text,
  uid         text,
  user_code   text,
  expires_at  timestamptz,
  consumed_at timestamptz,
  primary key (model, id)
);
create index oauth_payloads_grant on identity.oauth_payloads (grant_id) where grant_id is not null;
create index oauth_payloads_uid on identity.oauth_payloads (uid) where uid is not null;
create index oauth_payloads_user_code on identity.oauth_payloads (user_code) where user_code is not null;
create index oauth_payloads_expires on identity.oauth_payloads (expires_at) where expires_at is not null;
create index oauth_payloads_client on identity.oauth_payloads ((payload ->> 'clientId'));
grant select, insert, update, delete on identity.oauth_payloads to platforma_app;

create table identity.oauth_keys (
  kid        text        primary key,
  purpose    text        not null check (purpose in ('signing', 'cookie')),
  material   jsonb       not null,   -- a private JWK (signing) or {"secret": …} (cookie)
  created_at timestamptz not null
);
revoke all on identity.oauth_keys from public;
grant select, insert on identity.oauth_keys to platforma_app;
