-- Identity's part of each tenant's document (authentication settings, identity providers) is cached
-- for tenant reads; a change to either table empties the cache in every process (kernel change feed).
create trigger tenant_authentication_settings_rows_changed after insert or update or delete or truncate on identity.tenant_authentication_settings
  for each statement execute function kernel.notify_rows_changed();
create trigger tenant_identity_providers_rows_changed after insert or update or delete or truncate on identity.tenant_identity_providers
  for each statement execute function kernel.notify_rows_changed();
