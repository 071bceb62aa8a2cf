-- Kernel tables: audit chains, the transactional outbox, event deliveries, idempotency keys.
-- Row-level security: a row with a tenant_id is visible only inside that tenant's context
-- (app.tenant_id) or in platform scope (app.platform_scope = 'on', set for platform staff and
-- the system's own workers). With neither set, nothing tenant-owned is visible.
create schema kernel;
grant usage on schema kernel to platforma_app;

create table kernel.audit_entries (
  chain        text        not null,            -- the tenant id, or 'platform'
  seq          bigint      not null check (seq > 0),
  id           text        not null unique,
  tenant_id    text,                            -- null on the platform chain
  occurred_at  timestamptz not null,
  actor_type   text        not null,
  actor_id     text        not null,
  actor_label  text,
  action       text        not null,
  target_type  text        not null,
  target_id    text        not null,
  before       jsonb,
  after        jsonb,
  request_id   text,
  source_ip    text,
  prev_hash    text        not null,
  hash         text        not null,
  primary key (chain, seq),
  check ((chain = 'platform') = (tenant_id is null)),
  check (tenant_id is null or chain = tenant_id)
);
create index audit_entries_target on kernel.audit_entries (target_type, target_id, seq);

-- The last link of each chain. Locking this row serialises appends to one chain only, and it
-- lets verification notice entries deleted from the end of a chain.
create table kernel.audit_chain_heads (
  chain     text   primary key,
  tenant_id text,
  seq       bigint not null,
  hash      text   not null
);

-- Append-only for the application: no UPDATE or DELETE on entries.
grant select, insert on kernel.audit_entries to platforma_app;
grant select, insert, update on kernel.audit_chain_heads to platforma_app;

alter table kernel.audit_entries enable row level security;
alter table kernel.audit_entries force row level security;
create policy tenant_isolation on kernel.audit_entries
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');
alter table kernel.audit_chain_heads enable row level security;
alter table kernel.audit_chain_heads force row level security;
create policy tenant_isolation on kernel.audit_chain_heads
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

create table kernel.outbox (
  id            text        primary key,        -- evt_…, sortable
  tenant_id     text,
  type          text        not null,
  payload       jsonb       not null,
  actor_id      text,
  request_id    text,
  occurred_at   timestamptz not null,
  dispatched_at timestamptz
);
create index outbox_undispatched on kernel.outbox (id) where dispatched_at is null;
grant select, insert, update, delete on kernel.outbox to platforma_app;
alter table kernel.outbox enable row level security;
alter table kernel.outbox force row level security;
create policy tenant_isolation on kernel.outbox
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

-- One row per (event, handler) delivered: written in the handler's transaction, so a redelivered
-- event is recognised and skipped (at-least-once delivery, effectively-once effects).
create table kernel.event_deliveries (
  event_id     text        not null,
  handler      text        not null,
  delivered_at timestamptz not null default now(),
  primary key (event_id, handler)
);
grant select, insert, delete on kernel.event_deliveries to platforma_app;

-- Idempotency-Key records, per authenticated principal.
create table kernel.idempotency_keys (
  principal        text        not null,
  key              text        not null,
  request_hash     text        not null,
  method           text        not null,
  path             text        not null,
  status_code      integer,                      -- null while the first request is in flight
  response_headers jsonb,
  response_body    text,
  locked_until     timestamptz not null,
  created_at       timestamptz not null default now(),
  primary key (principal, key)
);
grant select, insert, update, delete on kernel.idempotency_keys to platforma_app;
