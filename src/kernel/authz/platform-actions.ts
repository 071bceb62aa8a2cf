// Decisions that belong to the operator of the platform, never to a tenant: what a tenant may use
// (quotas, tier), whether it may work at all (its status), what is sold and at what price, which
// orders go through, and who the staff are. A tenant role — built in or custom, however broad its
// statements (`*` on everything) — can never be granted these: only a platform role's policy may
// allow them (explain() in authorize.ts ignores every other policy for these actions).
//
// Each module lists its own in its manifest (`authorization.platformOnly`); the registry adds them
// here before anything is authorized. The lists name actions, not routes, so a new route that reuses
// one is covered at once; a new operator decision needs its action added to its module's list
// (test/isolation/platform-actions.test.ts checks the lists against every action the API declares
// and every tenant role).
import { actionMatches } from './policy.js';

const platformOnly: string[] = [];

/** Adds a module's operator decisions (its manifest's `authorization.platformOnly`; the registry calls this). */
export function registerPlatformOnlyActions(patterns: readonly string[]): void {
  for (const pattern of patterns) if (!platformOnly.includes(pattern)) platformOnly.push(pattern);
}

/** Every registered platform-only action pattern. */
export function platformOnlyActions(): readonly string[] {
  return platformOnly;
}

export function isPlatformOnly(action: string): boolean {
  return platformOnly.some((pattern) => actionMatches(pattern, action));
}
