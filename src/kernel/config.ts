// Configuration is read once at start-up from the environment (and an optional JSON file named by
// PLATFORMA_CONFIG), validated, and frozen. A bad value stops the process with a message naming the
// variable and what it accepts: fail at boot, not at the first request.
import { readFileSync } from 'node:fs';
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// The built web apps ship inside the package: find them relative to it, not to the working directory.
const PACKAGED_WEB_DIST = fileURLToPath(new URL('../../web/dist', import.meta.url));

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
const LOG_LEVELS: readonly LogLevel[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface Config {
  /** TCP port of the HTTP server. */
  port: number;
  /** Address the HTTP server binds to. */
  host: string;
  /** Data directory: the embedded database, secrets, runtime state. */
  home: string;
  /** Owner connection (runs migrations). Absent: the embedded PostgreSQL under `home`. */
  databaseUrl: string | undefined;
  /** Application-role connection. Absent: databaseUrl as platforma_app with the password generated under `home`/secrets (see db/roles.ts). */
  databaseAppUrl: string | undefined;
  logLevel: LogLevel;
  /** The URL users reach the server at; decides cookie `Secure` and every absolute URL it builds. */
  publicUrl: string;
  /**
   * Addresses (IPs or CIDR ranges) of the reverse proxies in front of the server: only a request
   * arriving from one of these may say who the client is (X-Forwarded-For) or which scheme it used.
   * Empty (the default): forwarded headers are ignored and the client is the connection's peer.
   */
  trustedProxies: string[];
  /** Largest accepted request body, in bytes. */
  bodyLimit: number;
  /** Where the built web apps are served from. */
  webDist: string;
  /**
   * Key that encrypts secrets stored in the database (TOTP seeds): 32 bytes, base64. Absent: a key
   * generated once and kept in `home`/secrets/encryption.key (see docs/adr/0005).
   */
  encryptionKey: Buffer | undefined;
  /**
   * Ed25519 private key (its 32-byte seed, base64) that signs audit checkpoints. Absent: generated
   * once in `home`/secrets/audit-signing.key (see docs/adr/0011).
   */
  auditSigningKey: Buffer | undefined;
  /** When workers record a signed checkpoint of every audit chain head: five-field cron, UTC. */
  auditCheckpointCron: string;
  /**
   * Bearer token a Prometheus scraper must send to read /metrics. Absent: /metrics is not served
   * (404): its figures (routes, traffic, pool and queue sizes) are for operators, not the public.
   */
  metricsToken: string | undefined;
  /**
   * Benchmark only: requests without credentials act as a fixed platform administrator, so the
   * benchmark can compare authenticated requests with unauthenticated ones on the same server.
   * Needs PLATFORMA_INSECURE_NO_AUTH=benchmark-only AND NODE_ENV=benchmark AND a loopback HOST.
   */
  insecureNoAuth: boolean;
  /** Each module's own settings, read from the sections their manifests declare (kernel/module.ts). */
  modules: ModuleSettings;
}

/**
 * Every module's settings, by module name: each module adds its entry by declaration merging
 * (`declare module '../../kernel/config.js' { interface ModuleSettings { identity: IdentitySettings } }`).
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface ModuleSettings {}

/** How a module's settings are read: validated at boot like the kernel's, named by variable for `config print`. */
export interface SettingsSection<T extends object> {
  read(source: Source): T;
  /** The variable each setting comes from, and how `config print` shows it: as is, or masked (a secret, a URL's password). */
  variables: { [K in keyof T]: { variable: string; show?: 'plain' | 'secret' | 'url-password' } };
}

export function defineSettings<T extends object>(section: SettingsSection<T>): SettingsSection<T> {
  return section;
}

export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    readonly expectation: string,
    readonly actual: string | undefined,
  ) {
    super(`${variable}: ${expectation}${actual === undefined ? '' : ` (got ${JSON.stringify(actual)})`}`);
    this.name = 'ConfigError';
  }
}

export type Source = Record<string, string | undefined>;

export function integer(source: Source, name: string, fallback: number, min: number, max: number): number {
  const raw = source[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^\d+$/.test(raw)) throw new ConfigError(name, `must be a whole number from ${min} to ${max}`, raw);
  const value = Number(raw);
  if (value < min || value > max) throw new ConfigError(name, `must be a whole number from ${min} to ${max}`, raw);
  return value;
}

function postgresUrl(source: Source, name: string): string | undefined {
  const raw = source[name];
  if (raw === undefined || raw === '') return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL like postgres://user:password@host:5432/database', '<unparseable>');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') {
    throw new ConfigError(name, 'must use the postgres:// or postgresql:// scheme', url.protocol);
  }
  if (url.pathname.length <= 1) throw new ConfigError(name, 'must name a database in its path', '<no database>');
  return raw;
}

function httpUrl(source: Source, name: string, fallback: string): string {
  const raw = source[name];
  if (raw === undefined || raw === '') return fallback;
  try {
    const url = new URL(raw);
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new Error('scheme');
    return url.origin + url.pathname.replace(/\/$/, '');
  } catch {
    throw new ConfigError(name, 'must be an http:// or https:// URL', raw);
  }
}

function addressList(source: Source, name: string): string[] {
  const raw = source[name];
  if (raw === undefined || raw.trim() === '') return [];
  return raw.split(',').map((entry) => {
    const item = entry.trim();
    const [address, bits, ...rest] = item.split('/');
    const family = isIP(address ?? '');
    const width = family === 4 ? 32 : 128;
    const bitsValid = bits === undefined || (/^\d{1,3}$/.test(bits) && Number(bits) <= width);
    if (family === 0 || !bitsValid || rest.length > 0) throw new ConfigError(name, 'must be a comma-separated list of IP addresses or CIDR ranges (10.0.0.0/8, ::1)', item);
    return item;
  });
}

export function smtpUrl(source: Source, name: string): string | undefined {
  const raw = source[name];
  if (raw === undefined || raw === '') return undefined;
  // Like the database URLs: the error never repeats the value, which holds the SMTP password.
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(name, 'must be a URL like smtp://user:password@host:587 or smtps://user:password@host:465', '<unparseable>');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new ConfigError(name, 'must use the smtp:// or smtps:// scheme', url.protocol);
  if (!url.hostname) throw new ConfigError(name, 'must name a host', '<no host>');
  return raw;
}

export function mailAddress(source: Source, name: string, fallback: string): string {
  const raw = source[name];
  if (raw === undefined || raw === '') return fallback;
  if (!/^(?:[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>|[^\s<>@]+@[^\s<>@]+)$/.test(raw.trim())) {
    throw new ConfigError(name, 'must be an address like no-reply@example.com or Name <no-reply@example.com>', raw);
  }
  return raw.trim();
}

function metricsToken(source: Source, name: string): string | undefined {
  const raw = source[name];
  if (raw === undefined || raw === '') return undefined;
  // Never echo the value: it is a credential. Printable ASCII, as an HTTP header can carry it.
  if (!/^[\x21-\x7e]{24,512}$/.test(raw)) throw new ConfigError(name, 'must be 24 to 512 printable characters without spaces (openssl rand -base64 32)', '<hidden>');
  return raw;
}

function key32(source: Source, name: string): Buffer | undefined {
  const raw = source[name];
  if (raw === undefined || raw === '') return undefined;
  const key = /^[A-Za-z0-9+/_-]+={0,2}$/.test(raw) ? Buffer.from(raw, 'base64') : Buffer.alloc(0);
  // Never echo the value: it is a key.
  if (key.length !== 32) throw new ConfigError(name, 'must be 32 random bytes in base64 (openssl rand -base64 32)', '<hidden>');
  return key;
}

function cron(source: Source, name: string, fallback: string): string {
  const raw = source[name];
  if (raw === undefined || raw === '') return fallback;
  // The shape only; pg-boss parses the fields when the schedule is registered at start-up.
  if (!/^\S+( \S+){4}$/.test(raw.trim())) throw new ConfigError(name, 'must be a five-field cron expression like */5 * * * *', raw);
  return raw.trim();
}

/** Reads the optional JSON config file; environment variables win over it. */
function fileSource(env: Source): Source {
  const path = env.PLATFORMA_CONFIG;
  if (!path) return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new ConfigError('PLATFORMA_CONFIG', 'must name a readable JSON file', `${path}: ${(error as Error).message}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError('PLATFORMA_CONFIG', 'must contain a JSON object of VARIABLE: value pairs', path);
  }
  const out: Source = {};
  for (const [key, value] of Object.entries(parsed)) {
    if (!/^[A-Z][A-Z0-9_]*$/.test(key)) throw new ConfigError('PLATFORMA_CONFIG', 'keys must be variable names like PORT', key);
    out[key] = String(value);
  }
  return out;
}

const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'];

/** Switching authentication off takes three deliberate settings; any one missing stops the boot. */
function insecureNoAuth(source: Source, env: Source, host: string): boolean {
  const raw = source.PLATFORMA_INSECURE_NO_AUTH;
  if (raw === undefined || raw === '') return false;
  const name = 'PLATFORMA_INSECURE_NO_AUTH';
  if (raw !== 'benchmark-only') throw new ConfigError(name, 'switches authentication off; the only accepted value is benchmark-only', raw);
  // NODE_ENV from the real environment only, not from a config file that might travel to production.
  if (env.NODE_ENV !== 'benchmark') throw new ConfigError(name, 'switches authentication off and is honoured only with NODE_ENV=benchmark', raw);
  if (!LOOPBACK_HOSTS.includes(host)) throw new ConfigError(name, `switches authentication off and is honoured only on a loopback HOST (${LOOPBACK_HOSTS.join(', ')})`, raw);
  return true;
}

/**
 * Reads the kernel's settings and each module's section (the registry's: src/config.ts passes them)
 * from the environment and the optional file.
 */
export function loadConfig(env: Source = process.env, sections: Readonly<Record<string, SettingsSection<object>>> = {}): Config {
  const source: Source = { ...fileSource(env), ...env };
  const port = integer(source, 'PORT', 8080, 0, 65535);
  const logLevel = (source.LOG_LEVEL || 'info') as LogLevel;
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError('LOG_LEVEL', `must be one of ${LOG_LEVELS.join(', ')}`, source.LOG_LEVEL);
  const host = source.HOST || '0.0.0.0';
  const home = resolve(source.PLATFORMA_HOME || './.platforma');
  return Object.freeze({
    port,
    host,
    home,
    databaseUrl: postgresUrl(source, 'DATABASE_URL'),
    databaseAppUrl: postgresUrl(source, 'DATABASE_APP_URL'),
    logLevel,
    publicUrl: httpUrl(source, 'PUBLIC_URL', `http://localhost:${port}`),
    trustedProxies: addressList(source, 'TRUSTED_PROXIES'),
    bodyLimit: integer(source, 'BODY_LIMIT', 1_048_576, 1024, 100 * 1_048_576),
    webDist: source.PLATFORMA_WEB_DIST ? resolve(source.PLATFORMA_WEB_DIST) : PACKAGED_WEB_DIST,
    encryptionKey: key32(source, 'PLATFORMA_ENCRYPTION_KEY'),
    auditSigningKey: key32(source, 'PLATFORMA_AUDIT_SIGNING_KEY'),
    auditCheckpointCron: cron(source, 'AUDIT_CHECKPOINT_CRON', '*/5 * * * *'),
    metricsToken: metricsToken(source, 'METRICS_TOKEN'),
    insecureNoAuth: insecureNoAuth(source, env, host),
    modules: Object.freeze(Object.fromEntries(Object.entries(sections).map(([name, section]) => [name, Object.freeze(section.read(source))]))) as unknown as ModuleSettings,
  });
}

/** The variable each setting is read from: what `config print` names them by. */
const VARIABLE_OF: Record<Exclude<keyof Config, 'modules'>, string> = {
  port: 'PORT',
  host: 'HOST',
  home: 'PLATFORMA_HOME',
  databaseUrl: 'DATABASE_URL',
  databaseAppUrl: 'DATABASE_APP_URL',
  logLevel: 'LOG_LEVEL',
  publicUrl: 'PUBLIC_URL',
  trustedProxies: 'TRUSTED_PROXIES',
  bodyLimit: 'BODY_LIMIT',
  webDist: 'PLATFORMA_WEB_DIST',
  encryptionKey: 'PLATFORMA_ENCRYPTION_KEY',
  auditSigningKey: 'PLATFORMA_AUDIT_SIGNING_KEY',
  auditCheckpointCron: 'AUDIT_CHECKPOINT_CRON',
  metricsToken: 'METRICS_TOKEN',
  insecureNoAuth: 'PLATFORMA_INSECURE_NO_AUTH',
};

/**
 * The configuration for display, as a PLATFORMA_CONFIG file would hold it: variable names and their
 * text values, settings left unset omitted (their defaults are generated or embedded), secrets and
 * the passwords in URLs masked. Without secrets, the output pasted into a file loads back the same.
 */
export function maskedConfig(config: Config, sections: Readonly<Record<string, SettingsSection<object>>> = {}): Record<string, string> {
  const mask = (url: string) => {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '*****';
    return parsed.toString();
  };
  const text = (key: Exclude<keyof Config, 'modules'>): string | undefined => {
    const value = config[key];
    if (value === undefined || value === false || (Array.isArray(value) && value.length === 0)) return undefined;
    if (Buffer.isBuffer(value) || key === 'metricsToken') return '*****';
    if (key === 'databaseUrl' || key === 'databaseAppUrl') return mask(value as string);
    if (key === 'insecureNoAuth') return 'benchmark-only';
    return Array.isArray(value) ? value.join(',') : String(value);
  };
  const out: Record<string, string> = {};
  for (const key of Object.keys(VARIABLE_OF) as Exclude<keyof Config, 'modules'>[]) {
    const value = text(key);
    if (value !== undefined) out[VARIABLE_OF[key]] = value;
  }
  const modules = config.modules as unknown as Record<string, Record<string, unknown>>;
  for (const [name, section] of Object.entries(sections)) {
    for (const [key, { variable, show }] of Object.entries(section.variables as Record<string, { variable: string; show?: string }>)) {
      const value = modules[name]?.[key];
      if (value === undefined || value === false) continue;
      out[variable] = show === 'secret' ? '*****' : show === 'url-password' ? mask(String(value)) : String(value);
    }
  }
  return out;
}
