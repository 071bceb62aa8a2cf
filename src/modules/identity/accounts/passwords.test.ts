// The rules a new password must meet, judged without a database: the tenant's configurable rules and
// the screen for common passwords and the person's own email address.
import { describe, expect, it } from 'vitest';
import { failedPasswordRules, policyFailures } from './passwords.js';
import { DEFAULT_PASSWORD_POLICY } from './authentication-rules.js';

const rulesFailedBy = (password: string, email = 'dana.scully@fbi.example.com') => failedPasswordRules(DEFAULT_PASSWORD_POLICY, password, email).map((failed) => failed.rule);

describe('failedPasswordRules', () => {
  it('accepts long passphrases, with or without symbols', () => {
    for (const password of ['correct horse battery staple', 'a long enough passphrase', 'Sixteen+chars-and-2-digits', 'scully reads the x files']) {
      expect(rulesFailedBy(password), password).toEqual([]);
    }
  });

  it('refuses the common passwords and their usual disguises', () => {
    for (const password of ['passwordpassword', 'Password123456', 'P@ssw0rd2024!', 'Qwerty123456!', 'iloveyou2024!!', 'Welcome#2025-!']) {
      expect(rulesFailedBy(password), password).toEqual(['common_password']);
    }
  });

  it('refuses repeats and keyboard or counting runs', () => {
    for (const password of ['aaaaaaaaaaaa', '121212121212', '123456789012', '987654321098', 'abcdefghijklm', 'qwertyuiopas', '1q2w3e4r5t6y']) {
      expect(rulesFailedBy(password), password).toEqual(['common_password']);
    }
  });

  it('refuses the email address inside the password, and its name with only digits and symbols around it', () => {
    expect(rulesFailedBy('my dana.scully@fbi.example.com!')).toEqual(['contains_email']);
    expect(rulesFailedBy('Dana.Scully-1964!!')).toEqual(['contains_email']);
    expect(rulesFailedBy('dana.scully and mulder')).toEqual([]);
  });

  it('names the length rule with the length it asks for, and leaves the screen out of the sign-in check', () => {
    expect(failedPasswordRules({ ...DEFAULT_PASSWORD_POLICY, minLength: 20 }, 'short one', 'x@example.com')).toEqual([{ rule: 'min_length', minLength: 20, message: 'must be at least 20 characters' }]);
    expect(policyFailures(DEFAULT_PASSWORD_POLICY, 'Password123456')).toEqual([]);
  });
});
