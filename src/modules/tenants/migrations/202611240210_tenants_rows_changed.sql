-- A tenant's ordering profile (status, tier, quotas) is cached; any change to tenants empties it.
create trigger tenants_rows_changed after insert or update or delete or truncate on tenancy.tenants
  for each statement execute function kernel.notify_rows_changed();
