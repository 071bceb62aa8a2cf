-- Products with their versions are cached for ordering and previews; changes to them empty the
-- cache. Taking or returning stock (capacity_used alone) does not: it changes on every order of a
-- stock-limited product, and the stock check is a conditional update that never reads the cache.
create trigger products_rows_changed after insert or delete or truncate on catalog.products
  for each statement execute function kernel.notify_rows_changed();
create trigger products_rows_updated after update of product_id, code, kind, name, description, category, images, visibility, capacity, archived on catalog.products
  for each statement execute function kernel.notify_rows_changed();
create trigger product_versions_rows_changed after insert or update or delete or truncate on catalog.product_versions
  for each statement execute function kernel.notify_rows_changed();
