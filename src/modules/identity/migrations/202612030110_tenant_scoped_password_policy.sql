-- A tenant's password policy binds a person only while a session works in that tenant. The
-- password is seen in clear only at sign-in (and when it is set), so the sign-in records which of
-- the person's tenants would refuse it: switching into one of those asks for a new password, and
-- switching elsewhere does not.
alter table identity.sessions add column password_refused_by text[] not null default '{}';
comment on column identity.sessions.password_refused_by is
  'Tenants whose password policy the password this session signed in with does not meet';

-- MFA a tenant's identity provider vouched for is that tenant's word, not every tenant's: it counts
-- for the sessions' work in that tenant only. Our own second factor (null here) counts everywhere.
alter table identity.sessions add column mfa_by_tenant text;
comment on column identity.sessions.mfa_by_tenant is
  'The tenant whose identity provider asserted MFA for this session; null when the MFA is our own (or none)';
