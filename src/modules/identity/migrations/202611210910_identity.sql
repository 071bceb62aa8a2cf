-- Identity, first cut: platform staff accounts and server-side sessions. Tenant users, API keys and
-- OAuth clients arrive with the identity issue. Session tokens are stored only as SHA-256 hashes,
-- so a copy of this table signs no one in.
create schema identity;
grant usage on schema identity to platforma_app;

create table identity.users (
  id             text        primary key,
  email          text        not null,
  password_hash  text        not null,
  platform_role  text        check (platform_role in ('platform-admin')),
  created_at     timestamptz not null,
  updated_at     timestamptz not null,
  check (email = lower(email) and email like '%_@_%')
);
create unique index users_email on identity.users (email);
grant select, insert, update on identity.users to platforma_app;

create table identity.sessions (
  id            text        primary key,
  token_hash    text        not null unique,
  csrf_token    text        not null,
  user_id       text        not null references identity.users (id),
  created_at    timestamptz not null,
  expires_at    timestamptz not null,
  last_seen_at  timestamptz not null,
  revoked_at    timestamptz,
  user_agent    text,
  source_ip     text
);
create index sessions_user on identity.sessions (user_id) where revoked_at is null;
grant select, insert, update, delete on identity.sessions to platforma_app;
