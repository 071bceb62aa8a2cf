-- Audit hash scheme 3 and signed checkpoints of the chain heads (docs/adr/0011-audit-checkpoints.md).
--
-- Schemes 1 and 2 hash what the application saw of an entry: its timestamp in milliseconds (the
-- column keeps microseconds), before/after as parsed JSON, and the impersonator's label only when
-- an impersonator id is set. So a timestamp moved by less than a millisecond, or a label added to
-- an entry without an impersonator, changed the log without breaking a hash. Scheme 3 is computed
-- here, from the values as stored: every column but the hash itself, each as PostgreSQL prints it
-- (the timestamp in UTC to the microsecond, jsonb as its text), NULL told apart from every string.
-- Entries already written keep their scheme and their hashes: an audit log is never rewritten.
alter table kernel.audit_entries drop constraint audit_entries_hash_scheme_check;
alter table kernel.audit_entries add constraint audit_entries_hash_scheme_check check (hash_scheme in (1, 2, 3));

-- An impersonator's label means nothing without the impersonator. NOT VALID: an existing row that
-- breaks this was tampered with, and `audit verify` names it; refusing to migrate would not help.
alter table kernel.audit_entries add constraint audit_entries_impersonator_label_needs_id
  check (actor_impersonator_label is null or actor_impersonator_id is not null) not valid;

-- One field of the canonical text: NULL as '~', anything else as its length in bytes, ':' and the
-- text, so no two different sequences of fields can produce the same text.
create function kernel.audit_field(value text) returns text language sql immutable parallel safe as $$
  select case when value is null then '~' else octet_length(value)::text || ':' || value end || E'\n'
$$;

-- Scheme 3: sha256 of 'audit-v3\n' and every stored column but `hash`, in table order. A column
-- added to kernel.audit_entries must be added here (and to SCHEME_3_FIELDS in src/kernel/audit.ts);
-- a test compares this list with the table's columns. src/kernel/audit.ts recomputes the same text
-- from the columns it selects as text, so verification does not trust this function.
create function kernel.audit_entry_hash_v3(e kernel.audit_entries) returns text language sql immutable parallel safe as $$
  select encode(sha256(convert_to('audit-v3' || E'\n'
    || kernel.audit_field(e.chain)
    || kernel.audit_field(e.seq::text)
    || kernel.audit_field(e.id)
    || kernel.audit_field(e.tenant_id)
    || kernel.audit_field(to_char(e.occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'))
    || kernel.audit_field(e.actor_type)
    || kernel.audit_field(e.actor_id)
    || kernel.audit_field(e.actor_label)
    || kernel.audit_field(e.action)
    || kernel.audit_field(e.target_type)
    || kernel.audit_field(e.target_id)
    || kernel.audit_field(e.before::text)
    || kernel.audit_field(e.after::text)
    || kernel.audit_field(e.request_id)
    || kernel.audit_field(e.source_ip)
    || kernel.audit_field(e.prev_hash)
    || kernel.audit_field(e.actor_impersonator_id)
    || kernel.audit_field(e.actor_impersonator_label)
    || kernel.audit_field(e.hash_scheme::text), 'UTF8')), 'hex')
$$;

-- Appending stays one statement; entries are now linked under scheme 3. The application no longer
-- sends a digest (an older process that still does is ignored: the content is all there).
create or replace function kernel.append_audit_entries(p_chain text, p_tenant_id text, p_entries jsonb)
  returns table (entry_seq bigint, entry_prev_hash text, entry_hash text) language plpgsql as $$
declare
  head_seq bigint;
  head_hash text;
  entry jsonb;
  r kernel.audit_entries;
begin
  select h.seq, h.hash into head_seq, head_hash from kernel.audit_chain_heads h where h.chain = p_chain for update;
  if not found then
    insert into kernel.audit_chain_heads (chain, tenant_id, seq, hash) values (p_chain, p_tenant_id, 0, 'genesis')
      on conflict (chain) do nothing;
    select h.seq, h.hash into head_seq, head_hash from kernel.audit_chain_heads h where h.chain = p_chain for update;
  end if;
  for entry in select value from jsonb_array_elements(p_entries) loop
    r.chain := p_chain;
    r.seq := head_seq + 1;
    r.id := entry ->> 'id';
    r.tenant_id := p_tenant_id;
    r.occurred_at := (entry ->> 'occurred_at')::timestamptz;
    r.actor_type := entry ->> 'actor_type';
    r.actor_id := entry ->> 'actor_id';
    r.actor_label := entry ->> 'actor_label';
    r.action := entry ->> 'action';
    r.target_type := entry ->> 'target_type';
    r.target_id := entry ->> 'target_id';
    r.before := nullif(entry -> 'before', 'null'::jsonb);
    r.after := nullif(entry -> 'after', 'null'::jsonb);
    r.request_id := entry ->> 'request_id';
    r.source_ip := entry ->> 'source_ip';
    r.prev_hash := head_hash;
    r.actor_impersonator_id := entry ->> 'actor_impersonator_id';
    r.actor_impersonator_label := entry ->> 'actor_impersonator_label';
    r.hash_scheme := 3;
    r.hash := kernel.audit_entry_hash_v3(r);
    insert into kernel.audit_entries values (r.*);
    entry_seq := r.seq;
    entry_prev_hash := r.prev_hash;
    entry_hash := r.hash;
    head_seq := r.seq;
    head_hash := r.hash;
    return next;
  end loop;
  update kernel.audit_chain_heads h set seq = head_seq, hash = head_hash where h.chain = p_chain;
end $$;

-- Checkpoints anchor the chain heads outside the rows they describe. A chain head lives in the
-- same database as its entries, so whoever can delete the newest entries can move the head back
-- (or delete a whole chain with its head) and every hash still agrees. A checkpoint lists every
-- chain's head at one moment, links to the previous checkpoint by hash and is signed with an
-- Ed25519 key that is not in the database; `audit verify` checks that every head the newest
-- checkpoint names still exists with that hash.
create table kernel.audit_checkpoints (
  seq        bigint      primary key check (seq > 0),
  created_at timestamptz not null,
  -- The exact text that was hashed and signed: JSON {version, seq, createdAt, prevHash, heads:[[chain, seq, hash], …]}.
  body       text        not null,
  hash       text        not null,   -- sha256(body), hex; the next checkpoint's prevHash
  public_key text        not null,   -- the signer's Ed25519 public key, base64url (32 bytes)
  signature  text        not null    -- Ed25519 over body, base64url
);

-- The workers (application role) record checkpoints but can never change or remove one.
grant select, insert on kernel.audit_checkpoints to platforma_app;
-- They list every tenant's chain, so only platform scope sees them.
alter table kernel.audit_checkpoints enable row level security;
alter table kernel.audit_checkpoints force row level security;
create policy platform_only on kernel.audit_checkpoints
  using (current_setting('app.platform_scope', true) = 'on')
  with check (current_setting('app.platform_scope', true) = 'on');
