// Migrates one template database per run; every test file clones it (CREATE DATABASE … TEMPLATE),
// which takes milliseconds and gives each file a fresh, fully migrated database. Names carry the
// run's id so concurrent runs on one server never touch each other's databases.
import { mkdirSync, rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import pg from 'pg';
import { migrateDatabase } from '../../src/platform.js';
import { serverUrl, databaseUrl, testAppUrl } from './database.js';
import { suiteLogDirectoryOf } from './suite-log.js';

async function dropDatabases(prefix: string): Promise<void> {
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    const { rows } = await admin.query('select datname from pg_database where starts_with(datname, $1)', [prefix]);
    for (const row of rows as { datname: string }[]) await admin.query(`drop database if exists "${row.datname}" with (force)`);
  } finally {
    await admin.end();
  }
}

export default async function setup(project: TestProject) {
  const runId = `${process.pid.toString(36)}${Date.now().toString(36)}`;
  const template = `platforma_test_${runId}_template`;
  const admin = new pg.Client({ connectionString: serverUrl() });
  await admin.connect();
  try {
    await admin.query(`create database "${template}"`);
  } finally {
    await admin.end();
  }
  await migrateDatabase(databaseUrl(template), testAppUrl(databaseUrl(template)));
  project.provide('templateDatabase', template);
  project.provide('testRunPrefix', `platforma_test_${runId}_`);
  // The logs and secrets of this run, scanned by the log-scan project after every other file.
  const logDirectory = suiteLogDirectoryOf(process.pid);
  rmSync(logDirectory, { recursive: true, force: true });
  mkdirSync(logDirectory, { recursive: true });
  project.provide('suiteLogDirectory', logDirectory);
  return async () => {
    await dropDatabases(`platforma_test_${runId}_`);
    rmSync(logDirectory, { recursive: true, force: true });
  };
}

declare module 'vitest' {
  export interface ProvidedContext {
    templateDatabase: string;
    testRunPrefix: string;
  }
}
