// Identity: who people are and how they prove it. Today: platform administrators, password sign-in
// and server-side sessions. Not here: tenant users, API keys, OAuth, SSO, MFA (the identity issue).
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../kernel/kernel.js';
import type { ModuleDefinition } from '../../kernel/module.js';
import type { SessionResolver } from '../../gateway/authenticate.js';
import { IdentityService } from './service.js';
import { identityRoutes } from './routes.js';

export type { PublicUser } from './service.js';
export { MIN_PASSWORD_LENGTH } from './service.js';

export interface IdentityModule {
  definition: ModuleDefinition;
  service: IdentityService;
  sessions: SessionResolver;
}

export function createIdentityModule(deps: { kernel: Kernel }): IdentityModule {
  const service = new IdentityService(deps.kernel);
  const secureCookies = deps.kernel.config.publicUrl.startsWith('https://');
  return {
    service,
    sessions: service,
    definition: {
      name: 'identity',
      migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
      routes: (app) => identityRoutes(app, service, secureCookies),
    },
  };
}
