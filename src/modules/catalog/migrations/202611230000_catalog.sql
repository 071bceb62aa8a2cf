-- The catalog: products, their versions and coupons. Platform-level data (the operator's catalog):
-- no tenant_id, so no row-level security; who may see a product is decided by the service from its
-- visibility. A published version is immutable, enforced here as well as in the service, because
-- orders and subscriptions pin it and must never see it change.
create schema catalog;
grant usage on schema catalog to platforma_app;

create table catalog.products (
  product_id     text        primary key check (product_id ~ '^prd_[0-9a-hjkmnp-tv-z]{26}$'),
  code           text        not null unique check (code ~ '^[a-z0-9][a-z0-9-]{1,62}$'),
  kind           text        not null check (kind in ('platform_instance', 'compute', 'storage', 'network', 'dns_zone', 'addon', 'service')),
  name           text        not null check (length(name) between 1 and 200),
  description    text        not null default '',
  category       text        not null,
  images         jsonb       not null default '[]' check (jsonb_typeof(images) = 'array'),
  visibility     jsonb       not null check (visibility ->> 'mode' in ('public', 'tiers', 'private')),
  -- Stock: units sold in all may never exceed the capacity (null = unlimited).
  capacity       integer     check (capacity >= 0),
  capacity_used  integer     not null default 0 check (capacity_used >= 0),
  archived       boolean     not null default false,
  created_at     timestamptz not null,
  updated_at     timestamptz not null,
  check (capacity is null or capacity_used <= capacity)
);
create index products_category on catalog.products (category, product_id) where not archived;
create index products_name on catalog.products (lower(name));

create table catalog.product_versions (
  product_id    text        not null references catalog.products,
  version       integer     not null check (version > 0),
  status        text        not null default 'draft' check (status in ('draft', 'published', 'retired')),
  content       jsonb       not null check (jsonb_typeof(content) = 'object'),
  created_at    timestamptz not null,
  published_at  timestamptz,
  retired_at    timestamptz,
  primary key (product_id, version),
  check ((status = 'draft') = (published_at is null)),
  check ((status = 'retired') = (retired_at is not null))
);
-- The newest published version is what customers order; find it fast.
create index product_versions_published on catalog.product_versions (product_id, version desc) where status = 'published';

create function catalog.guard_version() returns trigger language plpgsql as $$
begin
  if old.status <> 'draft' and new.content is distinct from old.content then
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

create table catalog.coupons (
  coupon_id        text        primary key check (coupon_id ~ '^cpn_[0-9a-hjkmnp-tv-z]{26}$'),
  code             text        not null unique check (code ~ '^[A-Z0-9][A-Z0-9_-]{2,39}$'),
  name             text        not null,
  discount         jsonb       not null check (discount ->> 'type' in ('percent', 'amount')),
  duration         jsonb       not null check (duration ->> 'type' in ('once', 'repeating', 'forever')),
  expires_at       timestamptz,
  max_redemptions  integer     check (max_redemptions > 0),
  redemptions      integer     not null default 0 check (redemptions >= 0),
  product_ids      text[]      not null default '{}',
  archived         boolean     not null default false,
  created_at       timestamptz not null,
  check (max_redemptions is null or redemptions <= max_redemptions)
);

grant select, insert, update on catalog.products, catalog.product_versions, catalog.coupons to platforma_app;
-- Drafts may be discarded; published and retired versions stay for the orders that pin them.
grant delete on catalog.product_versions to platforma_app;
create function catalog.guard_version_delete() returns trigger language plpgsql as $$
begin
  if old.status <> 'draft' then
    raise exception 'version % of product % is %; only drafts can be deleted', old.version, old.product_id, old.status
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  return old;
end $$;
create trigger product_versions_delete_guard before delete on catalog.product_versions
  for each row execute function catalog.guard_version_delete();
