-- What an operator inspecting a run needs of its steps (GET /api/v1/operations/workflows/{id},
-- `platforma workflows show`): until now only a step that completed had a row. A step that fails its
-- last retry is recorded too (failed: its attempts, its last error, when), and a step whose
-- compensation fails its last retry keeps its row as compensation_failed with that error.
alter table kernel.workflow_steps alter column completed_at drop not null;
alter table kernel.workflow_steps add column error text;
alter table kernel.workflow_steps add column failed_at timestamptz;
alter table kernel.workflow_steps drop constraint workflow_steps_status_check;
alter table kernel.workflow_steps add constraint workflow_steps_status_check check (status in ('completed', 'compensated', 'failed', 'compensation_failed'));
-- A failed step never completed; every other one did. A failure has its error and its time.
alter table kernel.workflow_steps add constraint workflow_steps_outcome_check check (
  (status = 'failed') = (completed_at is null)
  and (status not in ('failed', 'compensation_failed') or (error is not null and failed_at is not null))
);

-- The operators' lists: newest first, of one status or of one workflow.
create index workflow_runs_by_status on kernel.workflow_runs (status, id);
create index workflow_runs_by_workflow on kernel.workflow_runs (workflow, id);
