// Fresh databases for tests, cloned from the migrated template on the PostgreSQL server named by
// TEST_DATABASE_URL or DATABASE_URL (default: the local server as postgres).
import { createHmac, randomBytes } from 'node:crypto';
import pg from 'pg';
import { inject } from 'vitest';
import { appUrlFrom } from '../../src/kernel/db/roles.js';
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

/**
 * The application role's password on the test server. Roles are cluster-wide and several test
 * runs (other checkouts, other branches) share one server at once, so every run must give the role
 * the same password or one run's `migrate` would lock the others out mid-run. It is the value
 * earlier versions derived from the owner URL (HMAC of the server's credentials), so runs of those
 * versions agree with this one. Production installations generate theirs (src/kernel/db/roles.ts).
 */
export function testAppPassword(): string {
  const url = new URL(serverUrl());
  const server = `${url.username}:${decodeURIComponent(url.password)}@${url.hostname}:${url.port || '5432'}`;
  return createHmac('sha256', server).update('platforma application role').digest('base64url');
}

/** Where the server connects as the application role to the test database at `ownerUrl`. */
export function testAppUrl(ownerUrl: string): string {
  return appUrlFrom(ownerUrl, testAppPassword());
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
  registerSecret('application role password', testAppPassword());
  return {
    name,
    ownerUrl,
    appUrl: testAppUrl(ownerUrl),
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
