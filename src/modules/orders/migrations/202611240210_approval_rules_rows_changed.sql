-- The enabled approval rules are cached for submissions; any change to them empties the cache.
create trigger approval_rules_rows_changed after insert or update or delete or truncate on orders.approval_rules
  for each statement execute function kernel.notify_rows_changed();
