// Migrates one template database per run; every test file clones it (CREATE DATABASE … TEMPLATE),
// which takes milliseconds and gives each file a fresh, fully migrated database.
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrateDatabase } from '../../src/platform.js';
import { serverUrl, databaseUrl, TEMPLATE_DATABASE } from './database.js';

export default async function setup(project: TestProject) {
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    // Leftovers of earlier runs that died before cleaning up.
    const { rows } = await admin.query("select datname from pg_database where datname like 'platforma_test_%' or datname = $1", [TEMPLATE_DATABASE]);
    for (const row of rows as { datname: string }[]) await admin.query(`drop database if exists "${row.datname}" with (force)`);
    await admin.query(`create database "${TEMPLATE_DATABASE}"`);
  } finally {
    await admin.end();
  }
  await migrateDatabase(databaseUrl(TEMPLATE_DATABASE));
  project.provide('templateDatabase', TEMPLATE_DATABASE);
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
  }
}
