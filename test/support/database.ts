// Fresh databases for tests, cloned from the migrated template on the PostgreSQL server named by
// TEST_DATABASE_URL or DATABASE_URL (default: the local server as postgres).
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { appUrlFrom, derivedAppPassword } from '../../src/kernel/db/roles.js';
import { registerSecret } from './suite-log.js';


/** A URL for the server's maintenance database (used to create and drop databases). */
export function serverUrl(): string {
  const base = new URL(process.env.TEST_DATABASE_URL ?? process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  base.pathname = '/postgres';
  return base.toString();
}

export function databaseUrl(name: string): string {
  const url = new URL(serverUrl());
  url.pathname = `/${name}`;
  return url.toString();
}

export interface TestDatabase {
  name: string;
  ownerUrl: string;
  appUrl: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(template = inject('templateDatabase')): Promise<TestDatabase> {
  const name = `${inject('testRunPrefix')}${randomBytes(5).toString('hex')}`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`create database "${name}" template "${template}"`);
  } finally {
    await admin.end();
  }
  const ownerUrl = databaseUrl(name);
  registerSecret('application role password', derivedAppPassword(ownerUrl));
  return {
    name,
    ownerUrl,
    appUrl: appUrlFrom(ownerUrl),
    async drop() {
      const client = new pg.Client({ connectionString: serverUrl() });
      await client.connect();
      try {
        await client.query(`drop database if exists "${name}" with (force)`);
      } finally {
        await client.end();
      }
    },
  };
}

/** An empty database (no migrations), for migration tests. */
export async function createEmptyDatabase(): Promise<TestDatabase> {
  return createTestDatabase('template0');
}
