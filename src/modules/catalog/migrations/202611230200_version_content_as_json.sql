-- A version's content keeps the operator's own key order (jsonb sorts keys), so forms generated
-- from a configuration schema list the fields in the order the schema declares them. Nothing
-- queries inside the content, so json loses nothing; equality is compared as text.
drop trigger product_versions_guard on catalog.product_versions;
alter table catalog.product_versions drop constraint product_versions_content_check;
alter table catalog.product_versions alter column content type json using content::json;
alter table catalog.product_versions add constraint product_versions_content_check check (json_typeof(content) = 'object');

create or replace function catalog.guard_version() returns trigger language plpgsql as $$
begin
  if old.status <> 'draft' and new.content::text is distinct from old.content::text then
    raise exception 'version % of product % is %; its content can no longer change', old.version, old.product_id, old.status
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  if old.status is distinct from new.status and not (
       (old.status = 'draft' and new.status = 'published')
    or (old.status = 'published' and new.status = 'retired')
  ) then
    raise exception 'version % of product % cannot move from % to %', old.version, old.product_id, old.status, new.status
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  return new;
end $$;
create trigger product_versions_guard before update on catalog.product_versions
  for each row execute function catalog.guard_version();
