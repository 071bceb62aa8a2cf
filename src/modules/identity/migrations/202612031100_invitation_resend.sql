-- Resending an invitation mails a fresh link (the previous one stops working: its hash is
-- replaced) and gives it a new expiry; the list says when it was last sent and how many times.
-- The inviter is also kept as an account id, so member screens can show the inviter's name
-- (invited_by stays the email or label it was sent under).
alter table identity.invitations
  add column invited_by_user_id text,
  add column last_sent_at timestamptz,
  add column send_count integer not null default 1 check (send_count >= 1);

-- The table forces row-level security: the backfill reads and writes in platform scope.
select set_config('app.platform_scope', 'on', true);
update identity.invitations set last_sent_at = created_at;
update identity.invitations i set invited_by_user_id = u.id from identity.users u where u.email = i.invited_by;
alter table identity.invitations alter column last_sent_at set not null;
