// SMTP_URL and MAIL_FROM: a bad value stops start-up naming the variable (and never repeating the
// SMTP password); `config print` shows the SMTP URL with its password masked.
import { describe, expect, it } from 'vitest';
import { ConfigError, maskedConfig as maskKernelConfig } from '../../kernel/config.js';
import { loadPlatformConfig as loadConfig, settingsSections } from '../../registry.js';

const maskedConfig = (config: ReturnType<typeof loadConfig>) => maskKernelConfig(config, settingsSections());
import { runCli } from '../../../test/support/cli.js';

function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return error as ConfigError;
  }
  throw new Error(`loadConfig accepted ${JSON.stringify(env)}`);
}

describe('SMTP_URL', () => {
  it('is optional: without it mail is stored, and MAIL_FROM has a default', () => {
    const config = loadConfig({});
    expect(config.modules.notifications.smtpUrl).toBeUndefined();
    expect(config.modules.notifications.mailFrom).toBe('Platforma <no-reply@localhost>');
    expect(loadConfig({ SMTP_URL: '', MAIL_FROM: '' })).toEqual(config);
  });

  it('accepts smtp:// and smtps:// URLs', () => {
    for (const url of ['smtp://mail.example.com', 'smtp://user:pass@mail.example.com:587', 'smtps://user:p%40ss@mail.example.com:465?tls.servername=mx.example.com']) {
      expect(loadConfig({ SMTP_URL: url }).modules.notifications.smtpUrl).toBe(url);
    }
  });

  it.each([
    ['http://mail.example.com', /smtp:\/\/ or smtps:\/\//],
    ['not a url', /URL like smtp:\/\/user:password@host:587/],
    ['smtp://user:pass@mail.example.com:99999', /URL like smtp:\/\//],
    ['smtp:user@host', /must name a host/],
  ])('refuses %s naming SMTP_URL', (url, allowed) => {
    const error = configError({ SMTP_URL: url });
    expect(error.variable).toBe('SMTP_URL');
    expect(error.message.startsWith('SMTP_URL: ')).toBe(true);
    expect(error.message).toMatch(allowed);
  });

  it('never repeats the SMTP password in the error', () => {
    for (const url of ['smtp://mailer:sm7p-secret@mail example.com', 'imap://mailer:sm7p-secret@mail.example.com', 'smtp://mailer:sm7p-secret@:25']) {
      expect(configError({ SMTP_URL: url }).message).not.toContain('sm7p-secret');
    }
  });
});

describe('MAIL_FROM', () => {
  it('accepts an address with or without a display name', () => {
    expect(loadConfig({ MAIL_FROM: 'no-reply@example.com' }).modules.notifications.mailFrom).toBe('no-reply@example.com');
    expect(loadConfig({ MAIL_FROM: 'Example Cloud <no-reply@example.com>' }).modules.notifications.mailFrom).toBe('Example Cloud <no-reply@example.com>');
  });

  it.each(['Example Cloud', 'no-reply@', '<no-reply@example.com', 'a@b.com, c@d.com'])('refuses %j naming MAIL_FROM', (from) => {
    const error = configError({ MAIL_FROM: from });
    expect(error.variable).toBe('MAIL_FROM');
    expect(error.message).toMatch(/address like no-reply@example.com/);
  });
});

describe('masking', () => {
  it('masks the SMTP password in maskedConfig', () => {
    const masked = maskedConfig(loadConfig({ SMTP_URL: 'smtps://mailer:sm7p-secret@mail.example.com:465' }));
    expect(masked.SMTP_URL).toBe('smtps://mailer:*****@mail.example.com:465');
    expect(JSON.stringify(masked)).not.toContain('sm7p-secret');
    expect(maskedConfig(loadConfig({})).SMTP_URL).toBeUndefined();
  });

  it('`config print` shows SMTP_URL masked and MAIL_FROM', async () => {
    const result = await runCli(['config', 'print'], { SMTP_URL: 'smtp://mailer:sm7p-very-secret@mail.example.com:587', MAIL_FROM: 'Example <no-reply@example.com>' });
    expect(result.code).toBe(0);
    expect(result.stdout + result.stderr).not.toContain('sm7p-very-secret');
    expect(JSON.parse(result.stdout)).toMatchObject({ SMTP_URL: 'smtp://mailer:*****@mail.example.com:587', MAIL_FROM: 'Example <no-reply@example.com>' });
  });

  it('`config print` with a bad SMTP_URL exits 78 naming SMTP_URL, without the password', async () => {
    const result = await runCli(['config', 'print'], { SMTP_URL: 'http://mailer:sm7p-very-secret@mail.example.com' });
    expect(result.code).toBe(78);
    expect(result.stderr).toContain('SMTP_URL');
    expect(result.stdout + result.stderr).not.toContain('sm7p-very-secret');
  });
});
