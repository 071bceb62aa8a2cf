-- Change orders: an order whose document names the item of an earlier order it changes
-- (document.changeOf = { orderId, itemId, kind }). Before a change is accepted, the live change order
-- of the same item is looked up (there may be at most one); this index answers that without reading
-- the tenant's other orders. Ordinary orders have no changeOf and stay out of it.
create index orders_change_of on orders.orders (tenant_id, (document -> 'changeOf' ->> 'orderId'), (document -> 'changeOf' ->> 'itemId'))
  where document ? 'changeOf';
