-- An order's steps and its row are now written by one statement (the steps in a WITH clause), whose
-- row trigger cannot see the steps yet. So the rule "the row shows the status its timeline ends at"
-- is checked when the transaction commits, by a deferred constraint trigger; the BEFORE trigger
-- keeps what needs no timeline (a new order is a draft; a finished order never changes), and each
-- step is still checked against the one before it as it is inserted.
create or replace function orders.enforce_status_transition() returns trigger language plpgsql as $$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'draft' then
      raise exception 'order % must start as a draft, not %', new.order_id, new.status
        using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
    end if;
    return new;
  end if;
  if old.status in ('fulfilled', 'failed', 'cancelled') and new is distinct from old then
    raise exception 'order % is %; it can no longer change', old.order_id, old.status
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  return new;
end $$;

create function orders.check_status_matches_timeline() returns trigger language plpgsql as $$
declare
  current_status text;
  latest text;
begin
  -- The row as it is at commit (several updates in one transaction are checked once each, against the end state).
  select status into current_status from orders.orders where order_id = new.order_id;
  select status into latest from orders.order_timeline where order_id = new.order_id order by seq desc limit 1;
  if latest is distinct from current_status then
    raise exception 'order % cannot move to %: its timeline ends at %', new.order_id, current_status, coalesce(latest, 'nothing')
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  return null;
end $$;
create constraint trigger orders_status_matches_timeline after update of status on orders.orders
  deferrable initially deferred
  for each row when (old.status is distinct from new.status)
  execute function orders.check_status_matches_timeline();
