// The composition root: builds the kernel, creates the modules in dependency order with their
// explicit dependencies, and assembles the HTTP server and the workers for the chosen role.
import { createHash, timingSafeEqual } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { DestinationStream } from 'pino';
import type { Config } from './kernel/config.js';
import { systemClock, type Clock } from './kernel/clock.js';
import { createLogger, type Logger } from './kernel/logging.js';
import { createMetrics, observeJobQueues, observePool } from './kernel/metrics.js';
import { ChangeFeed } from './kernel/db/change-feed.js';
import { createDb, createPool } from './kernel/db/database.js';
import { loadMigrations, migrate, assertMigrated, type MigrationSource } from './kernel/db/migrations.js';
import { ensureAppRole, type AppPasswordAuthority } from './kernel/db/roles.js';
import type { DatabaseLocation } from './kernel/db/location.js';
import { AuditLog } from './kernel/audit.js';
import { createAuditCheckpoint, loadAuditSigner } from './kernel/audit-checkpoints.js';
import { loadSecretBox } from './kernel/encryption.js';
import { EventDispatcher, DELIVERY_QUEUE } from './kernel/outbox.js';
import { createJobQueue, installJobQueue, scheduleCron, type QueueDefinition } from './kernel/jobs.js';
import { createHttpServer, type HttpApp } from './kernel/http/server.js';
import { VERSION } from './version.js';
import { IdempotencyStore, registerIdempotency } from './kernel/http/idempotency.js';
import { problem, problemFromError, sendProblem } from './kernel/http/problem.js';
import { DatabaseUnavailableError } from './kernel/errors.js';
import { isDatabaseUnavailable } from './kernel/db/errors.js';
import type { Kernel } from './kernel/kernel.js';
import type { ModuleDefinition } from './kernel/module.js';
import { registerAuthentication, idempotencyPrincipal } from './gateway/authenticate.js';
import { registerWebApps } from './gateway/web-apps.js';
import { createIdentityModule, type IdentityModule } from './modules/identity/index.js';
import { createTenantsModule, type TenantsModule } from './modules/tenants/index.js';
import { createCatalogModule, type CatalogModule } from './modules/catalog/index.js';
import { createOrdersModule, type OrdersModule } from './modules/orders/index.js';
import { createNotificationsModule, MAIL_QUEUE, type NotificationsModule } from './modules/notifications/index.js';
import pg from 'pg';

export { VERSION } from './version.js';

const moduleDir = (name: string) => fileURLToPath(new URL(`./modules/${name}/migrations`, import.meta.url));

/** Every migration folder, kernel first. Adding a module adds its line here. */
export const MIGRATION_SOURCES: MigrationSource[] = [
  { module: 'kernel', directory: fileURLToPath(new URL('./kernel/migrations', import.meta.url)) },
  { module: 'identity', directory: moduleDir('identity') },
  { module: 'tenants', directory: moduleDir('tenants') },
  { module: 'notifications', directory: moduleDir('notifications') },
  { module: 'catalog', directory: moduleDir('catalog') },
  { module: 'orders', directory: moduleDir('orders') },
];

const MAINTENANCE_QUEUE = 'kernel-maintenance';
/** Records a signed checkpoint of the audit chain heads (docs/adr/0011), on config.auditCheckpointCron. */
const AUDIT_CHECKPOINT_QUEUE = 'kernel-audit-checkpoint';

/** Every job queue; created by the owner during migration (the application role cannot create them). */
export const QUEUES: QueueDefinition[] = [
  { name: DELIVERY_QUEUE, retryLimit: 10, retryDelay: 1, retryBackoff: true },
  { name: MAINTENANCE_QUEUE, retryLimit: 2 },
  { name: AUDIT_CHECKPOINT_QUEUE, retryLimit: 2 },
  MAIL_QUEUE,
];

/**
 * Brings the database to the code's schema: roles, module migrations, the job queue's schema.
 * `appUrl` is where the server will connect as the application role. Its password becomes the
 * role's when `appPassword` is 'authoritative' (DATABASE_APP_URL, the embedded server); a 'local'
 * one (generated under PLATFORMA_HOME for an external database) only creates the role, and an
 * existing role with another password fails here naming DATABASE_APP_URL (docs/adr/0012).
 */
export async function migrateDatabase(ownerUrl: string, appUrl: string, appPassword: AppPasswordAuthority = 'authoritative'): Promise<string[]> {
  const admin = new pg.Client({ connectionString: ownerUrl });
  await admin.connect();
  try {
    await ensureAppRole(admin, appUrl, appPassword);
  } finally {
    await admin.end();
  }
  return migrate(ownerUrl, loadMigrations(MIGRATION_SOURCES), (client) => installJobQueue(ownerUrl, QUEUES, client));
}

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

export async function createPlatform(options: PlatformOptions): Promise<Platform> {
  const { config, database } = options;
  const role = options.role ?? 'all';
  const logger = options.logger ?? createLogger(config.logLevel, options.logDestination);
  const clock = options.clock ?? systemClock;
  const metrics = createMetrics();
  const pool = createPool(database.appUrl, 10);
  const db = createDb(pool);
  const jobs = createJobQueue({ connectionString: database.appUrl, supervise: role !== 'api' });
  jobs.on('error', (error: Error) => logger.error({ err: error }, 'job queue error'));
  const audit = new AuditLog(clock);
  const events = new EventDispatcher(db, jobs, clock, logger);
  const changes = new ChangeFeed(logger);
  void changes.listen(pool);
  const kernel: Kernel = { config, clock, logger, metrics, pool, db, changes, audit, events, jobs };
  observePool(metrics, pool, 'app');
  observeJobQueues(metrics, jobs, QUEUES.map((q) => q.name));

  // Modules, in dependency order, each with exactly what it needs.
  const notifications = createNotificationsModule({ kernel });
  const tenants = createTenantsModule({ kernel });
  const secrets = loadSecretBox(config);
  const identity = createIdentityModule({ kernel, tenants: tenants.service, mailer: notifications.mailer, secrets });
  const catalog = createCatalogModule({ kernel, tenants: tenants.service });
  const orders = createOrdersModule({ kernel, catalog: catalog.service, tenants: tenants.service, mailer: notifications.mailer, recipients: identity.contacts });
  const modules: ModuleDefinition[] = [notifications.definition, identity.definition, tenants.definition, catalog.definition, orders.definition];

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

