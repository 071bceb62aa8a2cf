// Identity's settings: how long sessions live and how sign-in attempts are throttled. Read and
// validated at boot with the rest of the configuration (kernel/config.ts), from the manifest.
import { defineSettings, integer } from '../../kernel/config.js';

export interface IdentitySettings {
  /** Absolute session lifetime in seconds, however active the session is. */
  sessionTtlSeconds: number;
  /** A session unused for this many seconds ends (idle timeout). */
  sessionIdleSeconds: number;
  /** Failed sign-ins for one account before it is locked. */
  signInMaxFailures: number;
  /** How long a locked account stays locked, in seconds. */
  signInLockSeconds: number;
  /** Failed sign-ins from one IP address within signInLockSeconds before that address is refused. */
  signInMaxFailuresPerIp: number;
}

declare module '../../kernel/config.js' {
  interface ModuleSettings {
    identity: IdentitySettings;
  }
}

export const IDENTITY_SETTINGS = defineSettings<IdentitySettings>({
  read: (source) => ({
    sessionTtlSeconds: integer(source, 'SESSION_TTL_SECONDS', 8 * 3600, 60, 30 * 24 * 3600),
    sessionIdleSeconds: integer(source, 'SESSION_IDLE_SECONDS', 1800, 60, 30 * 24 * 3600),
    signInMaxFailures: integer(source, 'SIGN_IN_MAX_FAILURES', 5, 1, 1000),
    signInLockSeconds: integer(source, 'SIGN_IN_LOCK_SECONDS', 900, 1, 24 * 3600),
    signInMaxFailuresPerIp: integer(source, 'SIGN_IN_MAX_FAILURES_PER_IP', 100, 1, 100_000),
  }),
  variables: {
    sessionTtlSeconds: { variable: 'SESSION_TTL_SECONDS' },
    sessionIdleSeconds: { variable: 'SESSION_IDLE_SECONDS' },
    signInMaxFailures: { variable: 'SIGN_IN_MAX_FAILURES' },
    signInLockSeconds: { variable: 'SIGN_IN_LOCK_SECONDS' },
    signInMaxFailuresPerIp: { variable: 'SIGN_IN_MAX_FAILURES_PER_IP' },
  },
});
