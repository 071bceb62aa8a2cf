// Prometheus metrics (prom-client) in a registry per platform instance, so tests can build
// several apps in one process. Served at /metrics.
import { Registry, Histogram, Gauge, collectDefaultMetrics } from 'prom-client';
import type pg from 'pg';
import type PgBoss from 'pg-boss';

export interface Metrics {
  registry: Registry;
  httpRequestDuration: Histogram<'method' | 'route' | 'status_code'>;
}

export function createMetrics(): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'platforma_' });
  const httpRequestDuration = new Histogram({
    name: 'platforma_http_request_duration_seconds',
    help: 'HTTP request duration by route template and status code',
    labelNames: ['method', 'route', 'status_code'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  return { registry, httpRequestDuration };
}

export function observePool(metrics: Metrics, pool: pg.Pool, name: string): void {
  new Gauge({
    name: `platforma_db_pool_${name}_connections`,
    help: `Connections of the ${name} database pool by state`,
    labelNames: ['state'] as const,
    registers: [metrics.registry],
    collect() {
      this.set({ state: 'total' }, pool.totalCount);
      this.set({ state: 'idle' }, pool.idleCount);
      this.set({ state: 'waiting' }, pool.waitingCount);
    },
  });
}

export function observeJobQueues(metrics: Metrics, boss: PgBoss, queues: string[]): void {
  new Gauge({
    name: 'platforma_job_queue_depth',
    help: 'Jobs waiting to be worked, by queue',
    labelNames: ['queue'] as const,
    registers: [metrics.registry],
    async collect() {
      for (const queue of queues) {
        try {
          this.set({ queue }, await boss.getQueueSize(queue));
        } catch {
          // The queue being unreachable shows as a missing sample, not a failed scrape.
        }
      }
    },
  });
}

/** Outbox deliveries that failed their last retry and wait for an operator's replay (kernel/dead-letters.ts). */
export function observeDeadLetters(metrics: Metrics, countDead: () => Promise<number>): void {
  new Gauge({
    name: 'platforma_event_dead_letters',
    help: 'Event deliveries dead after their last retry, not yet replayed',
    registers: [metrics.registry],
    async collect() {
      try {
        this.set(await countDead());
      } catch {
        // The database being unreachable shows as a missing sample, not a failed scrape.
      }
    },
  });
}
