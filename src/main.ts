// The `platforma` command. Every command works on the same PLATFORMA_HOME / DATABASE_URL whether or
// not a server is running: with the embedded database, a command finds the running server's
// PostgreSQL and uses it, or starts it itself and stops it again when done.
import { Command, Option } from 'commander';
import { VERSION } from './version.js';
import { maskedConfig, ConfigError, type Config } from './kernel/config.js';
import { commandLineFor, type CommandLine } from './kernel/module.js';
import { MODULES, loadPlatformConfig as loadConfig, settingsSections } from './registry.js';
import { DomainError, ValidationError } from './kernel/errors.js';
import type { DatabaseLocation } from './kernel/db/location.js';
import type { Platform, Role } from './platform.js';
import type * as Runtime from './cli-runtime.js';

/** False for what needs no database or platform (help, the version, the configuration): those answer at once. */
export function needsPlatform(args: readonly string[]): boolean {
  return !(args.length === 0 || args[0] === 'help' || args[0] === 'config' || args.some((arg) => ['-h', '--help', '-V', '--version'].includes(arg)));
}

// The commands' machinery (the platform, its modules and their dependencies) is loaded before the
// program parses, unless the command needs none of it.
const {
  pg,
  createLogger,
  locateDatabase,
  loadMigrations,
  readMigrationState,
  createDb,
  createPool,
  verifyAuditChains,
  createAuditCheckpoint,
  loadAuditSigner,
  systemClock,
  platformModules,
  migrateDatabase,
  MIGRATION_SOURCES,
}: typeof Runtime = needsPlatform(process.argv.slice(2)) ? await import('./cli-runtime.js') : ({} as typeof Runtime);

function config(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(`Configuration error: ${error.message}`);
      process.exit(78); // EX_CONFIG
    }
    throw error;
  }
}

/**
 * The exact command line that reaches this process's database from another terminal: the settings
 * that locate it (the config file, the data directory or DATABASE_URL, the public URL), not the
 * defaults a bare `npx platforma …` would fall back to and quietly make a second database with.
 */
function commandFor(cfg: Config, database: DatabaseLocation, args: string): string {
  const quote = (value: string) => (/^[\w@%+=:,./-]+$/.test(value) ? value : `'${value.replace(/'/g, `'\\''`)}'`);
  const settings: string[] = [];
  if (process.env.PLATFORMA_CONFIG) settings.push(`PLATFORMA_CONFIG=${quote(process.env.PLATFORMA_CONFIG)}`);
  if (database.embedded) settings.push(`PLATFORMA_HOME=${quote(cfg.home)}`);
  else if (process.env.DATABASE_URL) settings.push('DATABASE_URL=<the same as this server’s>');
  if (process.env.PUBLIC_URL || process.env.PORT) settings.push(`PUBLIC_URL=${quote(cfg.publicUrl)}`);
  return [...settings, 'npx platforma', args].join(' ');
}

/** Which database a command works on, said on stderr (stdout may be JSON for a script). */
function describeDatabase(cfg: Config, database: DatabaseLocation): string {
  if (database.embedded) return `the embedded PostgreSQL in ${cfg.home}`;
  const url = new URL(database.ownerUrl);
  return `DATABASE_URL ${url.hostname}:${url.port || '5432'}${url.pathname}`;
}

/** Runs a command against the database, always letting go of the embedded server afterwards. */
async function withDatabase<T>(work: (database: DatabaseLocation, config: Config) => Promise<T>): Promise<T> {
  const cfg = config();
  const database = await locateDatabase(cfg);
  console.error(`Using ${describeDatabase(cfg, database)}.`);
  try {
    return await work(database, cfg);
  } finally {
    await database.release();
  }
}

function fail(error: unknown): never {
  if (error instanceof ValidationError) {
    console.error(`${error.message}\n${error.fieldErrors.map((e) => `  ${e.pointer.replace(/^\//, '--')}: ${e.message}`).join('\n')}`);
  } else if (error instanceof DomainError || error instanceof Error) {
    console.error(error.message);
  } else {
    console.error(String(error));
  }
  process.exit(1);
}

const program = new Command('platforma').description('Platforma: the control plane for a cloud or SaaS platform business').version(VERSION);

program
  .command('start')
  .description('Migrate the database, then serve the API, the web apps and the workers')
  .addOption(new Option('--role <role>', 'which part to run').choices(['all', 'api', 'worker']).default('all'))
  .action(async (options: { role: Role }) => {
    const cfg = config();
    const logger = createLogger(cfg.logLevel);
    const startedAt = performance.now();
    const database = await locateDatabase(cfg).catch((error: unknown) => {
      logger.fatal({ err: error }, 'the database could not be reached or started');
      return fail(error);
    });
    // The server outlives a crash of the embedded database it uses: it restarts it and reconnects.
    database.supervise?.(logger);
    let platform: Platform | undefined;
    let admins = 0;
    let stopping = false;
    const stop = async (signal: string) => {
      if (stopping) return;
      stopping = true;
      logger.info({ signal }, 'stopping');
      try {
        if (platform) await platform.close();
        else await database.release();
      } finally {
        process.exit(0);
      }
    };
    process.once('SIGINT', () => void stop('SIGINT'));
    process.once('SIGTERM', () => void stop('SIGTERM'));
    try {
      const applied = await migrateDatabase(database.ownerUrl, database.appUrl, database.appPassword);
      if (applied.length > 0) logger.info({ applied }, 'migrations applied');
      const { createPlatform } = await platformModules();
      platform = await createPlatform({ config: cfg, database, role: options.role, logger });
      // Counted before listening, so the banner follows "ready" at once instead of racing a query.
      admins = await platform.identity.service.platformAdminCount();
      await platform.start();
    } catch (error) {
      logger.fatal({ err: error }, 'start-up failed');
      await database.release().catch(() => {});
      fail(error);
    }
    const url = cfg.publicUrl;
    const readyMs = Math.round(performance.now() - startedAt);
    const lines = [
      '',
      `  Platforma ${VERSION} is ready in ${readyMs} ms (${database.embedded ? `embedded PostgreSQL in ${cfg.home}` : 'DATABASE_URL'}, role ${options.role})`,
      `  Admin dashboard: ${url}/admin   Customer portal: ${url}/portal   Partner portal: ${url}/partner`,
      `  API: ${url}/api/v1   Docs: ${url}/docs`,
    ];
    if (admins === 0) {
      lines.push(
        '',
        '  No administrator exists yet. Create the first one (in another terminal, same directory):',
        `    ${commandFor(cfg, database, 'admin create --email you@example.com')}`,
        '  (it asks for the password through PLATFORMA_ADMIN_PASSWORD or --password), then sign in at the admin dashboard.',
      );
    } else {
      lines.push(`  Sign in at ${url}/admin with an administrator's email and password.`);
    }
    if (cfg.insecureNoAuth) lines.push('', '  !!! AUTHENTICATION IS OFF (PLATFORMA_INSECURE_NO_AUTH): every request acts as a platform administrator. Benchmarks only. !!!');
    console.log(`${lines.join('\n')}\n`);
  });

program
  .command('migrate')
  .description('Apply pending database migrations (start does this too)')
  .action(() =>
    withDatabase(async (database) => {
      const applied = await migrateDatabase(database.ownerUrl, database.appUrl, database.appPassword);
      console.log(applied.length === 0 ? 'The database is up to date.' : `Applied ${applied.length} migration(s):\n${applied.map((m) => `  ${m}`).join('\n')}`);
    }).catch(fail),
  );

/**
 * Runs a module's console command: the database located and migrated, the modules built without
 * HTTP or workers, everything released afterwards; a failure is printed for people, exit 1.
 */
const withPlatform: CommandLine['withPlatform'] = (work) =>
  withDatabase(async (database, cfg) => {
    const applied = await migrateDatabase(database.ownerUrl, database.appUrl, database.appPassword);
    // A database this command had to create from nothing is rarely the one a running server uses.
    if (applied.length > 0 && applied.length === loadMigrations(MIGRATION_SOURCES).length) {
      console.error(`Note: ${describeDatabase(cfg, database)} was empty until now: it is a new installation. If your server runs with another PLATFORMA_HOME or DATABASE_URL, use the command its start-up printed.`);
    }
    const { createConsolePlatform } = await platformModules();
    const platform = await createConsolePlatform({ config: cfg, database: { ...database, release: async () => {} }, logger: createLogger('warn') });
    try {
      await work(platform, cfg);
    } finally {
      await platform.close();
    }
  }).catch(fail);

// Each module adds its own commands (its manifest's `commands`).
for (const module of MODULES) module.commands?.(commandLineFor(module, { program, withPlatform }));

const audit = program.command('audit').description('Audit log tools');
audit
  .command('verify')
  .description('Walk every audit hash chain and check the signed checkpoints; exit 1 naming the first broken entry of each broken chain and each bad checkpoint')
  .option('--public-key <key...>', 'checkpoint signing public key(s) to trust (base64url, as `audit checkpoint` prints); the local signing key is trusted too when there is one')
  .option('--checkpoint <seq:hash>', 'a checkpoint you kept from earlier (as `audit checkpoint` prints it): it must still be there, unchanged')
  .action((options: { publicKey?: string[]; checkpoint?: string }) =>
    withDatabase(async (database, cfg) => {
      let expect: { seq: number; hash: string } | undefined;
      if (options.checkpoint !== undefined) {
        const match = /^(\d+):([0-9a-f]{64})$/.exec(options.checkpoint.trim());
        if (!match) throw new Error('--checkpoint must be <seq>:<hash>, e.g. 12:3f5a…, as `platforma audit checkpoint` prints it.');
        expect = { seq: Number(match[1]), hash: match[2]! };
      }
      // The verifier never creates a key: one that is not there is simply not trusted.
      const local = loadAuditSigner(cfg, { create: false })?.publicKey;
      const trustedKeys = [...(options.publicKey ?? []), ...(local ? [local] : [])];
      const pool = createPool(database.ownerUrl, 2);
      const db = createDb(pool);
      try {
        const report = await verifyAuditChains(db, { trustedKeys, expect });
        const { checkpoints } = report;
        for (const broken of report.breaks) console.error(`BROKEN chain ${broken.chain} at #${broken.seq}${broken.entryId ? ` (${broken.entryId})` : ''}: ${broken.reason}: ${broken.message}`);
        for (const broken of checkpoints.breaks) console.error(`BROKEN checkpoint${broken.seq === null ? '' : ` #${broken.seq}`}: ${broken.message}`);
        const anchored = checkpoints.latest
          ? `chain heads match checkpoint #${checkpoints.latest.seq} of ${checkpoints.latest.createdAt} (${checkpoints.checkpoints} checkpoint(s), signatures checked against ${checkpoints.keys === 'trusted' ? 'trusted keys' : 'the keys recorded in them: give --public-key to anchor them'})`
          : 'no signed checkpoint yet, so entries cut from the end of a chain with its head, or a whole chain, cannot be detected';
        if (report.breaks.length === 0 && checkpoints.breaks.length === 0) {
          console.log(`Audit log intact: ${report.chains} chain(s), ${report.entries} entries verified; ${anchored}.`);
          return;
        }
        if (report.breaks.length > 0) console.error(`${report.breaks.length} of ${report.chains} chain(s) broken.`);
        if (checkpoints.breaks.length > 0) console.error(`${checkpoints.breaks.length} checkpoint problem(s) among ${checkpoints.checkpoints} checkpoint(s).`);
        process.exitCode = 1;
      } finally {
        await db.destroy();
      }
    }).catch(fail),
  );
audit
  .command('checkpoint')
  .description('Record a signed checkpoint of every audit chain head now (workers do it on AUDIT_CHECKPOINT_CRON); prints what to keep')
  .action(() =>
    withDatabase(async (database, cfg) => {
      await migrateDatabase(database.ownerUrl, database.appUrl, database.appPassword);
      const signer = loadAuditSigner(cfg, { create: true })!;
      // As the application role, like the workers: checkpoints are written by who may only add them.
      const db = createDb(createPool(database.appUrl, 1));
      try {
        const { checkpoint, created } = await createAuditCheckpoint(db, signer, systemClock);
        console.log(
          [
            `${created ? 'Recorded' : 'Nothing changed since'} checkpoint #${checkpoint.seq} of ${checkpoint.chains} chain(s) at ${checkpoint.createdAt}.`,
            `  checkpoint: ${checkpoint.seq}:${checkpoint.hash}`,
            `  public key: ${checkpoint.publicKey}`,
            'Keep both outside this installation; `platforma audit verify --public-key <key> --checkpoint <seq:hash>` then proves nothing recorded up to it was cut off or rewritten.',
          ].join('\n'),
        );
      } finally {
        await db.destroy();
      }
    }).catch(fail),
  );

const configCommand = program.command('config').description('Configuration');
configCommand
  .command('print')
  .description('Show the effective configuration, secrets masked')
  .action(() => {
    console.log(JSON.stringify(maskedConfig(config(), settingsSections()), null, 2));
  });

program
  .command('doctor')
  .description('Check configuration, database reachability, migrations and versions, and say what to fix')
  .action(async () => {
    const checks: { name: string; ok: boolean; detail: string; fix?: string }[] = [];
    let cfg: Config;
    try {
      cfg = loadConfig();
      checks.push({ name: 'configuration', ok: true, detail: 'valid' });
    } catch (error) {
      checks.push({ name: 'configuration', ok: false, detail: (error as Error).message, fix: 'Correct the named variable.' });
      return report(checks);
    }
    const [major] = process.versions.node.split('.').map(Number);
    checks.push({ name: 'node', ok: (major ?? 0) >= 20, detail: process.versions.node, fix: 'Install Node.js 20 or newer.' });
    let database: DatabaseLocation | undefined;
    try {
      database = await locateDatabase(cfg);
      const client = new pg.Client({ connectionString: database.ownerUrl, connectionTimeoutMillis: 5000 });
      await client.connect();
      try {
        const version = (await client.query('show server_version')).rows[0] as { server_version: string };
        checks.push({ name: 'database', ok: true, detail: `PostgreSQL ${version.server_version} (${database.embedded ? 'embedded' : 'DATABASE_URL'})` });
        const state = await readMigrationState(client, loadMigrations(MIGRATION_SOURCES));
        if (state.unknown.length > 0) {
          checks.push({ name: 'migrations', ok: false, detail: `database is newer than this code (${state.unknown[0]})`, fix: 'Upgrade Platforma.' });
        } else if (state.pending.length > 0) {
          checks.push({ name: 'migrations', ok: false, detail: `${state.pending.length} pending`, fix: 'Run `npx platforma migrate` (start also migrates).' });
        } else {
          checks.push({ name: 'migrations', ok: true, detail: `${state.applied.length} applied, none pending` });
        }
      } finally {
        await client.end();
      }
      const app = new pg.Client({ connectionString: database.appUrl, connectionTimeoutMillis: 5000 });
      try {
        await app.connect();
        const role = (await app.query('select rolbypassrls, rolsuper from pg_roles where rolname = current_user')).rows[0] as { rolbypassrls: boolean; rolsuper: boolean } | undefined;
        const safe = role !== undefined && !role.rolbypassrls && !role.rolsuper;
        checks.push({ name: 'application role', ok: safe, detail: safe ? 'connects; no BYPASSRLS, not superuser' : 'bypasses row-level security', fix: 'Use a role without SUPERUSER or BYPASSRLS for DATABASE_APP_URL.' });
      } catch (error) {
        checks.push({ name: 'application role', ok: false, detail: (error as Error).message, fix: 'Run `npx platforma migrate` to create the application role, or set DATABASE_APP_URL.' });
      } finally {
        await app.end().catch(() => {});
      }
    } catch (error) {
      checks.push({ name: 'database', ok: false, detail: (error as Error).message, fix: cfg.databaseUrl ? 'Check that DATABASE_URL points to a running PostgreSQL and the credentials are right.' : `Check ${cfg.home}/postgres.log.` });
    } finally {
      await database?.release();
    }
    report(checks);

    function report(list: typeof checks) {
      for (const check of list) console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${check.name}: ${check.detail}${!check.ok && check.fix ? `\n     fix: ${check.fix}` : ''}`);
      if (list.some((c) => !c.ok)) process.exitCode = 1;
    }
  });

await program.parseAsync(process.argv);
