// The registry is the one list of modules: every module folder is registered, each after what it
// requires, and what the manifests declare is what the platform gets (migrations, queues, settings,
// error codes, authorization rules, commands).
import { existsSync, readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Command } from 'commander';
import { MODULES, checkModuleOrder, settingsSections } from './registry.js';
import { MIGRATION_SOURCES, QUEUES } from './database-schema.js';
import { errorCatalogue } from './kernel/errors.js';
import { isPlatformOnly } from './kernel/authz/platform-actions.js';
import { actionsDeniedWhileImpersonating } from './kernel/authz/authorize.js';
import type { ModuleManifest } from './kernel/module.js';

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
