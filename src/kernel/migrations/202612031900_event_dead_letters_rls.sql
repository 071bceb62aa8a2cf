-- A dead letter names the tenant of its event, so it is held to that tenant like the outbox row it
-- came from: visible in the tenant's own scope or in platform scope (the workers, platform staff).
alter table kernel.event_dead_letters enable row level security;
alter table kernel.event_dead_letters force row level security;
create policy tenant_isolation on kernel.event_dead_letters
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');
