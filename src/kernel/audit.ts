// The audit log: every state change appends an entry in the same transaction as the change.
// Entries form one hash chain per tenant (and one for platform-level actions): each entry's hash
// covers its content and the previous entry's hash, so an edited, deleted or reordered row breaks
// the chain and `platforma audit verify` names the first broken entry. Signed checkpoints of the
// chain heads (audit-checkpoints.ts) catch what the chain cannot: its newest entries cut off with
// the head moved back, or a whole chain deleted with its head.
import { createHash } from 'node:crypto';
import { sql, type Insertable } from 'kysely';
import { verifyCheckpoints, type CheckpointReport, type CheckpointVerifyOptions, type ChainAnchor } from './audit-checkpoints.js';
import type { Tx, Db } from './db/database.js';
import { newId } from './ids.js';
import type { Clock } from './clock.js';
import type { OutboxRow } from './outbox.js';

export const PLATFORM_CHAIN = 'platform';
const GENESIS = 'genesis';

export interface Actor {
  type: 'user' | 'system' | 'anonymous';
  id: string;
  /** Human-readable label (an email), kept with the entry. */
  label?: string;
  /** Platform staff who acted as this user (impersonation), and their label. */
  impersonatorId?: string;
  impersonatorLabel?: string;
}

export interface AuditInput {
  /** The tenant whose chain receives the entry; omit for platform-level actions. */
  tenantId?: string;
  actor: Actor;
  action: string;
  target: { type: string; id: string };
  before?: unknown;
  after?: unknown;
  requestId?: string;
  sourceIp?: string;
}

export interface AuditEntry {
  id: string;
  chain: string;
  seq: number;
  tenantId: string | null;
  occurredAt: Date;
  actor: Actor;
  action: string;
  target: { type: string; id: string };
  before: unknown;
  after: unknown;
  requestId: string | null;
  sourceIp: string | null;
  prevHash: string;
  hash: string;
}

interface AuditRow {
  chain: string;
  /** int8, so a bigint (db/database.ts); entries and errors speak of it as a number. */
  seq: bigint;
  id: string;
  tenant_id: string | null;
  occurred_at: Date;
  actor_type: string;
  actor_id: string;
  actor_label: string | null;
  actor_impersonator_id: string | null;
  actor_impersonator_label: string | null;
  action: string;
  target_type: string;
  target_id: string;
  before: unknown;
  after: unknown;
  request_id: string | null;
  source_ip: string | null;
  prev_hash: string;
  hash: string;
  /**
   * 1: the application hashed the whole entry with its position; 2: the database linked a content
   * digest; 3: the database hashed every stored column as stored (see hashOf).
   */
  hash_scheme: number;
}

/** What verification reads beside the row: the columns scheme 3 covers, exactly as PostgreSQL prints them. */
interface VerifiedRow extends AuditRow {
  occurred_at_text: string;
  before_text: string | null;
  after_text: string | null;
}

interface ChainHeadRow {
  chain: string;
  tenant_id: string | null;
  seq: bigint;
  hash: string;
}

declare module './db/tables.js' {
  interface Tables {
    'kernel.audit_entries': AuditRow;
    'kernel.audit_chain_heads': ChainHeadRow;
  }
}

/** JSON with object keys sorted at every level: jsonb does not keep key order, the hash must. */
export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** An entry's content, everything but its position in the chain, as hashed. */
function contentOf(row: Omit<AuditRow, 'hash' | 'seq' | 'prev_hash' | 'hash_scheme'>): Record<string, unknown> {
  return {
    chain: row.chain,
    id: row.id,
    tenantId: row.tenant_id,
    occurredAt: new Date(row.occurred_at).toISOString(),
    actor: [row.actor_type, row.actor_id, row.actor_label],
    // Only when present, so entries written before impersonation existed keep their hashes.
    impersonator: row.actor_impersonator_id === null || row.actor_impersonator_id === undefined ? undefined : [row.actor_impersonator_id, row.actor_impersonator_label],
    action: row.action,
    target: [row.target_type, row.target_id],
    before: row.before ?? null,
    after: row.after ?? null,
    requestId: row.request_id,
    sourceIp: row.source_ip,
  };
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The digest of an entry's content that scheme 2 links into the chain. */
function digestOf(row: Omit<AuditRow, 'hash' | 'seq' | 'prev_hash' | 'hash_scheme'>): string {
  return sha256(canonicalJson(contentOf(row)));
}

/**
 * The columns scheme 3 hashes, in the order kernel.audit_entry_hash_v3 does: every stored column
 * but the hash itself (a test holds this list to the table's columns).
 */
export const SCHEME_3_FIELDS = [
  'chain',
  'seq',
  'id',
  'tenant_id',
  'occurred_at',
  'actor_type',
  'actor_id',
  'actor_label',
  'action',
  'target_type',
  'target_id',
  'before',
  'after',
  'request_id',
  'source_ip',
  'prev_hash',
  'actor_impersonator_id',
  'actor_impersonator_label',
  'hash_scheme',
] as const;

/** One field of scheme 3's text: NULL as '~', else its length in UTF-8 bytes, ':' and the text. */
const field = (value: string | null) => `${value === null ? '~' : `${Buffer.byteLength(value, 'utf8')}:${value}`}\n`;

/**
 * Scheme 3, recomputed from the columns as PostgreSQL prints them (timestamp in UTC to the
 * microsecond, jsonb as text), independently of the SQL function that wrote it.
 */
function schemeThreeHash(row: VerifiedRow): string {
  const text: Record<(typeof SCHEME_3_FIELDS)[number], string | null> = {
    chain: row.chain,
    seq: String(row.seq),
    id: row.id,
    tenant_id: row.tenant_id,
    occurred_at: row.occurred_at_text,
    actor_type: row.actor_type,
    actor_id: row.actor_id,
    actor_label: row.actor_label,
    action: row.action,
    target_type: row.target_type,
    target_id: row.target_id,
    before: row.before_text,
    after: row.after_text,
    request_id: row.request_id,
    source_ip: row.source_ip,
    prev_hash: row.prev_hash,
    actor_impersonator_id: row.actor_impersonator_id,
    actor_impersonator_label: row.actor_impersonator_label,
    hash_scheme: String(row.hash_scheme),
  };
  return sha256(`audit-v3\n${SCHEME_3_FIELDS.map((name) => field(text[name])).join('')}`);
}

/**
 * What an entry's hash must be. Scheme 1 (entries written before appends moved into the
 * database): the canonical JSON of the content with its position. Scheme 2: the previous hash,
 * the position and the content digest, joined by newlines. Scheme 3: every stored column as stored.
 */
function hashOf(row: VerifiedRow): string {
  if (row.hash_scheme === 3) return schemeThreeHash(row);
  if (row.hash_scheme === 2) return sha256(`${row.prev_hash}\n${row.seq}\n${digestOf(row)}`);
  return sha256(canonicalJson({ ...contentOf(row), seq: Number(row.seq), prevHash: row.prev_hash }));
}

/**
 * What schemes 1 and 2 do not hash but their writers never produced, so a row that shows it was
 * changed after the fact: a timestamp finer than the millisecond the application wrote, an
 * impersonator's label without an impersonator.
 */
function outsideOldSchemes(row: VerifiedRow): string | undefined {
  if (row.hash_scheme === 3) return undefined;
  if (!/\.\d{3}000Z$/.test(row.occurred_at_text)) return `its time ${row.occurred_at_text} is finer than the milliseconds it was written with`;
  if (row.actor_impersonator_label !== null && row.actor_impersonator_id === null) return 'it names an impersonator label without an impersonator';
  return undefined;
}

/** Where kernel.append_audit_entries put an entry. */
interface Placed {
  entry_seq: bigint;
  entry_prev_hash: string;
  entry_hash: string;
}

export class AuditLog {
  constructor(private readonly clock: Clock) {}

  /** Appends an entry to its chain inside the caller's transaction. */
  async record(tx: Tx, input: AuditInput): Promise<AuditEntry> {
    const [entry] = await this.recordAll(tx, [input]);
    return entry!;
  }

  /**
   * Appends several entries of one change to one chain, in order: the head is locked once and the
   * entries are written with the head's new position in a single statement, together with the
   * change's outbox rows when given (see outboxRows), so an audited, published change costs two
   * round trips however many steps it has.
   */
  async recordAll(tx: Tx, inputs: AuditInput[], alongside: { events?: Insertable<OutboxRow>[] } = {}): Promise<AuditEntry[]> {
    if (inputs.length === 0) return [];
    const chain = inputs[0]!.tenantId ?? PLATFORM_CHAIN;
    const tenantId = inputs[0]!.tenantId ?? null;
    if (inputs.some((input) => (input.tenantId ?? PLATFORM_CHAIN) !== chain)) throw new Error('recordAll appends to one chain; record other tenants’ entries separately');
    const occurredAt = this.clock.now();
    const unplaced = inputs.map((input) => ({
      chain,
      id: newId('audit'),
      tenant_id: tenantId,
      occurred_at: occurredAt,
      actor_type: input.actor.type,
      actor_id: input.actor.id,
      actor_label: input.actor.label ?? null,
      actor_impersonator_id: input.actor.impersonatorId ?? null,
      actor_impersonator_label: input.actor.impersonatorId ? (input.actor.impersonatorLabel ?? null) : null,
      action: input.action,
      target_type: input.target.type,
      target_id: input.target.id,
      before: input.before === undefined ? null : (JSON.parse(JSON.stringify(input.before)) as unknown),
      after: input.after === undefined ? null : (JSON.parse(JSON.stringify(input.after)) as unknown),
      request_id: input.requestId ?? null,
      source_ip: input.sourceIp ?? null,
    }));
    const entries = unplaced.map((row) => ({ ...row, occurred_at: occurredAt.toISOString() }));
    // The database places, hashes (scheme 3, from the values as stored) and links the entries
    // under the chain head's lock: one statement, together with the change's outbox rows when given.
    const events = alongside.events ?? [];
    const append = sql<Placed>`select entry_seq, entry_prev_hash, entry_hash from kernel.append_audit_entries(${chain}, ${tenantId}, ${JSON.stringify(entries)}::jsonb)`;
    const placed =
      events.length > 0
        ? await tx
            .with('published', (db) => db.insertInto('kernel.outbox').values(events).returning('id'))
            .selectFrom(sql<Placed>`kernel.append_audit_entries(${chain}, ${tenantId}, ${JSON.stringify(entries)}::jsonb)`.as('appended'))
            .select(['appended.entry_seq', 'appended.entry_prev_hash', 'appended.entry_hash'])
            .execute()
        : (await append.execute(tx)).rows;
    return unplaced.map((row, index) => {
      const { entry_seq, entry_prev_hash, entry_hash } = placed[index]!;
      return toEntry({ ...row, seq: entry_seq, prev_hash: entry_prev_hash, hash: entry_hash, hash_scheme: 3 });
    });
  }

  /** A chain's entries, newest first, before an optional sequence number. */
  async listChain(tx: Tx, chain: string, options: { limit: number; beforeSeq?: number }): Promise<AuditEntry[]> {
    let query = tx.selectFrom('kernel.audit_entries').selectAll().where('chain', '=', chain).orderBy('seq', 'desc').limit(options.limit);
    if (options.beforeSeq !== undefined) query = query.where('seq', '<', BigInt(options.beforeSeq));
    return (await query.execute()).map(toEntry);
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: row.id,
    chain: row.chain,
    seq: Number(row.seq),
    tenantId: row.tenant_id,
    occurredAt: new Date(row.occurred_at),
    actor: {
      type: row.actor_type as Actor['type'],
      id: row.actor_id,
      ...(row.actor_label ? { label: row.actor_label } : {}),
      ...(row.actor_impersonator_id ? { impersonatorId: row.actor_impersonator_id, ...(row.actor_impersonator_label ? { impersonatorLabel: row.actor_impersonator_label } : {}) } : {}),
    },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    before: row.before,
    after: row.after,
    requestId: row.request_id,
    sourceIp: row.source_ip,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

export interface ChainBreak {
  chain: string;
  /** The sequence number at which the chain first fails to verify. */
  seq: number;
  entryId: string | null;
  reason: 'edited' | 'deleted' | 'reordered' | 'truncated';
  message: string;
}

export interface VerifyReport {
  chains: number;
  entries: number;
  breaks: ChainBreak[];
  checkpoints: CheckpointReport;
}

/**
 * Walks every chain in sequence order and checks the signed checkpoints, in one snapshot (so a
 * running platform's appends cannot look like a mismatch). Needs a connection that sees all rows
 * (platform scope or the owner). Reports the first break of each chain, and each bad checkpoint.
 */
export async function verifyAuditChains(db: Db, options: CheckpointVerifyOptions = {}): Promise<VerifyReport> {
  return db
    .transaction()
    .setIsolationLevel('repeatable read')
    .execute(async (tx) => {
      await sql`select set_config('app.platform_scope', 'on', true)`.execute(tx);
      const checkpoints = await verifyCheckpoints(tx, options);
      const heads = new Map((await tx.selectFrom('kernel.audit_chain_heads').selectAll().execute()).map((head) => [head.chain, head]));
      // A chain is whatever has a head, entries or a place in a checkpoint: deleting the head must not hide the entries, nor deleting both the chain.
      const withEntries = (await tx.selectFrom('kernel.audit_entries').select('chain').distinct().execute()).map((row) => row.chain);
      const chains = [...new Set([...heads.keys(), ...withEntries, ...checkpoints.anchors.keys()])].sort();
      const report: VerifyReport = { chains: chains.length, entries: 0, breaks: [], checkpoints };
      for (const chain of chains) {
        const rows = (await tx
          .selectFrom('kernel.audit_entries')
          .selectAll()
          .select([
            sql<string>`to_char(occurred_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`.as('occurred_at_text'),
            sql<string | null>`before::text`.as('before_text'),
            sql<string | null>`after::text`.as('after_text'),
          ])
          .where('chain', '=', chain)
          .orderBy('seq')
          .execute()) as VerifiedRow[];
        report.entries += rows.length;
        const found = firstBreak(chain, heads.get(chain), rows, checkpoints.anchors.get(chain));
        if (found) report.breaks.push(found);
      }
      return report;
    });
}

function firstBreak(chain: string, head: ChainHeadRow | undefined, rows: VerifiedRow[], anchor: ChainAnchor | undefined): ChainBreak | undefined {
  let previousHash = GENESIS;
  let expectedSeq = 1;
  let strongestScheme = 1;
  for (const row of rows) {
    const seq = Number(row.seq);
    if (seq !== expectedSeq) {
      return { chain, seq: expectedSeq, entryId: null, reason: 'deleted', message: `entry #${expectedSeq} is missing (next present is #${seq})` };
    }
    const intact = hashOf(row) === row.hash;
    if (!intact || row.prev_hash !== previousHash) {
      // Tell a moved entry (its hash matches it at another position) from an altered one.
      const movedFrom = intact ? undefined : rows.map((r) => Number(r.seq)).find((s) => s !== seq && hashOf({ ...row, seq: BigInt(s) }) === row.hash);
      if (movedFrom !== undefined || (intact && row.prev_hash !== previousHash)) {
        const from = movedFrom === undefined ? '' : ` (it was written as #${movedFrom})`;
        return { chain, seq, entryId: row.id, reason: 'reordered', message: `entry #${seq} (${row.id}) is out of order${from}` };
      }
      return { chain, seq, entryId: row.id, reason: 'edited', message: `entry #${seq} (${row.id}) was altered: its content does not match its hash` };
    }
    const outside = outsideOldSchemes(row);
    if (outside) return { chain, seq, entryId: row.id, reason: 'edited', message: `entry #${seq} (${row.id}) was altered: ${outside}` };
    // Schemes only ever move forward along a chain; an older one after a newer one is a rewrite
    // under a scheme that covers less.
    if (row.hash_scheme < strongestScheme) {
      return { chain, seq, entryId: row.id, reason: 'edited', message: `entry #${seq} (${row.id}) was rewritten: hash scheme ${row.hash_scheme} after scheme ${strongestScheme}` };
    }
    strongestScheme = row.hash_scheme;
    previousHash = row.hash;
    expectedSeq += 1;
  }
  const last = expectedSeq - 1;
  if (!head) {
    if (anchor && rows.length === 0) {
      return { chain, seq: 1, entryId: null, reason: 'truncated', message: `the whole chain is gone: checkpoint #${anchor.checkpointSeq} (${anchor.checkpointAt}) recorded its head at #${anchor.seq}` };
    }
    return { chain, seq: expectedSeq, entryId: null, reason: 'truncated', message: `the chain's head is gone (its entries end at #${last})` };
  }
  if (Number(head.seq) !== last || head.hash !== previousHash) {
    return { chain, seq: expectedSeq, entryId: null, reason: 'truncated', message: `the chain ends at #${last} but its head records #${head.seq}` };
  }
  if (anchor && anchor.seq > 0) {
    if (last < anchor.seq) {
      return {
        chain,
        seq: last + 1,
        entryId: null,
        reason: 'truncated',
        message: `the chain ends at #${last} but checkpoint #${anchor.checkpointSeq} (${anchor.checkpointAt}) recorded its head at #${anchor.seq}`,
      };
    }
    const anchored = rows[anchor.seq - 1]!;
    if (anchored.hash !== anchor.hash) {
      return {
        chain,
        seq: anchor.seq,
        entryId: anchored.id,
        reason: 'edited',
        message: `entry #${anchor.seq} (${anchored.id}) is not the one checkpoint #${anchor.checkpointSeq} recorded: the chain was rewritten up to it`,
      };
    }
  }
  return undefined;
}
