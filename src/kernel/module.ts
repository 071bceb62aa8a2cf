// What a module is, to the platform. A module is declared once, by its manifest (`<module>/module.ts`),
// and the registry (src/modules/registry.ts) lists the manifests: the database schema (migrations,
// job queues), the configuration, the error catalogue, the authorization rules, the command line,
// the HTTP routes, the event subscriptions and the workers are all built from that list. Adding a
// module is one folder and one line in the registry (docs/guides/add-a-module.md).
//
// The manifest is light on purpose: `platforma --help` and `platforma migrate` read every manifest
// and must not load a module's code. The code comes in through `load()`, only when a platform is
// built, and receives exactly what it declares it needs: the kernel services it lists as its `ports`
// and the public APIs of the modules it `requires`, nothing else. Its kernel is typed as those
// services only (`Pick<Kernel, …>`), and at run time it is an object holding only them, so a module
// cannot reach an undeclared service even with a cast.
import type { Command } from 'commander';
import type { HttpApp } from './api/routes.js';
import type { QueueDefinition, CronDefinition } from './jobs.js';
import type { Subscription } from './outbox.js';
import { KERNEL_SERVICES, type Kernel, type KernelService } from './kernel.js';
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

/** The kernel as a module sees it through the ports it declares: those services and no other. */
export type KernelPorts<Port extends KernelService> = Pick<Kernel, Port>;

/** The kernel as seen through a manifest's list of ports (`PortsOf<typeof PORTS>`). */
export type PortsOf<Ports extends readonly KernelService[]> = KernelPorts<Ports[number]>;

/** What a module's code receives when the platform builds it. */
export interface ModuleContext<Port extends KernelService = KernelService> {
  /** The kernel services the manifest declares as its `ports`: the object holds those keys only. */
  kernel: KernelPorts<Port>;
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
export interface CommandLine<Port extends KernelService = KernelService> {
  program: Command;
  /**
   * Runs a console command: the database located and migrated, the modules built without HTTP or
   * workers, released afterwards; errors are printed for people and exit 1.
   */
  // A property, not a method: a module's commands asking for more of the kernel than it declares fail to compile.
  withPlatform: (work: (platform: ConsoleModules<Port>, config: Config) => Promise<void>) => Promise<void>;
}

/**
 * What a module's console command acts through: every module's public API (the console is the
 * operator's, who acts across modules) and, of the kernel, only the services the module declares.
 */
export type ConsoleModules<Port extends KernelService = KernelService> = ModuleApis & { kernel: KernelPorts<Port> };

/** Rules a module contributes to the kernel's authorization (kernel/authz). */
export interface AuthorizationContribution {
  /** Actions only a platform role's policy may allow, whatever a tenant role says (operator decisions). */
  platformOnly?: readonly string[];
  /** Action patterns refused to a principal while staff impersonate it (the person's credentials). */
  deniedWhileImpersonating?: readonly string[];
}

export interface ModuleManifest<Name extends ModuleName = ModuleName, Port extends KernelService = KernelService> {
  name: Name;
  /** One line for `platforma --help` and the docs: what the module is for. */
  description: string;
  /**
   * The kernel services the module's code uses (its factory's `kernel`, its commands'
   * `platform.kernel`): only these are given to it. Keep `pool` out (raw pg: its SQL sets no tenant
   * scope and no actor, and skips the repositories and the use-case pipeline) unless a library
   * needs a pg pool itself, and say why beside the list.
   */
  ports: readonly Port[];
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
  // NoInfer: `defineModule` learns the ports from `ports` alone, then checks the code against them.
  // A property, not a method, so its parameter is checked strictly (methods' are bivariant).
  commands?: (cli: CommandLine<NoInfer<Port>>) => void;
  /** Loads and builds the module's code. */
  load(): Promise<(context: ModuleContext<NoInfer<Port>>) => ModuleInstance<ModuleApis[Name]>>;
}

/**
 * Declares a module's manifest (a typed identity: the registry checks the rest at start). Generic
 * over the declared ports, so a factory or command reading a service its manifest does not list
 * fails to compile.
 */
export function defineModule<Name extends ModuleName, Port extends KernelService>(manifest: ModuleManifest<Name, Port>): ModuleManifest<Name, Port> {
  return manifest;
}

/** Throws unless every port a manifest declares names a kernel service (the registry checks this at boot). */
export function checkModulePorts(modules: readonly ModuleManifest[]): void {
  const services = new Set<string>(KERNEL_SERVICES);
  for (const module of modules) {
    for (const port of module.ports) {
      if (!services.has(port)) throw new Error(`module ${module.name} declares the port ${port}, which is not a kernel service (${KERNEL_SERVICES.join(', ')})`);
    }
    if (new Set(module.ports).size !== module.ports.length) throw new Error(`module ${module.name} declares a port twice`);
  }
}

/**
 * The kernel a module is given: a frozen object holding only the services it declares, so what a
 * module can reach is what its manifest says, whatever its code casts.
 */
export function kernelPorts<Port extends KernelService>(kernel: Kernel, ports: readonly Port[]): KernelPorts<Port> {
  const given: Partial<Kernel> = {};
  for (const port of ports) {
    if (!Object.hasOwn(kernel, port)) throw new Error(`the kernel has no service named ${port}`);
    Object.assign(given, { [port]: kernel[port] });
  }
  return Object.freeze(given) as KernelPorts<Port>;
}

/**
 * The command line as one module's commands see it: the platform their work is given holds only
 * the kernel services the module declares (the other modules' public APIs stay reachable).
 */
export function commandLineFor<Port extends KernelService>(module: ModuleManifest<ModuleName, Port>, cli: CommandLine): CommandLine<Port> {
  return {
    program: cli.program,
    withPlatform: (work) => cli.withPlatform((platform, config) => work({ ...platform, kernel: kernelPorts(platform.kernel, module.ports) }, config)),
  };
}
