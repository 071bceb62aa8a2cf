// The identity module, as the platform knows it (kernel/module.ts): its tables, settings, error
// codes, the authorization rules it owns and its console commands, read without loading its code.
import { fileURLToPath } from 'node:url';
import { defineModule, type PortsOf } from '../../kernel/module.js';
import type { IdentityApi } from './index.js';
import { IDENTITY_SETTINGS } from './settings.js';
import { IDENTITY_ERRORS } from './errors.js';
import { identityCommands } from './commands.js';

declare module '../../kernel/module.js' {
  interface ModuleApis {
    identity: IdentityApi;
  }
}

/**
 * The kernel services identity's code uses. `pool` is here for one reason: the sign-in throttle's
 * rate limiter (rate-limiter-flexible) takes a pg pool, not our Kysely database, and runs its own
 * upserts on identity.sign_in_attempts (accounts/sign-in-throttle.ts). Nothing else in identity
 * may use it.
 */
const PORTS = ['config', 'clock', 'logger', 'db', 'pool', 'changes', 'useCases', 'secrets'] as const;
export type IdentityPorts = PortsOf<typeof PORTS>;

export const identityModule = defineModule({
  name: 'identity',
  description: 'Who people are, how they prove it and what they may do: accounts, sessions, MFA, roles, API keys, OAuth, single sign-on',
  requires: ['tenants', 'notifications'],
  ports: PORTS,
  migrations: fileURLToPath(new URL('./migrations', import.meta.url)),
  settings: IDENTITY_SETTINGS,
  errors: IDENTITY_ERRORS,
  authorization: {
    platformOnly: [
      // Staff, every account and support access.
      'identity:user.*',
      'identity:staff.*',
      'identity:impersonation.start',
      // Making someone a member without their consent (the console's `member add`; tenants invite).
      'identity:member.attach',
    ],
    // The impersonated person's credentials (password, MFA and recovery codes, API keys, OAuth
    // clients, their sessions), and starting another impersonation or moving it to another tenant.
    deniedWhileImpersonating: [
      'identity:*password*',
      'identity:*mfa*',
      'identity:*totp*',
      'identity:*recovery*',
      'identity:*credential*',
      'identity:*api-key*',
      'identity:*oauth-client*',
      'identity:session.list',
      'identity:session.delete',
      'identity:session.revoke*',
      'identity:impersonation.start',
      'identity:tenant.switch',
    ],
  },
  commands: identityCommands,
  load: async () => (await import('./index.js')).createIdentityModule,
});
