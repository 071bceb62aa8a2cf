// The composition root: builds the kernel, builds the registry's modules in order (each receiving
// the kernel services it declares as its ports and the public APIs of the modules it requires),
// and assembles the HTTP server and the workers for the chosen role from what the modules give.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DestinationStream } from 'pino';
import type { Config } from './kernel/config.js';
import { systemClock, type Clock } from './kernel/clock.js';
import { createLogger, type Logger } from './kernel/logging.js';
import { createMetrics, observeDeadLetters, observeJobQueues, observePool } from './kernel/metrics.js';
import { ChangeFeed } from './kernel/db/change-feed.js';
import { createDb, createPool } from './kernel/db/database.js';
import { loadMigrations, assertMigrated } from './kernel/db/migrations.js';
import { MIGRATION_SOURCES, QUEUES } from './database-schema.js';
import { MAINTENANCE_QUEUE, AUDIT_CHECKPOINT_QUEUE } from './kernel/queues.js';
import type { DatabaseLocation } from './kernel/db/location.js';
import { AuditLog } from './kernel/audit.js';
import { createAuditCheckpoint, loadAuditSigner } from './kernel/audit-checkpoints.js';
import { loadSecretBox } from './kernel/encryption.js';
import { EventDispatcher } from './kernel/outbox.js';
import { UseCases, type DeclaredUseCase } from './kernel/use-case.js';
import { WorkflowEngine } from './kernel/workflow.js';
import { createJobQueue, scheduleCron } from './kernel/jobs.js';
import type { HttpApp } from './gateway/http/server.js';
import { VERSION } from './version.js';
import { IdempotencyStore, registerIdempotency } from './gateway/http/idempotency.js';
import { problem, problemFromError, sendProblem } from './gateway/http/problem.js';
import { DatabaseUnavailableError } from './kernel/errors.js';
import { isDatabaseUnavailable } from './kernel/db/errors.js';
import type { Kernel } from './kernel/kernel.js';
import { checkModulePorts, kernelPorts, type ModuleApis, type ModuleInstance, type ModuleManifest, type ModuleName } from './kernel/module.js';
import { MODULES, checkModuleOrder } from './registry.js';

export { VERSION } from './version.js';
export { MIGRATION_SOURCES, QUEUES, migrateDatabase } from './database-schema.js';

export type Role = 'all' | 'api' | 'worker';

export interface PlatformOptions {
  config: Config;
  database: DatabaseLocation;
  role?: Role;
  clock?: Clock;
  logDestination?: DestinationStream;
  logger?: Logger;
  /**
   * The modules to build, in order: the registry's unless given (src/registry.test.ts gives the
   * registry's own manifests, watched, to see what each factory receives).
   */
  modules?: readonly ModuleManifest[];
}

/** The platform: the kernel, every module's public API by name, the HTTP server and the workers. */
export type Platform = ModuleApis & {
  app: HttpApp;
  kernel: Kernel;
  /** Every module's declared use cases (their actions are what routes declare). */
  declaredUseCases: readonly DeclaredUseCase[];
  /** Starts workers (worker roles) and listens (API roles). Returns the URL listened on. */
  start(): Promise<string>;
  /** Stops accepting work, drains, closes pools, releases the embedded database. */
  close(): Promise<void>;
};

/**
 * The kernel and the modules without the HTTP server, the workers or the change feed: what the
 * console's commands (`admin create`, `api-key create`, …) act through. Building the HTTP server
 * compiles every route's schemas, seconds a one-shot command has no use for.
 */
export type ConsolePlatform = ModuleApis & {
  kernel: Kernel;
  /** Closes the pool and releases the embedded database. */
  close(): Promise<void>;
};

interface Assembly {
  kernel: Kernel;
  apis: ModuleApis;
  /** The built modules, in registry order. */
  modules: { manifest: ModuleManifest; instance: ModuleInstance<unknown> }[];
  changes: ChangeFeed;
}

/** The kernel, then the registry's modules in order, each with exactly the ports and modules it declares. */
async function assemble(options: PlatformOptions, role: Role | 'console'): Promise<Assembly> {
  const { config, database } = options;
  // The registry's list was checked when it was imported; another is checked before anything opens.
  const manifests = options.modules ?? MODULES;
  checkModuleOrder(manifests);
  checkModulePorts(manifests);
  const logger = options.logger ?? createLogger(config.logLevel, options.logDestination);
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();
  const pool = createPool(database.appUrl, role === 'console' ? 2 : 10);
  const db = createDb(pool);
  const jobs = createJobQueue({ connectionString: database.appUrl, supervise: role !== 'api' && role !== 'console' });
  jobs.on('error', (error: Error) => logger.error({ err: error }, 'job queue error'));
  const audit = new AuditLog(clock);
  const events = new EventDispatcher(db, jobs, clock, logger);
  const changes = new ChangeFeed(logger);
  const useCases = new UseCases({ db, audit, clock });
  const secrets = loadSecretBox(config);
  const workflows = new WorkflowEngine(db, jobs, clock, logger);
  const kernel: Kernel = { config, clock, logger, metrics, pool, db, changes, audit, events, jobs, useCases, secrets, workflows };
  observePool(metrics, pool, 'app');
  observeJobQueues(metrics, jobs, QUEUES.map((q) => q.name));
  observeDeadLetters(metrics, () => events.countDeadLetters());

  const apis: Partial<Record<ModuleName, unknown>> = {};
  const modules: Assembly['modules'] = [];
  const factories = await Promise.all(manifests.map((manifest) => manifest.load()));
  manifests.forEach((manifest, index) => {
    const allowed = new Set<string>(manifest.requires ?? []);
    const use = <K extends ModuleName>(name: K): ModuleApis[K] => {
      // A module reaches only what its manifest declares it requires: the registry's order and the
      // dependency graph in the docs stay true.
      if (!allowed.has(name)) throw new Error(`module ${manifest.name} uses ${name} without requiring it in its manifest`);
      return apis[name] as ModuleApis[K];
    };
    // Likewise the kernel: an object holding only the services the manifest declares as its ports.
    const instance = factories[index]!({ kernel: kernelPorts(kernel, manifest.ports), use });
    apis[manifest.name] = instance.api;
    modules.push({ manifest, instance });
  });
  return { kernel, apis: apis as ModuleApis, modules, changes };
}

export async function createConsolePlatform(options: Omit<PlatformOptions, 'role'>): Promise<ConsolePlatform> {
  const { modules, kernel, apis } = await assemble(options, 'console');
  return {
    ...apis,
    kernel,
    async close() {
      for (const { instance } of modules) await instance.stop?.();
      await kernel.db.destroy();
      await options.database.release();
    },
  };
}

export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, database } = options;
  const role = options.role ?? 'all';
  const { kernel, apis, modules, changes } = await assemble(options, role);
  const { logger, clock, metrics, db, jobs, events, pool, secrets } = kernel;
  // Caches keep what they read only while the change feed listens; the feed starts here, while the
  // HTTP server is built, and the platform is handed out once it is up (or after a bounded wait:
  // without it the caches only stay off, and the feed keeps reconnecting on its own).
  const listening = changes.listen(pool).catch((error: unknown) => logger.warn({ err: error }, 'change feed not listening yet; caches stay off until it does'));

  // Loaded here, not at the top: the console's commands (createConsolePlatform) never serve HTTP.
  const [{ createHttpServer }, { registerAuthentication, idempotencyPrincipal }, { registerWebApps }] = await Promise.all([
    import('./gateway/http/server.js'),
    import('./gateway/authenticate.js'),
    import('./gateway/web-apps.js'),
  ]);
  const app = await createHttpServer({ logger, metrics, bodyLimit: config.bodyLimit, version: VERSION, trustedProxies: config.trustedProxies });
  registerAuthentication(app, { ...apis.identity.authenticators, tenantStatus: async (tenantId) => (await apis.tenants.service.profileOf(tenantId))?.status });
  const idempotencyStore = new IdempotencyStore(db, clock, secrets);
  registerIdempotency(app, idempotencyStore, idempotencyPrincipal);
  registerOperationalRoutes(app, kernel);
  for (const { instance } of modules) await instance.routes?.(app);
  for (const { instance } of modules) for (const subscription of instance.subscriptions ?? []) events.subscribe(subscription);
  await registerWebApps(app, config.webDist);
  await app.ready();
  await Promise.race([listening, new Promise((resolve) => setTimeout(resolve, 5000).unref())]);

  let started = false;
  return {
    ...apis,
    app,
    kernel,
    declaredUseCases: modules.flatMap(({ instance }) => instance.useCases ?? []),
    async start() {
      await jobs.start();
      started = true;
      if (role !== 'api') {
        await events.start();
        await kernel.workflows.startWorkers();
        await jobs.work(MAINTENANCE_QUEUE, async () => {
          const cutoff = new Date(clock.now().getTime() - 24 * 3600 * 1000);
          await idempotencyStore.pruneOlderThan(cutoff);
        });
        // The signing key is loaded (made on first use) only where checkpoints are written.
        const signer = loadAuditSigner(config, { create: true })!;
        await jobs.work(AUDIT_CHECKPOINT_QUEUE, async () => {
          const { checkpoint, created } = await createAuditCheckpoint(db, signer, clock);
          if (created) logger.info({ checkpoint: checkpoint.seq, chains: checkpoint.chains, hash: checkpoint.hash }, 'audit checkpoint recorded');
        });
        await scheduleCron(jobs, [
          { queue: MAINTENANCE_QUEUE, cron: '*/15 * * * *' },
          { queue: AUDIT_CHECKPOINT_QUEUE, cron: config.auditCheckpointCron },
          ...modules.flatMap(({ manifest }) => manifest.crons ?? []),
        ]);
        for (const { instance } of modules) await instance.startWorkers?.();
      }
      return app.listen({ port: config.port, host: config.host });
    },
    async close() {
      await app.close();
      for (const { instance } of modules) await instance.stop?.();
      await changes.stop();
      if (started) {
        if (role !== 'api') {
          await kernel.workflows.stop();
          await events.stop();
        }
        await jobs.stop({ graceful: true, wait: true, timeout: 5000 });
      }
      await db.destroy();
      await database.release();
    },
  };
}

function registerOperationalRoutes(app: HttpApp, kernel: Kernel): void {
  const migrations = loadMigrations(MIGRATION_SOURCES);
  app.get('/healthz', { config: { public: true }, schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    const client = await kernel.pool.connect().catch(() => undefined);
    if (!client) return sendProblem(reply, problemFromError(request, new DatabaseUnavailableError()));
    try {
      await assertMigrated(client, migrations);
      return { status: 'ready' };
    } catch (error) {
      if (isDatabaseUnavailable(error)) return sendProblem(reply, problemFromError(request, new DatabaseUnavailableError()));
      return sendProblem(reply, { ...problem(request, 'PLAT_INTERNAL', (error as Error).message), status: 503 });
    } finally {
      client.release();
    }
  });
  // Metrics name every route and how busy the server, its pool and queues are: for the operator's
  // scraper only. Closed unless METRICS_TOKEN is set; then the scraper sends it as a bearer token
  // (compared as digests in constant time, so the comparison leaks neither length nor prefix).
  const metricsToken = kernel.config.metricsToken === undefined ? undefined : createHash('sha256').update(kernel.config.metricsToken).digest();
  app.get('/metrics', { config: { public: true }, schema: { hide: true } }, async (request, reply) => {
    if (metricsToken === undefined) {
      return sendProblem(reply, problem(request, 'PLAT_ROUTE_NOT_FOUND', 'Metrics are not served: set METRICS_TOKEN and scrape with Authorization: Bearer <token>.'));
    }
    const given = /^Bearer (\S+)$/i.exec(request.headers.authorization ?? '')?.[1];
    if (given === undefined || !timingSafeEqual(createHash('sha256').update(given).digest(), metricsToken)) {
      reply.header('www-authenticate', 'Bearer realm="metrics"');
      return sendProblem(reply, problem(request, 'PLAT_UNAUTHENTICATED', 'Scraping /metrics needs Authorization: Bearer <METRICS_TOKEN>.'));
    }
    reply.type(kernel.metrics.registry.contentType);
    return kernel.metrics.registry.metrics();
  });
  app.get('/api/v1/openapi.json', { config: { public: true }, schema: { hide: true } }, async () => app.swagger());
}

