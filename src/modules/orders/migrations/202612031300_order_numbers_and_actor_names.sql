-- Human-readable order numbers and the names of the people in an order's timeline.
--
-- Numbers: a per-tenant sequence, like invoice numbers ("ORD-000042"), given when an order is
-- submitted (placed), not when a cart is started: carts come and go, and numbering them would leave
-- gaps in the tenant's list of real orders. The number is taken from the tenant's row in
-- orders.order_numbers by the same statement that writes the submission (an upsert that locks the
-- row until commit), so concurrent submissions of one tenant queue on it and get consecutive numbers;
-- a submission that rolls back gives its number back with everything else, so the sequence has no
-- gaps. The ULID stays the order's id in the API. Drafts (and carts cancelled before submission)
-- have no number.
--
-- Names: each timeline step keeps the name its actor had at the time (display name, else email),
-- written with the step, so timelines never show user ids and no other module's tables are read.
-- Steps written before this migration have no name (shown without one).
-- The backfill below must see every tenant's rows whatever role runs migrations.
select set_config('app.platform_scope', 'on', true);

alter table orders.orders add column number bigint check (number is null or number > 0);
create unique index orders_tenant_number on orders.orders (tenant_id, number) where number is not null;
create index orders_number on orders.orders (number) where number is not null;

create table orders.order_numbers (
  tenant_id    text   primary key check (tenant_id ~ '^ten_[0-9a-hjkmnp-tv-z]{26}$'),
  last_number  bigint not null check (last_number > 0)
);
grant select, insert, update on orders.order_numbers to platforma_app;
alter table orders.order_numbers enable row level security;
alter table orders.order_numbers force row level security;
create policy tenant_isolation on orders.order_numbers
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');

alter table orders.order_timeline add column actor_name text check (actor_name is null or char_length(actor_name) between 1 and 320);

-- Backfill: every order that was ever submitted gets its number in the order of submission. Finished
-- orders may never change (the status trigger), so the trigger is off for this one update.
alter table orders.orders disable trigger orders_status_transition;
update orders.orders o set number = numbered.n
  from (select order_id, row_number() over (partition by tenant_id order by submitted_at, order_id) as n
          from orders.orders where submitted_at is not null) numbered
  where o.order_id = numbered.order_id;
alter table orders.orders enable trigger orders_status_transition;
insert into orders.order_numbers (tenant_id, last_number)
  select tenant_id, max(number) from orders.orders where number is not null group by tenant_id;
