-- A tenant's authentication settings (password policy, mandatory MFA, identity providers) belong to
-- identity now and were copied into its tables by migration 202612031700; the documents stop
-- carrying them (ADR 0017). The version is left alone: nothing a client sees of the tenant changed.
update tenancy.tenants
   set document = document #- '{settings,authentication}'
 where document -> 'settings' ? 'authentication';
