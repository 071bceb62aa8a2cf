-- Orders: a tenant's carts and orders (JSONB documents beside the columns that are indexed and
-- constrained), their timeline, what their live orders reserve of the tenant's quotas, and the
-- operators' approval rules. Tenant tables are under forced row-level security.
create schema orders;
grant usage on schema orders to platforma_app;

create table orders.orders (
  order_id      text        primary key check (order_id ~ '^ord_[0-9a-hjkmnp-tv-z]{26}$'),
  tenant_id     text        not null check (tenant_id ~ '^ten_[0-9a-hjkmnp-tv-z]{26}$'),
  status        text        not null default 'draft'
                            check (status in ('draft', 'submitted', 'pending_approval', 'awaiting_payment', 'provisioning', 'fulfilled', 'failed', 'cancelled')),
  currency      text        not null check (currency ~ '^[A-Z]{3}$'),
  document      jsonb       not null check (jsonb_typeof(document) = 'object'),
  created_by    text,
  created_at    timestamptz not null,
  updated_at    timestamptz not null,
  submitted_at  timestamptz
);
create index orders_tenant on orders.orders (tenant_id, order_id desc);
create index orders_status on orders.orders (status, order_id desc);

-- The status machine, enforced by the database as well as by the service.
create function orders.enforce_status_transition() returns trigger language plpgsql as $$
begin
  if old.status is distinct from new.status and not (
       (old.status = 'draft'            and new.status in ('submitted', 'cancelled'))
    or (old.status = 'submitted'        and new.status in ('pending_approval', 'awaiting_payment', 'cancelled', 'failed'))
    or (old.status = 'pending_approval' and new.status in ('awaiting_payment', 'cancelled'))
    or (old.status = 'awaiting_payment' and new.status in ('provisioning', 'cancelled'))
    or (old.status = 'provisioning'     and new.status in ('fulfilled', 'failed'))
  ) then
    raise exception 'order % cannot move from % to %', old.order_id, old.status, new.status
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  if old.status in ('fulfilled', 'failed', 'cancelled') and new is distinct from old then
    raise exception 'order % is %; it can no longer change', old.order_id, old.status
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  return new;
end $$;
create trigger orders_status_transition before update on orders.orders
  for each row execute function orders.enforce_status_transition();

create table orders.order_timeline (
  order_id   text        not null references orders.orders,
  tenant_id  text        not null,
  seq        integer     not null,
  status     text        not null,
  actor_id   text,
  reason     text,
  at         timestamptz not null,
  primary key (order_id, seq)
);

-- What the tenant's live orders (submitted through fulfilled) hold of each quota. A row per
-- (tenant, quota) is the lock two concurrent submissions queue on.
create table orders.quota_reservations (
  tenant_id  text    not null,
  quota      text    not null,
  reserved   bigint  not null default 0 check (reserved >= 0),
  primary key (tenant_id, quota)
);

create table orders.approval_rules (
  rule_id     text        primary key check (rule_id ~ '^apr_[0-9a-hjkmnp-tv-z]{26}$'),
  name        text        not null,
  condition   jsonb       not null check (condition ->> 'type' in ('total_above', 'products', 'quantity_above')),
  enabled     boolean     not null default true,
  created_at  timestamptz not null
);

grant select, insert, update on orders.orders, orders.order_timeline, orders.quota_reservations to platforma_app;
grant select, insert, update, delete on orders.approval_rules to platforma_app;

alter table orders.orders enable row level security;
alter table orders.orders force row level security;
create policy tenant_isolation on orders.orders
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

alter table orders.order_timeline enable row level security;
alter table orders.order_timeline force row level security;
create policy tenant_isolation on orders.order_timeline
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

alter table orders.quota_reservations enable row level security;
alter table orders.quota_reservations force row level security;
create policy tenant_isolation on orders.quota_reservations
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');
