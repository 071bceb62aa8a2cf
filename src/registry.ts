// The registry: the one list of the platform's modules. Everything that differs per module — the
// database schema (migrations, job queues), the configuration, the error catalogue, the
// authorization rules, the console commands, the routes, the event subscriptions and the workers —
// is built from this list and the modules' manifests. Adding a module is its folder and one line
// here (docs/guides/add-a-module.md).
//
// Importing this file registers every module's error codes and authorization rules with the kernel,
// so nothing is authorized or answered before they are known.
import { checkModulePorts, type ModuleManifest, type ModuleName } from './kernel/module.js';
import { loadConfig, type Config, type SettingsSection, type Source } from './kernel/config.js';
import { registerErrors } from './kernel/errors.js';
import { registerPlatformOnlyActions } from './kernel/authz/platform-actions.js';
import { registerDeniedWhileImpersonating } from './kernel/authz/authorize.js';
import { notificationsModule } from './modules/notifications/module.js';
import { tenantsModule } from './modules/tenants/module.js';
import { identityModule } from './modules/identity/module.js';
import { catalogModule } from './modules/catalog/module.js';
import { ordersModule } from './modules/orders/module.js';
import { operationsModule } from './modules/operations/module.js';

/** Every module, in an order where each comes after the modules it requires (checked below). */
export const MODULES: readonly ModuleManifest[] = [notificationsModule, tenantsModule, identityModule, catalogModule, ordersModule, operationsModule];

/** Throws unless every module comes after what it requires and every name is unique: a wrong registry stops the boot. */
export function checkModuleOrder(modules: readonly ModuleManifest[]): void {
  const seen = new Set<string>();
  for (const module of modules) {
    if (seen.has(module.name)) throw new Error(`module ${module.name} is registered twice`);
    for (const required of module.requires ?? []) {
      if (!seen.has(required)) throw new Error(`module ${module.name} requires ${required}, which must be registered before it`);
    }
    seen.add(module.name);
  }
}

checkModuleOrder(MODULES);
checkModulePorts(MODULES);
for (const module of MODULES) {
  if (module.errors) registerErrors(module.errors);
  registerPlatformOnlyActions(module.authorization?.platformOnly ?? []);
  registerDeniedWhileImpersonating(module.authorization?.deniedWhileImpersonating ?? []);
}

/** Each module's settings section, by module name. */
export function settingsSections(): Record<string, SettingsSection<object>> {
  return Object.fromEntries(MODULES.filter((module) => module.settings).map((module) => [module.name, module.settings!]));
}

/** The configuration: the kernel's settings and every module's, from the environment and PLATFORMA_CONFIG. */
export function loadPlatformConfig(env: Source = process.env): Config {
  return loadConfig(env, settingsSections());
}

export function moduleNamed(name: ModuleName): ModuleManifest {
  const module = MODULES.find((candidate) => candidate.name === name);
  if (!module) throw new Error(`no module named ${name}`);
  return module;
}
