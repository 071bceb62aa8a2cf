// What a module gives the platform. Each module is created by a factory that receives an explicit,
// typed list of what it depends on (the kernel and other modules' public APIs) and returns this
// definition plus its own public API; nothing else of a module is visible outside it.
import type { HttpApp } from './api/routes.js';
import type { QueueDefinition, CronDefinition } from './jobs.js';
import type { Subscription } from './outbox.js';
import type { DeclaredUseCase } from './use-case.js';

export interface ModuleDefinition {
  name: string;
  /** Absolute path of the module's `migrations/` folder. */
  migrations?: string;
  queues?: QueueDefinition[];
  crons?: CronDefinition[];
  /** Typed subscriptions to events (kernel/events.ts `on`), delivered through the outbox. */
  subscriptions?: Subscription[];
  /** The module's use cases (kernel/use-case.ts): every action a route declares is one of theirs. */
  useCases?: readonly DeclaredUseCase[];
  /** Registers the module's routes (under /api/v1). */
  routes?(app: HttpApp): void | Promise<void>;
  /** Starts the module's job workers (worker role only). */
  startWorkers?(): Promise<void>;
  /** Releases what the module holds open (listener connections); called when the platform closes. */
  stop?(): Promise<void>;
}
