// What a module is, to the platform. A module is declared once, by its manifest (`<module>/module.ts`),
// and the registry (src/modules/registry.ts) lists the manifests: the database schema (migrations,
// job queues), the configuration, the error catalogue, the authorization rules, the command line,
// the HTTP routes, the event subscriptions and the workers are all built from that list. Adding a
// module is one folder and one line in the registry (docs/guides/add-a-module.md).
//
// The manifest is light on purpose: `platforma --help` and `platforma migrate` read every manifest
// and must not load a module's code. The code comes in through `load()`, only when a platform is
// built, and receives exactly what it declares it needs: the kernel's services and the public APIs
// of the modules it `requires`, nothing else.
import type { Command } from 'commander';
import type { HttpApp } from './api/routes.js';
import type { QueueDefinition, CronDefinition } from './jobs.js';
import type { Subscription } from './outbox.js';
import type { Kernel } from './kernel.js';
import type { ErrorDefinitions } from './errors.js';
import type { SettingsSection } from './config.js';
import type { Config } from './config.js';
import type { DeclaredUseCase } from './use-case.js';

/**
 * The public API of every module, by name: each module adds its own entry by declaration merging
 * in its manifest (`declare module '../../kernel/module.js' { interface ModuleApis { orders: OrdersApi } }`),
 * so `use('orders')` is typed without the kernel knowing any module.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ModuleApis {}
export type ModuleName = keyof ModuleApis & string;

/** What a module's code receives when the platform builds it. */
export interface ModuleContext {
  kernel: Kernel;
  /** The public API of a module this one `requires` (built before it). */
  use<K extends ModuleName>(name: K): ModuleApis[K];
}

/** What a module's code gives the platform once built: its public API and how it runs. */
export interface ModuleInstance<Api> {
  api: Api;
  /** The module's use cases (kernel/use-case.ts): every action a route declares is one of theirs. */
  useCases?: readonly DeclaredUseCase[];
  /** Registers the module's routes (under /api/v1). */
  routes?(app: HttpApp): void | Promise<void>;
  /** Event subscriptions; their names are the idempotency keys of deliveries, so never rename a live one. */
  subscriptions?: Subscription[];
  /** Starts the module's job workers (worker roles only). */
  startWorkers?(): Promise<void>;
  /** Releases what the module holds open; called when the platform closes. */
  stop?(): Promise<void>;
}

/** What the command line gives a module's commands. */
export interface CommandLine {
  program: Command;
  /**
   * Runs a console command: the database located and migrated, the modules built without HTTP or
   * workers, released afterwards; errors are printed for people and exit 1.
   */
  withPlatform(work: (platform: ConsoleModules, config: Config) => Promise<void>): Promise<void>;
}

export type ConsoleModules = ModuleApis & { kernel: Kernel };

/** Rules a module contributes to the kernel's authorization (kernel/authz). */
export interface AuthorizationContribution {
  /** Actions only a platform role's policy may allow, whatever a tenant role says (operator decisions). */
  platformOnly?: readonly string[];
  /** Action patterns refused to a principal while staff impersonate it (the person's credentials). */
  deniedWhileImpersonating?: readonly string[];
}

export interface ModuleManifest<Name extends ModuleName = ModuleName> {
  name: Name;
  /** One line for `platforma --help` and the docs: what the module is for. */
  description: string;
  /** Modules whose public APIs this one uses; the registry builds them first and refuses cycles. */
  requires?: readonly ModuleName[];
  /** Absolute path of the module's `migrations/` folder. */
  migrations?: string;
  /** Job queues, created by the owner during migration (the application role cannot). */
  queues?: readonly QueueDefinition[];
  /** Recurring jobs, scheduled by worker roles at start. */
  crons?: readonly CronDefinition[];
  /** The module's settings: read, validated and frozen with the rest of the configuration at boot. */
  settings?: SettingsSection<object>;
  /** The module's error codes, added to the one catalogue the gateway answers from. */
  errors?: ErrorDefinitions;
  authorization?: AuthorizationContribution;
  /** Adds the module's commands to `platforma` (the manifest stays light: load code inside the actions). */
  commands?(cli: CommandLine): void;
  /** Loads and builds the module's code. */
  load(): Promise<(context: ModuleContext) => ModuleInstance<ModuleApis[Name]>>;
}

/** Declares a module's manifest (a typed identity: the registry checks the rest at start). */
export function defineModule<Name extends ModuleName>(manifest: ModuleManifest<Name>): ModuleManifest<Name> {
  return manifest;
}
