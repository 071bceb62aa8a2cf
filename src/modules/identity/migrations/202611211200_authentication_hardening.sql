-- Authentication hardening: TOTP factors (seed encrypted with the installation key, never in clear),
-- single-use recovery codes (SHA-256 of 50 random bits each: only hashes are kept), single-use
-- email tokens for password reset and email verification (hashed), the restriction a session is
-- under until it completes a step, and the sign-in attempt counters of the throttle.
create table identity.totp_factors (
  user_id           text        primary key references identity.users (id),
  secret_ciphertext text        not null,          -- AES-256-GCM, see docs/adr/0005
  confirmed_at      timestamptz,                   -- null while enrolment awaits its first code
  last_time_step    bigint,                        -- a code's time step is accepted once (no replay)
  created_at        timestamptz not null
);
grant select, insert, update, delete on identity.totp_factors to platforma_app;

create table identity.recovery_codes (
  user_id    text        not null references identity.users (id),
  code_hash  text        not null,
  used_at    timestamptz,
  created_at timestamptz not null,
  primary key (user_id, code_hash)
);
grant select, insert, update, delete on identity.recovery_codes to platforma_app;

create table identity.email_tokens (
  id          text        primary key,
  user_id     text        not null references identity.users (id),
  purpose     text        not null check (purpose in ('password_reset', 'email_verification')),
  email       text        not null,
  token_hash  text        not null unique,
  created_at  timestamptz not null,
  expires_at  timestamptz not null,
  used_at     timestamptz
);
create index email_tokens_user on identity.email_tokens (user_id, purpose) where used_at is null;
grant select, insert, update on identity.email_tokens to platforma_app;

alter table identity.sessions add column restriction text check (restriction in ('mfa_verify', 'mfa_enroll', 'password_change'));
create index sessions_user_live on identity.sessions (user_id, created_at) where revoked_at is null;

-- rate-limiter-flexible's RateLimiterPostgres layout; created here because the application role
-- cannot create tables (the limiter is told the table exists). Keys are `<limiter>:<email or ip>`.
create table identity.sign_in_attempts (
  key    varchar(255) primary key,
  points integer      not null default 0,
  expire bigint
);
grant select, insert, update, delete on identity.sign_in_attempts to platforma_app;
