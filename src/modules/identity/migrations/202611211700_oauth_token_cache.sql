-- OAuth access tokens are cached like sessions and API keys. What ends one announces itself on
-- the same channel the cache listens to: the provider deleting or rewriting a token's row
-- (revocation, a reused code or refresh token ending the grant) and any change to its client.
create trigger announce_principal_change after update or delete on identity.oauth_payloads
  for each row when (old.model in ('AccessToken', 'ClientCredentials'))
  execute function identity.announce_principal_change();
create trigger announce_principal_change after update or delete on identity.oauth_clients
  for each row execute function identity.announce_principal_change();
