// Configuration fails at boot, naming the variable and what it accepts; defaults are sensible; a
// JSON config file is honoured with the environment winning; the CLI exits 78 (EX_CONFIG) on a
// bad value and never prints a database password.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ConfigError, maskedConfig as maskKernelConfig } from './config.js';
// The configuration as the platform reads it: the kernel's settings and every registered module's.
import { loadPlatformConfig as loadConfig, settingsSections } from '../registry.js';

const maskedConfig = (config: ReturnType<typeof loadConfig>) => maskKernelConfig(config, settingsSections());
import { runCli } from '../../test/support/cli.js';

const scratch = mkdtempSync(join(tmpdir(), 'platforma-config-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('bad values', () => {
  const cases: { env: Record<string, string>; variable: string; allowed: RegExp }[] = [
    { env: { PORT: 'abc' }, variable: 'PORT', allowed: /whole number from 0 to 65535/ },
    { env: { METRICS_TOKEN: 'short' }, variable: 'METRICS_TOKEN', allowed: /24 to 512 printable characters/ },
    { env: { METRICS_TOKEN: 'has a space in it 0123456789abcdef' }, variable: 'METRICS_TOKEN', allowed: /24 to 512 printable characters/ },
    { env: { PORT: '70000' }, variable: 'PORT', allowed: /whole number from 0 to 65535/ },
    { env: { PORT: '-1' }, variable: 'PORT', allowed: /whole number from 0 to 65535/ },
    { env: { PORT: '80.5' }, variable: 'PORT', allowed: /whole number from 0 to 65535/ },
    { env: { LOG_LEVEL: 'loud' }, variable: 'LOG_LEVEL', allowed: /one of fatal, error, warn, info, debug, trace, silent/ },
    { env: { DATABASE_URL: 'mysql://x/y' }, variable: 'DATABASE_URL', allowed: /postgres:\/\/ or postgresql:\/\// },
    { env: { DATABASE_URL: 'postgres://db.example.com:5432' }, variable: 'DATABASE_URL', allowed: /must name a database/ },
    { env: { DATABASE_URL: 'postgres://db.example.com:5432/' }, variable: 'DATABASE_URL', allowed: /must name a database/ },
    { env: { DATABASE_URL: 'not a url' }, variable: 'DATABASE_URL', allowed: /URL like postgres:\/\/user:password@host:5432\/database/ },
    { env: { DATABASE_APP_URL: 'http://x/y' }, variable: 'DATABASE_APP_URL', allowed: /postgres:\/\// },
    { env: { PUBLIC_URL: 'ftp://x' }, variable: 'PUBLIC_URL', allowed: /http:\/\/ or https:\/\// },
    { env: { PUBLIC_URL: 'platforma.example.com' }, variable: 'PUBLIC_URL', allowed: /http:\/\/ or https:\/\// },
    { env: { BODY_LIMIT: '10' }, variable: 'BODY_LIMIT', allowed: /whole number from 1024/ },
    { env: { SESSION_TTL_SECONDS: '1h' }, variable: 'SESSION_TTL_SECONDS', allowed: /whole number from 60/ },
    { env: { SESSION_IDLE_SECONDS: '30' }, variable: 'SESSION_IDLE_SECONDS', allowed: /whole number from 60/ },
    { env: { SESSION_IDLE_SECONDS: 'soon' }, variable: 'SESSION_IDLE_SECONDS', allowed: /whole number from 60/ },
    { env: { SIGN_IN_MAX_FAILURES: '0' }, variable: 'SIGN_IN_MAX_FAILURES', allowed: /whole number from 1/ },
    { env: { SIGN_IN_LOCK_SECONDS: '-5' }, variable: 'SIGN_IN_LOCK_SECONDS', allowed: /whole number from 1/ },
    { env: { SIGN_IN_MAX_FAILURES_PER_IP: 'many' }, variable: 'SIGN_IN_MAX_FAILURES_PER_IP', allowed: /whole number from 1/ },
    { env: { PLATFORMA_ENCRYPTION_KEY: 'c2hvcnQ=' }, variable: 'PLATFORMA_ENCRYPTION_KEY', allowed: /32 random bytes in base64/ },
  ];
  for (const { env, variable, allowed } of cases) {
    it(`refuses ${JSON.stringify(env)} naming ${variable} and what it accepts`, () => {
      const error = configError(env);
      expect(error.variable).toBe(variable);
      expect(error.message.startsWith(`${variable}: `)).toBe(true);
      expect(error.message).toMatch(allowed);
    });
  }

  it('never repeats a database password in the error', () => {
    for (const url of ['postgres://admin:s3cr3t-pw@db.example.com:5432', 'mysql://admin:s3cr3t-pw@db.example.com/app', 'postgres://admin:s3cr3t-pw@db example.com/app']) {
      const error = configError({ DATABASE_URL: url });
      expect(error.message).not.toContain('s3cr3t-pw');
    }
  });
});

describe('defaults', () => {
  it('listens on 8080, keeps data in ./.platforma (resolved), logs at info, uses the embedded database', () => {
    const config = loadConfig({});
    expect(config.port).toBe(8080);
    expect(config.home).toBe(resolve('./.platforma'));
    expect(config.home.startsWith('/')).toBe(true);
    expect(config.logLevel).toBe('info');
    expect(config.host).toBe('0.0.0.0');
    expect(config.databaseUrl).toBeUndefined();
    expect(config.databaseAppUrl).toBeUndefined();
    expect(config.publicUrl).toBe('http://localhost:8080');
    expect(config.bodyLimit).toBe(1_048_576);
    expect(Object.isFrozen(config)).toBe(true);
  });

  it('treats an empty variable as unset', () => {
    const config = loadConfig({ PORT: '', LOG_LEVEL: '', DATABASE_URL: '', PUBLIC_URL: '', PLATFORMA_HOME: '', BODY_LIMIT: '' });
    expect(config).toEqual(loadConfig({}));
  });

  it('resolves a relative PLATFORMA_HOME against the working directory and derives PUBLIC_URL from PORT', () => {
    const config = loadConfig({ PLATFORMA_HOME: 'data/here', PORT: '9001' });
    expect(config.home).toBe(resolve('data/here'));
    expect(config.publicUrl).toBe('http://localhost:9001');
    expect(loadConfig({ PUBLIC_URL: 'https://cloud.example.com/' }).publicUrl).toBe('https://cloud.example.com');
  });
});

describe('PLATFORMA_CONFIG', () => {
  const file = (name: string, content: string) => {
    const path = join(scratch, name);
    writeFileSync(path, content);
    return path;
  };

  it('is honoured, and the environment wins over it', () => {
    const path = file('config.json', JSON.stringify({ PORT: 9000, LOG_LEVEL: 'debug', PUBLIC_URL: 'https://from-file.example.com' }));
    const fromFile = loadConfig({ PLATFORMA_CONFIG: path });
    expect(fromFile).toMatchObject({ port: 9000, logLevel: 'debug', publicUrl: 'https://from-file.example.com' });
    const overridden = loadConfig({ PLATFORMA_CONFIG: path, PORT: '9100', LOG_LEVEL: 'warn' });
    expect(overridden).toMatchObject({ port: 9100, logLevel: 'warn', publicUrl: 'https://from-file.example.com' });
  });

  it('validates values from the file like values from the environment', () => {
    const path = file('bad-port.json', JSON.stringify({ PORT: 'abc' }));
    expect(configError({ PLATFORMA_CONFIG: path }).variable).toBe('PORT');
  });

  it('refuses a missing, unparseable or wrongly shaped file, naming PLATFORMA_CONFIG', () => {
    for (const path of [join(scratch, 'missing.json'), file('broken.json', '{"PORT": '), file('array.json', '[1, 2]'), file('keys.json', '{"port": 1}')]) {
      const error = configError({ PLATFORMA_CONFIG: path });
      expect(error.variable).toBe('PLATFORMA_CONFIG');
    }
  });
});

describe('maskedConfig', () => {
  it('masks passwords in both database URLs', () => {
    const masked = maskedConfig(loadConfig({ DATABASE_URL: 'postgres://owner:0wner-secret@db:5432/app', DATABASE_APP_URL: 'postgres://app:app-secret@db:5432/app' }));
    const text = JSON.stringify(masked);
    expect(text).not.toContain('0wner-secret');
    expect(text).not.toContain('app-secret');
    expect(masked.DATABASE_URL).toBe('postgres://owner:*****@db:5432/app');
  });

  it('names every setting by its variable, so the output pasted into a PLATFORMA_CONFIG file loads back the same', () => {
    const env = { PORT: '9090', PUBLIC_URL: 'https://platforma.example.com', TRUSTED_PROXIES: '10.0.0.5,10.1.0.0/16', SESSION_IDLE_SECONDS: '600', MAIL_FROM: 'Ops <ops@example.com>' };
    const printed = maskedConfig(loadConfig(env));
    expect(printed).toMatchObject({ PORT: '9090', TRUSTED_PROXIES: '10.0.0.5,10.1.0.0/16', SESSION_IDLE_SECONDS: '600', LOG_LEVEL: 'info' });
    expect(Object.keys(printed).every((name) => /^[A-Z][A-Z0-9_]*$/.test(name))).toBe(true);
    const directory = mkdtempSync(join(tmpdir(), 'platforma-config-'));
    try {
      writeFileSync(join(directory, 'config.json'), JSON.stringify(printed));
      expect(loadConfig({ PLATFORMA_CONFIG: join(directory, 'config.json') })).toEqual(loadConfig(env));
    } finally {
      rmSync(directory, { recursive: true, force: true });
    }
  });
});

describe('through the CLI', () => {
  it('`config print` with PORT=abc exits 78 naming PORT', async () => {
    const result = await runCli(['config', 'print'], { PORT: 'abc' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('PORT');
    expect(result.stderr).toMatch(/whole number from 0 to 65535/);
    expect(result.stdout).toBe('');
  });

  it('`config print` shows the effective configuration with the database password masked', async () => {
    const result = await runCli(['config', 'print'], { DATABASE_URL: 'postgres://owner:hunter2-very-secret@db.example.com:5432/platforma', PORT: '9123' });
    expect(result.code).toBe(0);
    expect(result.stdout).not.toContain('hunter2-very-secret');
    expect(result.stderr).not.toContain('hunter2-very-secret');
    const printed = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(printed).toMatchObject({ PORT: '9123', DATABASE_URL: 'postgres://owner:*****@db.example.com:5432/platforma' });
    // Unset settings are left out (the application role's URL is then generated), never described in prose a file cannot hold.
    expect(printed.DATABASE_APP_URL).toBeUndefined();
  });
});

describe('PLATFORMA_INSECURE_NO_AUTH (benchmark only)', () => {
  const on = { PLATFORMA_INSECURE_NO_AUTH: 'benchmark-only', NODE_ENV: 'benchmark', HOST: '127.0.0.1' };

  it('is off by default', () => {
    expect(loadConfig({}).insecureNoAuth).toBe(false);
    expect(loadConfig({ NODE_ENV: 'benchmark', HOST: '127.0.0.1' }).insecureNoAuth).toBe(false);
  });

  it('switches authentication off only with NODE_ENV=benchmark, a loopback HOST and the exact value', () => {
    expect(loadConfig(on).insecureNoAuth).toBe(true);
    expect(loadConfig({ ...on, HOST: '::1' }).insecureNoAuth).toBe(true);
  });

  it('stops the boot, naming the variable, when any of the three is missing', () => {
    for (const env of [
      { ...on, NODE_ENV: 'production' },
      { ...on, NODE_ENV: undefined },
      { ...on, HOST: '0.0.0.0' },
      { ...on, HOST: undefined },
      { ...on, PLATFORMA_INSECURE_NO_AUTH: 'true' },
      { ...on, PLATFORMA_INSECURE_NO_AUTH: '1' },
    ]) {
      expect(() => loadConfig(env), JSON.stringify(env)).toThrow(/^PLATFORMA_INSECURE_NO_AUTH: switches authentication off/);
    }
  });
});
