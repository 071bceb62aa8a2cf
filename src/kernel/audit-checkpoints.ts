// Signed checkpoints of the audit chain heads (docs/adr/0011-audit-checkpoints.md). A chain head
// sits in the same database as its entries, so someone who can delete the newest entries can move
// the head back, or delete a whole chain with its head, and every remaining hash still agrees. A
// checkpoint records every chain's head (chain, seq, hash) at one moment, is hash-linked to the
// checkpoint before it and is signed with an Ed25519 key kept outside the database, like the
// encryption key. `platforma audit verify` checks the checkpoints and that every head the newest
// one names still exists with that hash.
import { createHash, createPrivateKey, createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import { sql } from 'kysely';
import type { Config } from './config.js';
import type { Clock } from './clock.js';
import { inTransaction, type Db, type Tx } from './db/database.js';
import { keyFile } from './secret-files.js';

const GENESIS = 'genesis';
const BODY_VERSION = 1;
/** The fixed DER header of a PKCS#8 Ed25519 private key, followed by its 32-byte seed (RFC 8410). */
const PKCS8_ED25519_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');

interface CheckpointRow {
  /** int8, so a bigint (db/database.ts). */
  seq: bigint;
  created_at: Date;
  body: string;
  hash: string;
  public_key: string;
  signature: string;
}

declare module './db/tables.js' {
  interface Tables {
    'kernel.audit_checkpoints': CheckpointRow;
  }
}

/** A chain head as a checkpoint records it: [chain, seq, hash]. */
export type CheckpointHead = [string, number, string];

interface CheckpointBody {
  version: number;
  seq: number;
  createdAt: string;
  prevHash: string;
  heads: CheckpointHead[];
}

export interface AuditCheckpoint {
  seq: number;
  createdAt: string;
  hash: string;
  publicKey: string;
  chains: number;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Holds the checkpoint signing key; only its public half ever leaves this object. */
export class AuditSigner {
  readonly #key: KeyObject;
  /** The Ed25519 public key, base64url of its 32 bytes (a JWK's `x`). */
  readonly publicKey: string;

  constructor(seed: Buffer) {
    if (seed.length !== 32) throw new Error('The audit signing key must be 32 bytes.');
    this.#key = createPrivateKey({ key: Buffer.concat([PKCS8_ED25519_PREFIX, seed]), format: 'der', type: 'pkcs8' });
    this.publicKey = createPublicKey(this.#key).export({ format: 'jwk' }).x!;
  }

  sign(body: string): string {
    return sign(null, Buffer.from(body, 'utf8'), this.#key).toString('base64url');
  }
}

/**
 * The configured signing key, or the one under `home`/secrets/audit-signing.key. Workers create it
 * on first use; `audit verify` only reads it (a verifier that has no key must not make one).
 */
export function loadAuditSigner(config: Pick<Config, 'auditSigningKey' | 'home'>, options: { create: boolean }): AuditSigner | undefined {
  const seed = config.auditSigningKey ?? keyFile(config.home, 'audit-signing.key', options);
  return seed ? new AuditSigner(seed) : undefined;
}

function signatureValid(body: string, publicKey: string, signature: string): boolean {
  try {
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: publicKey }, format: 'jwk' });
    return verify(null, Buffer.from(body, 'utf8'), key, Buffer.from(signature, 'base64url'));
  } catch {
    return false;
  }
}

// Code-unit order, not the database's collation: the signed text must not depend on the server.
const byChain = (a: CheckpointHead, b: CheckpointHead) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0);

function summary(row: CheckpointRow, chains: number): AuditCheckpoint {
  return { seq: Number(row.seq), createdAt: new Date(row.created_at).toISOString(), hash: row.hash, publicKey: row.public_key, chains };
}

/**
 * Records a checkpoint of every chain head, signed by `signer`, unless nothing changed since the
 * newest one (same heads, same key): an idle installation does not grow a row every few minutes.
 */
export async function createAuditCheckpoint(db: Db, signer: AuditSigner, clock: Clock): Promise<{ checkpoint: AuditCheckpoint; created: boolean }> {
  return inTransaction(db, { scope: { kind: 'platform' }, actorId: 'system' }, async (tx) => {
    // One checkpoint at a time: two workers, or a worker and the CLI, must not both take the next number.
    await sql`select pg_advisory_xact_lock(hashtext('kernel.audit_checkpoints'))`.execute(tx);
    const heads: CheckpointHead[] = (await tx.selectFrom('kernel.audit_chain_heads').select(['chain', 'seq', 'hash']).execute())
      .map((head): CheckpointHead => [head.chain, Number(head.seq), head.hash])
      .sort(byChain);
    const last = await tx.selectFrom('kernel.audit_checkpoints').selectAll().orderBy('seq', 'desc').limit(1).executeTakeFirst();
    if (last && last.public_key === signer.publicKey && JSON.stringify((JSON.parse(last.body) as CheckpointBody).heads) === JSON.stringify(heads)) {
      return { checkpoint: summary(last, heads.length), created: false };
    }
    const seq = last ? Number(last.seq) + 1 : 1;
    const createdAt = clock.now();
    const body = JSON.stringify({ version: BODY_VERSION, seq, createdAt: createdAt.toISOString(), prevHash: last?.hash ?? GENESIS, heads } satisfies CheckpointBody);
    const row = { seq: BigInt(seq), created_at: createdAt, body, hash: sha256(body), public_key: signer.publicKey, signature: signer.sign(body) };
    await tx.insertInto('kernel.audit_checkpoints').values(row).execute();
    return { checkpoint: summary(row, heads.length), created: true };
  });
}

export interface CheckpointBreak {
  /** The checkpoint at fault, or null when the problem is one missing (deleted or never kept). */
  seq: number | null;
  message: string;
}

/** What the newest trustworthy checkpoint says a chain's head was. */
export interface ChainAnchor {
  checkpointSeq: number;
  checkpointAt: string;
  seq: number;
  hash: string;
}

export interface CheckpointReport {
  checkpoints: number;
  latest: AuditCheckpoint | undefined;
  /** Whether signatures were checked against keys the verifier trusts or only the ones recorded in the rows. */
  keys: 'trusted' | 'recorded';
  /** Chain → its head in the newest checkpoint whose signature, key and text verified. */
  anchors: Map<string, ChainAnchor>;
  breaks: CheckpointBreak[];
}

export interface CheckpointVerifyOptions {
  /** Public keys (base64url) the checkpoints must be signed with; empty: the keys recorded in them. */
  trustedKeys?: string[];
  /** A checkpoint the auditor kept from earlier: it must still be there with this hash. */
  expect?: { seq: number; hash: string };
}

/** Checks every checkpoint's text, link, signature and key, inside the verifier's transaction. */
export async function verifyCheckpoints(tx: Tx, options: CheckpointVerifyOptions = {}): Promise<CheckpointReport> {
  const trusted = options.trustedKeys ?? [];
  const rows = await tx.selectFrom('kernel.audit_checkpoints').selectAll().orderBy('seq').execute();
  const report: CheckpointReport = { checkpoints: rows.length, latest: undefined, keys: trusted.length > 0 ? 'trusted' : 'recorded', anchors: new Map(), breaks: [] };
  let expectedSeq = 1;
  let previousHash = GENESIS;
  let previousHeads: CheckpointHead[] | undefined;
  for (const row of rows) {
    const seq = Number(row.seq);
    const problems: string[] = [];
    if (seq !== expectedSeq) report.breaks.push({ seq: null, message: `checkpoint #${expectedSeq}${seq > expectedSeq + 1 ? `–#${seq - 1}` : ''} is missing (next present is #${seq})` });
    let body: CheckpointBody | undefined;
    try {
      body = JSON.parse(row.body) as CheckpointBody;
    } catch {
      problems.push('its text is not readable JSON');
    }
    if (sha256(row.body) !== row.hash) problems.push('its text does not match its hash');
    if (body && body.seq !== seq) problems.push(`its text says it is #${body.seq}`);
    if (body && seq === expectedSeq && body.prevHash !== previousHash) problems.push(`it is not linked to checkpoint #${seq - 1} (its prevHash differs)`);
    if (!signatureValid(row.body, row.public_key, row.signature)) problems.push('its signature does not verify');
    else if (trusted.length > 0 && !trusted.includes(row.public_key)) problems.push(`it is signed by a key that is not trusted (${row.public_key})`);
    if (body && previousHeads) {
      const now = new Map(body.heads.map(([chain, headSeq]) => [chain, headSeq]));
      for (const [chain, headSeq] of previousHeads) {
        const later = now.get(chain);
        if (later === undefined) problems.push(`chain ${chain} (at #${headSeq} in the checkpoint before) is missing from it`);
        else if (later < headSeq) problems.push(`chain ${chain} went back from #${headSeq} to #${later}`);
      }
    }
    if (problems.length > 0) {
      report.breaks.push({ seq, message: `checkpoint #${seq} is not trustworthy: ${problems.join('; ')}` });
    } else if (body) {
      report.anchors = new Map(body.heads.map(([chain, headSeq, hash]) => [chain, { checkpointSeq: seq, checkpointAt: body.createdAt, seq: headSeq, hash }]));
      report.latest = summary(row, body.heads.length);
    }
    // Follow the rows as stored even past a bad one, so one forged checkpoint is not reported as many.
    if (body) previousHeads = body.heads;
    previousHash = row.hash;
    expectedSeq = seq + 1;
  }
  if (options.expect) {
    const kept = rows.find((row) => Number(row.seq) === options.expect!.seq);
    if (!kept) report.breaks.push({ seq: options.expect.seq, message: `checkpoint #${options.expect.seq}, which you kept, is gone` });
    else if (kept.hash !== options.expect.hash) report.breaks.push({ seq: options.expect.seq, message: `checkpoint #${options.expect.seq} is not the one you kept: its hash is ${kept.hash}` });
  }
  return report;
}
