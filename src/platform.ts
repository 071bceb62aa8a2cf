// The composition root: builds the kernel, creates the modules in dependency order with their
// explicit dependencies, and assembles the HTTP server and the workers for the chosen role.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { DestinationStream } from 'pino';
import type { Config } from './kernel/config.js';
import { systemClock, type Clock } from './kernel/clock.js';
import { createLogger, type Logger } from './kernel/logging.js';
import { createMetrics, observeJobQueues, observePool } from './kernel/metrics.js';
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
import { UseCases } from './kernel/use-case.js';
import { createJobQueue, scheduleCron } from './kernel/jobs.js';
import type { HttpApp } from './gateway/http/server.js';
import { VERSION } from './version.js';
import { IdempotencyStore, registerIdempotency } from './gateway/http/idempotency.js';
import { problem, problemFromError, sendProblem } from './gateway/http/problem.js';
import { DatabaseUnavailableError } from './kernel/errors.js';
import { isDatabaseUnavailable } from './kernel/db/errors.js';
import type { Kernel } from './kernel/kernel.js';
import type { ModuleDefinition } from './kernel/module.js';
import { createIdentityModule, type IdentityModule } from './modules/identity/index.js';
import { createTenantsModule, type TenantsModule } from './modules/tenants/index.js';
import { createCatalogModule, type CatalogModule } from './modules/catalog/index.js';
import { createOrdersModule, type OrdersModule } from './modules/orders/index.js';
import { createNotificationsModule, type NotificationsModule } from './modules/notifications/index.js';

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
}

export interface Platform {
  app: HttpApp;
  kernel: Kernel;
  identity: IdentityModule;
  tenants: TenantsModule;
  notifications: NotificationsModule;
  catalog: CatalogModule;
  orders: OrdersModule;
  /** Starts workers (worker roles) and listens (API roles). Returns the URL listened on. */
  start(): Promise<string>;
  /** Stops accepting work, drains, closes pools, releases the embedded database. */
  close(): Promise<void>;
}

/**
 * The kernel and the modules without the HTTP server, the workers or the change feed: what the
 * console's commands (`admin create`, `api-key create`, …) act through. Building the HTTP server
 * compiles every route's schemas, seconds a one-shot command has no use for.
 */
export interface ConsolePlatform {
  kernel: Kernel;
  identity: IdentityModule;
  tenants: TenantsModule;
  notifications: NotificationsModule;
  catalog: CatalogModule;
  orders: OrdersModule;
  /** Closes the pool and releases the embedded database. */
  close(): Promise<void>;
}

interface Assembly extends Omit<ConsolePlatform, 'close'> {
  modules: ModuleDefinition[];
  secrets: ReturnType<typeof loadSecretBox>;
  changes: ChangeFeed;
}

/** The kernel, then the modules in dependency order, each with exactly what it needs. */
function assemble(options: PlatformOptions, role: Role | 'console'): Assembly {
  const { config, database } = options;
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
  const kernel: Kernel = { config, clock, logger, metrics, pool, db, changes, audit, events, jobs, useCases };
  observePool(metrics, pool, 'app');
  observeJobQueues(metrics, jobs, QUEUES.map((q) => q.name));

  const notifications = createNotificationsModule({ kernel });
  const tenants = createTenantsModule({ kernel });
  const secrets = loadSecretBox(config);
  const identity = createIdentityModule({ kernel, tenants: tenants.service, mailer: notifications.mailer, secrets });
  const catalog = createCatalogModule({ kernel, tenants: tenants.service });
  const orders = createOrdersModule({ kernel, catalog: catalog.service, tenants: tenants.service, mailer: notifications.mailer, recipients: identity.contacts });
  const modules: ModuleDefinition[] = [notifications.definition, identity.definition, tenants.definition, catalog.definition, orders.definition];
  return { kernel, identity, tenants, notifications, catalog, orders, modules, secrets, changes };
}

export async function createConsolePlatform(options: Omit<PlatformOptions, 'role'>): Promise<ConsolePlatform> {
  const { modules, ...assembly } = assemble(options, 'console');
  return {
    kernel: assembly.kernel,
    identity: assembly.identity,
    tenants: assembly.tenants,
    notifications: assembly.notifications,
    catalog: assembly.catalog,
    orders: assembly.orders,
    async close() {
      for (const module of modules) await module.stop?.();
      await assembly.kernel.db.destroy();
      await options.database.release();
    },
  };
}

export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, database } = options;
  const role = options.role ?? 'all';
  const { kernel, identity, tenants, notifications, catalog, orders, modules, secrets, changes } = assemble(options, role);
  const { logger, clock, metrics, db, jobs, events, pool } = kernel;
  void changes.listen(pool);

  // Loaded here, not at the top: the console's commands (createConsolePlatform) never serve HTTP.
  const [{ createHttpServer }, { registerAuthentication, idempotencyPrincipal }, { registerWebApps }] = await Promise.all([
    import('./gateway/http/server.js'),
    import('./gateway/authenticate.js'),
    import('./gateway/web-apps.js'),
  ]);
  const app = await createHttpServer({ logger, metrics, bodyLimit: config.bodyLimit, version: VERSION, trustedProxies: config.trustedProxies });
  registerAuthentication(app, { ...identity.authenticators, tenantStatus: (tenantId) => tenants.service.statusOf(tenantId) });
  const idempotencyStore = new IdempotencyStore(db, clock, secrets);
  registerIdempotency(app, idempotencyStore, idempotencyPrincipal);
  registerOperationalRoutes(app, kernel);
  for (const module of modules) await module.routes?.(app);
  for (const module of modules) for (const subscription of module.subscriptions ?? []) events.subscribe(subscription);
  await registerWebApps(app, config.webDist);
  await app.ready();

  let started = false;
  return {
    app,
    kernel,
    identity,
    tenants,
    notifications,
    catalog,
    orders,
    async start() {
      await jobs.start();
      started = true;
      if (role !== 'api') {
        await events.start();
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
        ]);
        for (const module of modules) await module.startWorkers?.();
      }
      return app.listen({ port: config.port, host: config.host });
    },
    async close() {
      await app.close();
      for (const module of modules) await module.stop?.();
      await changes.stop();
      if (started) {
        if (role !== 'api') await events.stop();
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

