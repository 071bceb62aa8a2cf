-- A delivery (event, handler) whose last retry failed is kept here as dead, with how often it was
-- tried and its last error, until an operator replays it (replayed_at). Written outside the
-- handler's transaction (that one rolled back with the failure), by the delivery worker's failure
-- path. One row per (event, handler): a replay that dies again makes the same row dead again.
-- Platform-level, like event_deliveries: only the system's workers and platform staff reach it.
create table kernel.event_dead_letters (
  id           text        primary key,            -- dlq_…
  event_id     text        not null,
  handler      text        not null,
  event_type   text        not null,
  tenant_id    text,
  attempts     integer     not null check (attempts > 0),
  last_error   text        not null,
  failed_at    timestamptz not null,
  replayed_at  timestamptz,
  replayed_by  text,
  unique (event_id, handler)
);
create index event_dead_letters_dead on kernel.event_dead_letters (id) where replayed_at is null;
grant select, insert, update on kernel.event_dead_letters to platforma_app;
