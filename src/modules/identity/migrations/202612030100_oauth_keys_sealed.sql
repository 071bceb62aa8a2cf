-- The provider's private keys are sealed with the installation key like TOTP seeds and SSO secrets
-- (docs/adr/0006-oauth-signing-keys.md, revised): a copy of the database alone must not let anyone
-- sign tokens. Keys written before this migration hold plaintext; the server seals each on its
-- next start (the migration cannot: the key is not in the database). That needs the application
-- role to update the material, but only once per key, only from plaintext to sealed, keeping the
-- public members; any other change (new material, unsealing, swapping keys) is refused here.
grant update (material) on identity.oauth_keys to platforma_app;

create function identity.oauth_keys_seal_only() returns trigger
language plpgsql as $$
begin
  if old.material ? 'sealed'
     or not (new.material ? 'sealed')
     or not ((new.material - 'sealed') <@ old.material)
     or new.material ?| array['d', 'p', 'q', 'dp', 'dq', 'qi', 'k', 'secret'] then
    raise exception 'OAuth key % may only be sealed, once', old.kid using errcode = '42501';
  end if;
  return new;
end
$$;

create trigger oauth_keys_seal_only before update on identity.oauth_keys
  for each row execute function identity.oauth_keys_seal_only();
