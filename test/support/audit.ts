// Reads audit entries straight from the database (as the owner), for tests that count or look for them.
import pg from 'pg';
import type { TestPlatform } from './platform.js';

export interface AuditRow {
  action: string;
  actor_id: string;
  target_type: string;
  target_id: string;
  after: Record<string, unknown> | null;
}

export async function auditEntries(t: TestPlatform, filter: { action?: string; targetId?: string } = {}): Promise<AuditRow[]> {
  const client = new pg.Client({ connectionString: t.database.ownerUrl });
  await client.connect();
  try {
    const { rows } = await client.query<AuditRow>(
      `select action, actor_id, target_type, target_id, after from kernel.audit_entries
        where ($1::text is null or action = $1) and ($2::text is null or target_id = $2) order by occurred_at, seq`,
      [filter.action ?? null, filter.targetId ?? null],
    );
    return rows;
  } finally {
    await client.end();
  }
}

export async function ownerQuery<T extends pg.QueryResultRow>(t: TestPlatform, text: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: t.database.ownerUrl });
  await client.connect();
  try {
    return (await client.query<T>(text, values)).rows;
  } finally {
    await client.end();
  }
}
