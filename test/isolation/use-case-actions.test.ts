// The route table and authorization are one declaration: every action a route declares is the
// action of a use case its module declares (kernel/use-case.ts), which the pipeline authorizes.
// A route cannot name an action no use case checks, and a string kept equal to the service's by
// hand cannot drift. Every module is held to it: none is left out.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

let t: TestPlatform;

beforeAll(async () => {
  t = await startTestPlatform();
});
afterAll(() => t?.close());

/** `tenants:tenant.read` → `tenants`; `tenants.get-tenant` → `tenants`. */
const moduleOf = (declared: string, separator: ':' | '.') => declared.slice(0, declared.indexOf(separator));

describe('route actions', () => {
  it('are each the action of a use case its module declares', () => {
    const useCaseActions = new Set(t.platform.declaredUseCases.flatMap((useCase) => (useCase.action ? [useCase.action] : [])));
    const routes = t.platform.app.routeActions.filter((route) => route.action !== null);
    expect(routes.length).toBeGreaterThan(50);
    const unmatched = routes.filter((route) => !useCaseActions.has(route.action as never)).map((route) => `${route.method} ${route.url} → ${route.action}`);
    expect(unmatched).toEqual([]);
  });

  it('of every module are declared by a use case of that module', () => {
    const modulesByAction = new Map<string, Set<string>>();
    for (const useCase of t.platform.declaredUseCases) {
      if (useCase.action) modulesByAction.set(useCase.action, (modulesByAction.get(useCase.action) ?? new Set()).add(moduleOf(useCase.name, '.')));
    }
    const routes = t.platform.app.routeActions.filter((route) => route.action !== null);
    const modules = new Set(routes.map((route) => moduleOf(route.action!, ':')));
    expect([...modules].sort()).toEqual(expect.arrayContaining(['catalog', 'identity', 'notifications', 'operations', 'orders', 'tenants']));
    const foreign = routes.filter((route) => !modulesByAction.get(route.action!)?.has(moduleOf(route.action!, ':'))).map((route) => `${route.method} ${route.url} → ${route.action}`);
    expect(foreign).toEqual([]);
  });

  it('names every use case once', () => {
    const names = t.platform.declaredUseCases.map((useCase) => useCase.name);
    expect(new Set(names).size).toBe(names.length);
  });
});
