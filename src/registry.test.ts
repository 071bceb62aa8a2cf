// The registry is the one list of modules: every module folder is registered, each after what it
// requires, and what the manifests declare is what the platform gets (migrations, queues, settings,
// error codes, authorization rules, commands) and what each module gets (its kernel ports, no more).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { MODULES, checkModuleOrder, loadPlatformConfig, settingsSections } from './registry.js';
import { MIGRATION_SOURCES, QUEUES } from './database-schema.js';
import { errorCatalogue } from './kernel/errors.js';
import { isPlatformOnly } from './kernel/authz/platform-actions.js';
import { actionsDeniedWhileImpersonating } from './kernel/authz/authorize.js';
import { checkModulePorts, commandLineFor, defineModule, type CommandLine, type ModuleContext, type ModuleManifest } from './kernel/module.js';
import { KERNEL_SERVICES, type Kernel } from './kernel/kernel.js';
import { createLogger } from './kernel/logging.js';
import { createConsolePlatform, type ConsolePlatform } from './platform.js';
import type { CatalogPorts } from './modules/catalog/module.js';
import { createTestDatabase, type TestDatabase } from '../test/support/database.js';

const MODULES_DIR = fileURLToPath(new URL('./modules', import.meta.url));

describe('the module registry', () => {
  it('lists every module folder once, each with a manifest, in an order where each follows what it requires', () => {
    const folders = readdirSync(MODULES_DIR, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
    expect(MODULES.map((module) => module.name).sort()).toEqual(folders.sort());
    for (const folder of folders) expect(existsSync(`${MODULES_DIR}/${folder}/module.ts`), `${folder}/module.ts`).toBe(true);
    expect(() => checkModuleOrder(MODULES)).not.toThrow();
  });

  it('refuses a registry that lists a module before what it requires, or twice', () => {
    const [notifications, tenants, identity] = MODULES as [ModuleManifest, ModuleManifest, ModuleManifest];
    expect(() => checkModuleOrder([identity, tenants, notifications])).toThrow(/identity requires tenants/);
    expect(() => checkModuleOrder([tenants, tenants])).toThrow(/registered twice/);
  });

  it('builds the schema from the manifests: every migration folder and job queue they declare', () => {
    for (const module of MODULES) {
      if (module.migrations) expect(MIGRATION_SOURCES).toContainEqual({ module: module.name, directory: module.migrations });
      for (const queue of module.queues ?? []) expect(QUEUES).toContainEqual(queue);
    }
    expect(MIGRATION_SOURCES.every((source) => existsSync(source.directory))).toBe(true);
  });

  it('adds each module’s error codes, operator actions, impersonation guard and settings to the kernel’s', () => {
    for (const module of MODULES) {
      for (const [code, definition] of Object.entries(module.errors ?? {})) expect(errorCatalogue().get(code)).toEqual(definition);
      for (const action of module.authorization?.platformOnly ?? []) expect(isPlatformOnly(action.replace('*', 'x')), action).toBe(true);
      for (const pattern of module.authorization?.deniedWhileImpersonating ?? []) expect(actionsDeniedWhileImpersonating()).toContain(pattern);
    }
    expect(Object.keys(settingsSections()).sort()).toEqual(MODULES.filter((module) => module.settings).map((module) => module.name).sort());
    // Identity's own codes are no longer the kernel's to define.
    expect(errorCatalogue().get('PLAT_SSO_REQUIRED')?.status).toBe(403);
  });

  it('gives the command line each module’s commands without loading any module’s code', () => {
    const program = new Command('platforma');
    for (const module of MODULES) module.commands?.({ program, withPlatform: async () => {} });
    expect(program.commands.map((command) => command.name())).toEqual(expect.arrayContaining(['admin', 'api-key', 'member', 'oauth-client']));
  });
});

describe('the kernel ports a module declares', () => {
  it('names only kernel services, each once', () => {
    for (const module of MODULES) {
      expect(KERNEL_SERVICES, module.name).toEqual(expect.arrayContaining([...module.ports]));
      expect(new Set(module.ports).size, module.name).toBe(module.ports.length);
    }
    expect(() => checkModulePorts(MODULES)).not.toThrow();
    const [notifications] = MODULES as [ModuleManifest];
    const unknown = { ...notifications, ports: ['db', 'kernel'] } as unknown as ModuleManifest;
    expect(() => checkModulePorts([unknown])).toThrow(/notifications declares the port kernel, which is not a kernel service/);
    expect(() => checkModulePorts([{ ...notifications, ports: ['db', 'db'] }])).toThrow(/declares a port twice/);
  });

  it('keeps the raw pool to the modules that say why they need it', () => {
    // The pool bypasses nothing by itself (the application role is under row-level security), but
    // SQL through it skips the repositories and the use-case pipeline: identity's sign-in throttle
    // needs it for its rate limiter (identity/module.ts). A new user must say why, and be added here.
    expect(MODULES.filter((module) => module.ports.includes('pool')).map((module) => module.name)).toEqual(['identity']);
  });

  it('types a module’s kernel as its ports only', () => {
    // Compiled by `tsc`, not run: each line marked @ts-expect-error must stay a type error.
    const readCatalogKernel = (kernel: CatalogPorts) => {
      // @ts-expect-error -- catalog declares no `db`: its SQL runs through use cases.
      void kernel.db;
      return kernel.clock;
    };
    void readCatalogKernel;
    defineModule({
      name: 'catalog',
      description: 'a manifest whose code reads a service it does not declare',
      ports: ['clock'],
      load: async () => (context: ModuleContext<'clock'>) => {
        // @ts-expect-error -- only the clock was declared.
        void context.kernel.useCases;
        return { api: undefined as never };
      },
    });
    defineModule({
      name: 'catalog',
      description: 'a manifest whose factory wants more of the kernel than it declares',
      ports: ['clock'],
      // @ts-expect-error -- the factory asks for the whole kernel; the manifest gives it the clock.
      load: async () => (context: ModuleContext) => ({ api: context.kernel as never }),
    });
    const commandsWantingMore = (cli: CommandLine<'clock' | 'db'>) => void cli;
    // @ts-expect-error -- commands reading `db` in a module that declares only the clock.
    defineModule({ name: 'catalog', description: 'x', ports: ['clock'], commands: commandsWantingMore, load: async () => () => ({ api: undefined as never }) });
  });

  it('gives a module’s console commands a platform whose kernel holds only its ports', async () => {
    const kernel = Object.fromEntries(KERNEL_SERVICES.map((service) => [service, { service }])) as unknown as Kernel;
    for (const module of MODULES) {
      let given: object | undefined;
      const cli = commandLineFor(module, { program: new Command(), withPlatform: (work) => work({ kernel } as ConsolePlatform, {} as never) });
      await cli.withPlatform(async (platform) => {
        given = platform.kernel;
      });
      expect(Object.keys(given!).sort(), module.name).toEqual([...module.ports].sort());
      for (const port of module.ports) expect((given as Kernel)[port], `${module.name}.${port}`).toBe(kernel[port]);
    }
  });
});

describe('a platform built from the registry', () => {
  let database: TestDatabase;
  let platform: ConsolePlatform | undefined;
  const received = new Map<string, object>();

  beforeAll(async () => {
    database = await createTestDatabase();
    // The registry's own manifests and factories, each watched as it is called.
    const watched = MODULES.map((manifest): ModuleManifest => ({
      ...manifest,
      load: async () => {
        const factory = await manifest.load();
        return (context) => {
          received.set(manifest.name, context.kernel);
          return factory(context);
        };
      },
    }));
    platform = await createConsolePlatform({
      config: loadPlatformConfig({ DATABASE_URL: database.ownerUrl, LOG_LEVEL: 'silent' }),
      database: { ownerUrl: database.ownerUrl, appUrl: database.appUrl, embedded: false, release: async () => {} },
      logger: createLogger('silent'),
      modules: watched,
    });
  });
  afterAll(async () => {
    await platform?.close();
    await database?.drop();
  });

  it('gives each module’s factory a kernel holding exactly the services it declares', () => {
    expect([...received.keys()]).toEqual(MODULES.map((module) => module.name));
    for (const module of MODULES) {
      const kernel = received.get(module.name)!;
      expect(Object.keys(kernel).sort(), module.name).toEqual([...module.ports].sort());
      // Not reachable by a cast either, nor added afterwards.
      if (!module.ports.includes('pool')) expect((kernel as Kernel).pool, module.name).toBeUndefined();
      expect(Object.isFrozen(kernel), module.name).toBe(true);
      for (const port of module.ports) expect((kernel as Kernel)[port], `${module.name}.${port}`).toBe(platform!.kernel[port]);
    }
  });

  it('names every service of the real kernel in the list manifests are checked against', () => {
    expect(Object.keys(platform!.kernel).sort()).toEqual([...KERNEL_SERVICES].sort());
  });
});
