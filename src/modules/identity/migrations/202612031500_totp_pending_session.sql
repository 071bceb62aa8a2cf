-- A pending (unconfirmed) TOTP secret is resumed only by the session that started it. Without this,
-- anyone who knew the password could start enrolment, read the secret, and wait: the real person's
-- enrolment within the hour would resume that same secret and hand the intruder their second factor.
alter table identity.totp_factors add column pending_session_id text;
