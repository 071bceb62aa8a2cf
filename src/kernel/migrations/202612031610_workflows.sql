-- Workflows (kernel/workflow.ts): a run of a declared sequence of steps, its progress persisted after
-- each step so that any worker can carry it on after the process that ran it died. A run is leased
-- to one worker while a step runs (lease_owner, lease_until, renewed by a heartbeat); a lease that
-- ran out belongs to a dead process, and the run is queued again.
create table kernel.workflow_runs (
  id              text        primary key,        -- wfr_…
  workflow        text        not null,
  idempotency_key text        not null,
  input           jsonb       not null,
  status          text        not null check (status in ('running', 'completed', 'failed', 'compensating', 'compensated')),
  -- running: the next step to run; compensating: the next completed step to undo (counting down).
  step            integer     not null,
  error           text,
  lease_owner     text,
  lease_until     timestamptz,
  created_at      timestamptz not null,
  updated_at      timestamptz not null,
  unique (workflow, idempotency_key)
);
create index workflow_runs_unfinished on kernel.workflow_runs (lease_until) where status in ('running', 'compensating');
grant select, insert, update on kernel.workflow_runs to platforma_app;

-- One row per step that completed, with what it returned (its compensation's input).
create table kernel.workflow_steps (
  run_id         text        not null references kernel.workflow_runs (id),
  seq            integer     not null check (seq >= 0),
  name           text        not null,
  status         text        not null check (status in ('completed', 'compensated')),
  output         jsonb,
  attempts       integer     not null check (attempts > 0),
  completed_at   timestamptz not null,
  compensated_at timestamptz,
  primary key (run_id, seq)
);
grant select, insert, update on kernel.workflow_steps to platforma_app;
