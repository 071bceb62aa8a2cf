-- A message written in answer to an event (an order's mails) carries a key made of the event's id
-- and the recipient: a second delivery of the same event finds the key taken and queues nothing, so
-- nobody gets the same mail twice even if the event reaches its handler again (at-least-once
-- delivery). Messages without a key (invitations, resets) are unaffected: NULLs never collide.
alter table notifications.outgoing_mail
  add column dedup_key text check (length(dedup_key) between 1 and 500),
  add constraint outgoing_mail_dedup_key unique (dedup_key);
-- The application role inserts whole rows (its table-wide INSERT covers the new column) and may
-- still update only the delivery columns: the key never changes.
