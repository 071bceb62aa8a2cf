-- The status machine is now checked on the timeline, edge by edge, and the order row may only show
-- the status its timeline ends at. A submission records submitted → awaiting_payment →
-- provisioning as three timeline entries but writes the order row once; checking each row update
-- against one edge would force three writes of the row. The guarantee is stronger than before: every
-- recorded step is a legal edge (the timeline is append-only for the application), and the row
-- cannot disagree with it.
create function orders.is_status_edge(from_status text, to_status text) returns boolean
  language sql immutable as $$
  select (from_status = 'draft'            and to_status in ('submitted', 'cancelled'))
      or (from_status = 'submitted'        and to_status in ('pending_approval', 'awaiting_payment', 'cancelled', 'failed'))
      or (from_status = 'pending_approval' and to_status in ('awaiting_payment', 'cancelled'))
      or (from_status = 'awaiting_payment' and to_status in ('provisioning', 'cancelled'))
      or (from_status = 'provisioning'     and to_status in ('fulfilled', 'failed'))
$$;

-- Each timeline entry continues the one before it (rows inserted earlier in the same statement are
-- visible here, so one multi-row insert of a whole path is checked step by step).
create function orders.enforce_timeline_edge() returns trigger language plpgsql as $$
declare
  previous orders.order_timeline%rowtype;
begin
  select * into previous from orders.order_timeline where order_id = new.order_id order by seq desc limit 1;
  if not found then
    if new.status <> 'draft' or new.seq <> 1 then
      raise exception 'the timeline of order % must start with draft at 1, not % at %', new.order_id, new.status, new.seq
        using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
    end if;
  elsif new.seq <> previous.seq + 1 then
    raise exception 'the timeline of order % continues at %, not %', new.order_id, previous.seq + 1, new.seq
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  elsif not orders.is_status_edge(previous.status, new.status) then
    raise exception 'order % cannot move from % to %', new.order_id, previous.status, new.status
      using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
  end if;
  return new;
end $$;
create trigger order_timeline_edge before insert on orders.order_timeline
  for each row execute function orders.enforce_timeline_edge();
revoke update on orders.order_timeline from platforma_app;

create or replace function orders.enforce_status_transition() returns trigger language plpgsql as $$
declare
  latest text;
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
  if old.status is distinct from new.status then
    select status into latest from orders.order_timeline where order_id = new.order_id order by seq desc limit 1;
    if latest is distinct from new.status then
      raise exception 'order % cannot move from % to %: its timeline ends at %', old.order_id, old.status, new.status, coalesce(latest, 'nothing')
        using errcode = 'P0001', hint = 'PLAT_INVALID_TRANSITION';
    end if;
  end if;
  return new;
end $$;
drop trigger orders_status_transition on orders.orders;
create trigger orders_status_transition before insert or update on orders.orders
  for each row execute function orders.enforce_status_transition();
