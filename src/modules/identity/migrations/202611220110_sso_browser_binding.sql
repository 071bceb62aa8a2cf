-- A single sign-on is finished only by the browser that started it: `start` gives that browser a
-- random value in a short-lived cookie, and its SHA-256 travels with the pending sign-in (OIDC:
-- here; SAML: in RelayState) into the handoff, which `finish` redeems only with the same cookie.
-- Without it, someone could have another person's browser redeem a handoff of their own account
-- (login CSRF) and watch what they do.
alter table identity.sso_pending add column browser_binding text;
alter table identity.sso_handoffs add column browser_binding text;
