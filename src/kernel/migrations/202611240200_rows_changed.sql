-- Row caches (src/kernel/db/change-feed.ts) hear about changes to the tables they read from: a
-- statement-level trigger on such a table notifies `platforma_rows_changed` with the table's name.
-- NOTIFY is delivered at commit and folds duplicates within a transaction, so a statement that
-- touches a thousand rows sends one notification.
create function kernel.notify_rows_changed() returns trigger language plpgsql as $$
begin
  perform pg_notify('platforma_rows_changed', tg_table_schema || '.' || tg_table_name);
  return null;
end $$;
