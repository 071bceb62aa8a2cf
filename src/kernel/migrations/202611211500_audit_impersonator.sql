-- Entries written while platform staff impersonate a tenant user name the impersonator beside the
-- user they acted as. Null for every other entry; the hash covers it only when it is set, so the
-- chains written before keep verifying.
alter table kernel.audit_entries add column actor_impersonator_id text;
alter table kernel.audit_entries add column actor_impersonator_label text;
