-- Outgoing mail. A message is written in the same transaction as the change that causes it
-- (an invitation, a password reset), together with its delivery job, so it is sent exactly when
-- that change commits. Bodies carry secrets (invitation and reset links): the table has row-level
-- security like every tenant table, and the application may change only the delivery columns.
create schema notifications;
grant usage on schema notifications to platforma_app;

create table notifications.outgoing_mail (
  id          text        primary key check (id ~ '^mail_[0-9a-hjkmnp-tv-z]{26}$'),
  -- null for mail that belongs to no tenant (platform staff, a user's own account)
  tenant_id   text        check (tenant_id ~ '^ten_[0-9a-hjkmnp-tv-z]{26}$'),
  "to"        text        not null check (length("to") between 3 and 320 and "to" ~ '^[^\s<>@]+@[^\s<>@]+$'),
  -- one header line: no CR/LF, at most RFC 5322's 998 characters
  subject     text        not null check (length(subject) between 1 and 998 and subject !~ '[\r\n]'),
  text        text        not null,
  html        text,
  -- what the mail is for (identity.invitation, identity.password_reset …): for filtering and support
  purpose     text        not null check (purpose ~ '^[a-z][a-z0-9_.-]{0,99}$'),
  -- queued → sent | failed (the worker); stored when no SMTP server is configured
  status      text        not null check (status in ('queued', 'sent', 'failed', 'stored')),
  attempts    integer     not null default 0 check (attempts >= 0),
  last_error  text,
  created_at  timestamptz not null,
  sent_at     timestamptz,
  check ((status = 'sent') = (sent_at is not null))
);
create index outgoing_mail_status on notifications.outgoing_mail (status, id);
create index outgoing_mail_to on notifications.outgoing_mail (lower("to"), id);

-- Written once, then only its delivery state changes: no UPDATE of recipient or content, no DELETE.
grant select, insert on notifications.outgoing_mail to platforma_app;
grant update (status, attempts, last_error, sent_at) on notifications.outgoing_mail to platforma_app;

alter table notifications.outgoing_mail enable row level security;
alter table notifications.outgoing_mail force row level security;
create policy tenant_isolation on notifications.outgoing_mail
  using (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on')
  with check (tenant_id = current_setting('app.tenant_id', true) or current_setting('app.platform_scope', true) = 'on');
