-- Appending to an audit chain becomes one statement: the database locks the chain's head, links
-- each entry to the one before and moves the head, so the head (a per-tenant lock) is held from
-- that statement to commit instead of across several round trips.
--
-- Entries written this way use hash scheme 2: the application digests an entry's content
-- (everything but its position), and the link is sha256(prev_hash || '\n' || seq || '\n' ||
-- digest), which SQL can compute. Scheme 1 entries (the whole content with seq and prev_hash,
-- hashed by the application) keep their hashes; `platforma audit verify` checks each by its own
-- scheme, so editing, deleting, reordering or truncating is found either way.
alter table kernel.audit_entries add column hash_scheme smallint not null default 1 check (hash_scheme in (1, 2));

create function kernel.append_audit_entries(p_chain text, p_tenant_id text, p_entries jsonb)
  returns table (entry_seq bigint, entry_prev_hash text, entry_hash text) language plpgsql as $$
declare
  head_seq bigint;
  head_hash text;
  entry jsonb;
begin
  select h.seq, h.hash into head_seq, head_hash from kernel.audit_chain_heads h where h.chain = p_chain for update;
  if not found then
    insert into kernel.audit_chain_heads (chain, tenant_id, seq, hash) values (p_chain, p_tenant_id, 0, 'genesis')
      on conflict (chain) do nothing;
    select h.seq, h.hash into head_seq, head_hash from kernel.audit_chain_heads h where h.chain = p_chain for update;
  end if;
  for entry in select value from jsonb_array_elements(p_entries) loop
    entry_seq := head_seq + 1;
    entry_prev_hash := head_hash;
    entry_hash := encode(sha256(convert_to(head_hash || E'\n' || entry_seq::text || E'\n' || (entry ->> 'digest'), 'UTF8')), 'hex');
    insert into kernel.audit_entries (chain, seq, id, tenant_id, occurred_at, actor_type, actor_id, actor_label,
        actor_impersonator_id, actor_impersonator_label, action, target_type, target_id, before, after,
        request_id, source_ip, prev_hash, hash, hash_scheme)
      values (p_chain, entry_seq, entry ->> 'id', p_tenant_id, (entry ->> 'occurred_at')::timestamptz, entry ->> 'actor_type',
        entry ->> 'actor_id', entry ->> 'actor_label', entry ->> 'actor_impersonator_id', entry ->> 'actor_impersonator_label',
        entry ->> 'action', entry ->> 'target_type', entry ->> 'target_id', nullif(entry -> 'before', 'null'::jsonb),
        nullif(entry -> 'after', 'null'::jsonb), entry ->> 'request_id', entry ->> 'source_ip', head_hash, entry_hash, 2);
    head_seq := entry_seq;
    head_hash := entry_hash;
    return next;
  end loop;
  update kernel.audit_chain_heads h set seq = head_seq, hash = head_hash where h.chain = p_chain;
end $$;
