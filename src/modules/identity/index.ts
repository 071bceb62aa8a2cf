// Identity: who people are, how they prove it, and what they may do. Accounts (one person across
// several tenants), password sign-in and server-side sessions, memberships with built-in and custom
// roles evaluated as policies, invitations by email. Not yet here: MFA, API keys, OAuth, SSO (the
// rest of the identity issue).
import { fileURLToPath } from 'node:url';
import type { Kernel } from '../../kernel/kernel.js';
import type { ModuleDefinition } from '../../kernel/module.js';
import type { Authenticators } from '../../gateway/authenticate.js';
import { IdentityService, type TenantDirectory } from './service.js';
import { AccessService } from './access-service.js';
import { identityRoutes } from './routes.js';
import { accessRoutes } from './access-routes.js';
import { InvitationService } from './invitation-service.js';
import { invitationRoutes } from './invitation-routes.js';
import type { Mailer } from '../notifications/index.js';

export type { PublicUser, TenantDirectory } from './service.js';
export { MIN_PASSWORD_LENGTH } from './service.js';
export { TENANT_ROLES, PARTNER_ROLES } from './builtin-roles.js';

export interface IdentityModule {
  definition: ModuleDefinition;
  service: IdentityService;
  access: AccessService;
  invitations: InvitationService;
  authenticators: Authenticators;
}

export function createIdentityModule(deps: { kernel: Kernel; tenants: TenantDirectory; mailer: Mailer }): IdentityModule {
  const service = new IdentityService(deps.kernel, deps.tenants);
  const access = new AccessService(deps.kernel, deps.tenants);
  const invitations = new InvitationService(deps.kernel, deps.tenants, deps.mailer);
  const secureCookies = deps.kernel.config.publicUrl.startsWith('https://');
  return {
    service,
    access,
    invitations,
    authenticators: { session: (token) => service.resolveSession(token) },
    definition: {
      name: 'identity',
      migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
      routes: (app) => {
        identityRoutes(app, service, secureCookies);
        accessRoutes(app, access);
        invitationRoutes(app, invitations);
      },
    },
  };
}
