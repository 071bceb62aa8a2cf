// Passwords: the policy of the tenant a session works in on every change (and on the password signed
// in with), expiry that restricts the
// session to changing it, change ending the other sessions, reset by an emailed single-use link,
// and email verification.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addMember, startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { auditEntries, ownerQuery } from '../support/audit.js';
import { systemContext, type RequestContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let admin: SignedInHeaders;
let strictTenant: string;
const PASSWORD = 'a long enough passphrase';
const STRONG = 'Sixteen+chars-and-2-digits';

function inject(method: string, url: string, headers: Record<string, string>, payload?: unknown) {
  return t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

async function signIn(email: string, password = PASSWORD) {
  const response = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password } });
  const cookie = response.cookies.find((c) => c.name === 'platforma_session');
  return { response, headers: { cookie: `platforma_session=${cookie?.value}`, 'x-csrf-token': response.statusCode === 200 ? (response.json().csrfToken as string) : '' } };
}

async function person(email: string, tenantId?: string, password = PASSWORD): Promise<string> {
  const user = await t.platform.identity.service.createUser({ email, password }, systemContext('test'));
  if (tenantId) await addMember(t.platform, tenantId, email, 'member');
  return user.id;
}

/** The link in the newest mail to `to` with this purpose, read through the staff mail API. */
async function linkMailedTo(to: string, purpose: string): Promise<string> {
  const list = await inject('GET', `/api/v1/mail?to=${encodeURIComponent(to)}`, admin);
  const message = (list.json().data as { id: string; purpose: string }[]).find((m) => m.purpose === purpose);
  if (!message) throw new Error(`no ${purpose} mail to ${to}`);
  const text = (await inject('GET', `/api/v1/mail/${message.id}`, admin)).json().text as string;
  const link = /https?:\/\/\S+token=[A-Za-z0-9_-]+/.exec(text)?.[0];
  if (!link) throw new Error('no link in the mail');
  return link;
}

/** The token of that link. */
async function tokenMailedTo(to: string, purpose: string): Promise<string> {
  return /token=([A-Za-z0-9_-]+)/.exec(await linkMailedTo(to, purpose))![1]!;
}

beforeAll(async () => {
  t = await startTestPlatform();
  admin = await t.signIn();
  const created = await inject('POST', '/api/v1/tenants', admin, {
    organizationName: 'Strict',
    domain: 'strict.example.com',
    adminEmail: 'ops@strict.example.com',
    settings: { authentication: { passwordPolicy: { minLength: 16, requireSpecialChars: true, requireNumbers: true, maxAge: 30 } } },
  });
  expect(created.statusCode, created.body).toBe(201);
  strictTenant = created.json().id;
});
afterAll(() => t.close());

describe('password policy', () => {
  it('applies the policy of the tenant the session works in to a new password, and to the one signed in with', async () => {
    await person('pat@strict.example.com', strictTenant);
    const { response, headers } = await signIn('pat@strict.example.com');
    // The password signed in with has no digit and no symbol: the strict tenant's session may only change it.
    expect(response.json().restriction).toBe('password_change');
    const weak = await inject('POST', '/api/v1/me/password', headers, { currentPassword: PASSWORD, newPassword: 'short1!' });
    expect(weak.statusCode).toBe(400);
    expect(problemOf(weak).errors?.map((e) => e.message)).toEqual(['must be at least 16 characters']);
    const noDigitNoSymbol = problemOf(await inject('POST', '/api/v1/me/password', headers, { currentPassword: PASSWORD, newPassword: 'only letters here at length' }));
    expect(noDigitNoSymbol.errors).toEqual([
      { pointer: '/newPassword', message: 'must contain a number' },
      { pointer: '/newPassword', message: 'must contain a special character' },
    ]);
    expect((await inject('POST', '/api/v1/me/password', headers, { currentPassword: PASSWORD, newPassword: STRONG })).statusCode).toBe(204);
    // What the password page tells people before they type.
    expect((await inject('GET', '/api/v1/me', headers)).json().passwordPolicy).toEqual({ minLength: 16, requireNumbers: true, requireSpecialChars: true, maxAge: 30 });
  });

  it('holds staff to the default of 12 characters', async () => {
    const weak = await inject('POST', '/api/v1/me/password', admin, { currentPassword: 'correct horse battery staple', newPassword: 'elevenchars' });
    expect(problemOf(weak).errors?.[0]).toEqual({ pointer: '/newPassword', message: 'must be at least 12 characters' });
  });

  it('restricts the session of a person whose password is older than maxAge to changing it', async () => {
    // A password the strict policy accepts: only its age holds the session back.
    const userId = await person('old@strict.example.com', strictTenant, STRONG);
    expect((await signIn('old@strict.example.com', STRONG)).response.json().restriction).toBeNull();
    await ownerQuery(t, `update identity.users set password_changed_at = now() - interval '31 days' where id = $1`, [userId]);
    const { response, headers } = await signIn('old@strict.example.com', STRONG);
    expect(response.json().restriction).toBe('password_change');
    const refused = await inject('GET', `/api/v1/tenants/${strictTenant}`, headers);
    expect(refused.statusCode).toBe(403);
    expect(problemOf(refused).code).toBe('PLAT_PASSWORD_CHANGE_REQUIRED');
    expect((await inject('POST', '/api/v1/me/password', headers, { currentPassword: STRONG, newPassword: `${STRONG}-renewed` })).statusCode).toBe(204);
    expect((await inject('GET', `/api/v1/tenants/${strictTenant}`, headers)).statusCode).toBe(200);
  });
});

describe('a refused password names each rule it fails', () => {
  it('answers PLAT_PASSWORD_POLICY_VIOLATED with every failed rule in failedRules, in the detail and under the field', async () => {
    const { headers } = await signIn('pat@strict.example.com', STRONG);
    const refused = await inject('POST', '/api/v1/me/password', headers, { currentPassword: STRONG, newPassword: 'password' });
    expect(refused.statusCode).toBe(400);
    const problem = problemOf(refused);
    expect(problem.code).toBe('PLAT_PASSWORD_POLICY_VIOLATED');
    expect(problem.failedRules).toEqual([
      { rule: 'min_length', minLength: 16, message: 'must be at least 16 characters' },
      { rule: 'requires_number', message: 'must contain a number' },
      { rule: 'requires_special_character', message: 'must contain a special character' },
      { rule: 'common_password', message: 'must not be a common or easily guessed password' },
    ]);
    expect(problem.detail).toBe(
      'The new password does not meet the password policy: it must be at least 16 characters; it must contain a number; it must contain a special character; it must not be a common or easily guessed password.',
    );
    expect(problem.errors?.map((e) => e.pointer)).toEqual(['/newPassword', '/newPassword', '/newPassword', '/newPassword']);
  });

  it('refuses common passwords dressed up with digits and symbols, trivial patterns, and passwords built on the email address', async () => {
    await person('richard@example.com');
    const { headers } = await signIn('richard@example.com');
    const rulesFailedBy = async (newPassword: string) => {
      const answer = await inject('POST', '/api/v1/me/password', headers, { currentPassword: PASSWORD, newPassword });
      return answer.statusCode === 204 ? [] : (problemOf(answer).failedRules as { rule: string }[]).map((failed) => failed.rule);
    };
    expect(await rulesFailedBy('P@ssw0rd2024!')).toEqual(['common_password']);
    expect(await rulesFailedBy('qwertyuiop123')).toEqual(['common_password']);
    expect(await rulesFailedBy('123456789012')).toEqual(['common_password']);
    expect(await rulesFailedBy('abcabcabcabc')).toEqual(['common_password']);
    expect(await rulesFailedBy('my richard@example.com key')).toEqual(['contains_email']);
    expect(await rulesFailedBy('Richard-2024-!!')).toEqual(['contains_email']);
    // The name as one word of a passphrase is not the address: accepted.
    expect(await rulesFailedBy('richards own long passphrase')).toEqual([]);
  });

  it('names the failed rules when accepting an invitation and when resetting by email', async () => {
    await person('reset-me@example.com');
    await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'reset-me@example.com' } });
    const token = await tokenMailedTo('reset-me@example.com', 'identity.password_reset');
    const reset = problemOf(await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, newPassword: 'reset-me1' } }));
    expect(reset.code).toBe('PLAT_PASSWORD_POLICY_VIOLATED');
    expect((reset.failedRules as { rule: string }[]).map((failed) => failed.rule)).toEqual(['min_length', 'contains_email']);

    const invited = await inject('POST', `/api/v1/tenants/${strictTenant}/invitations`, admin, { email: 'joiner@example.com', role: 'member' });
    expect(invited.statusCode, invited.body).toBe(201);
    const invitation = /token=([A-Za-z0-9_-]+)/.exec(await linkMailedTo('joiner@example.com', 'identity.invitation'))![1]!;
    const accept = problemOf(await inject('POST', '/api/v1/invitations/accept', {}, { token: invitation, password: 'Joiner#2024-!!!!' }));
    expect(accept.code).toBe('PLAT_PASSWORD_POLICY_VIOLATED');
    expect(accept.failedRules).toEqual([{ rule: 'contains_email', message: 'must not contain your email address or be built on its name' }]);
    expect(accept.detail).toBe('The password does not meet the password policy: it must not contain your email address or be built on its name.');
  });
});

describe('changing the password', () => {
  it('needs the current password, ends my other sessions and keeps this one', async () => {
    const userId = await person('chris@example.com');
    const here = (await signIn('chris@example.com')).headers;
    const elsewhere = (await signIn('chris@example.com')).headers;
    const wrong = await inject('POST', '/api/v1/me/password', here, { currentPassword: 'not my password', newPassword: 'a brand new passphrase' });
    expect(problemOf(wrong).code).toBe('PLAT_INVALID_CREDENTIALS');
    expect((await inject('POST', '/api/v1/me/password', here, { currentPassword: PASSWORD, newPassword: 'a brand new passphrase' })).statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/me', elsewhere)).statusCode).toBe(401);
    expect((await inject('GET', '/api/v1/me', here)).statusCode).toBe(200);
    expect((await signIn('chris@example.com')).response.statusCode).toBe(401);
    expect((await signIn('chris@example.com', 'a brand new passphrase')).response.statusCode).toBe(200);
    expect((await auditEntries(t, { action: 'identity.password.changed', targetId: userId }))[0]?.after).toEqual({ otherSessionsEnded: 1 });
  });

  it('with an Idempotency-Key, a wrong current password never leaves a success to replay, even if the server dies before recording the refusal', async () => {
    const userId = await person('idem@example.com');
    const { headers } = await signIn('idem@example.com');
    const key = 'password-change-attempt-1';
    const wrongBody = { currentPassword: 'not my password', newPassword: 'a brand new passphrase' };
    // The server dies after the attempt's audit entry committed and before the refusal is recorded
    // over whatever that transaction left: here, any later change to the key's record fails.
    await ownerQuery(
      t,
      `create function public.idem_crash() returns trigger language plpgsql as $$ begin raise exception 'the server died'; end $$;
       create trigger idem_crash before update on kernel.idempotency_keys for each row when (old.key = '${key}') execute function public.idem_crash()`,
    );
    let first;
    try {
      first = await inject('POST', '/api/v1/me/password', { ...headers, 'idempotency-key': key }, wrongBody);
    } finally {
      await ownerQuery(t, 'drop trigger idem_crash on kernel.idempotency_keys; drop function public.idem_crash()');
    }
    expect(await auditEntries(t, { action: 'identity.password.change_failed', targetId: userId })).toHaveLength(1);
    // The retry of that request (same key, same body) gets the refusal, never a 204.
    const retry = await inject('POST', '/api/v1/me/password', { ...headers, 'idempotency-key': key }, wrongBody);
    expect(retry.statusCode).toBe(401);
    expect(retry.headers['idempotent-replayed']).toBe('true');
    expect(first.statusCode).toBe(401);
    // The same key with the right password is another request (422), not a replayed success.
    const reused = await inject('POST', '/api/v1/me/password', { ...headers, 'idempotency-key': key }, { ...wrongBody, currentPassword: PASSWORD });
    expect(problemOf(reused).code).toBe('PLAT_IDEMPOTENCY_KEY_REUSED');
    // The password was never changed; with a fresh key the change runs.
    expect((await signIn('idem@example.com')).response.statusCode).toBe(200);
    expect((await inject('POST', '/api/v1/me/password', { ...headers, 'idempotency-key': 'password-change-attempt-2' }, { ...wrongBody, currentPassword: PASSWORD })).statusCode).toBe(204);
    expect((await signIn('idem@example.com', 'a brand new passphrase')).response.statusCode).toBe(200);
  });
});

describe('password reset by email', () => {
  it('answers the same whether or not the address has an account, and mails only real ones', async () => {
    await person('robin@example.com');
    const known = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'Robin@example.com' } });
    const unknown = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'nobody@example.com' } });
    expect([known.statusCode, known.body]).toEqual([unknown.statusCode, unknown.body]);
    expect(known.statusCode).toBe(202);
    expect((await inject('GET', '/api/v1/mail?to=nobody@example.com', admin)).json().data).toEqual([]);
    expect(await tokenMailedTo('robin@example.com', 'identity.password_reset')).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it('links to the reset page of the app the person uses, with the token in the fragment (never sent to a server)', async () => {
    await person('linked@example.com');
    await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'linked@example.com' } });
    const publicUrl = t.platform.kernel.config.publicUrl;
    expect(await linkMailedTo('linked@example.com', 'identity.password_reset')).toMatch(new RegExp(`^${publicUrl}/portal/reset-password#token=[A-Za-z0-9_-]{43}$`));
    await t.platform.identity.service.createUser({ email: 'staffer@example.com', password: PASSWORD, platformRole: 'support' }, systemContext('test'));
    await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'staffer@example.com' } });
    expect(await linkMailedTo('staffer@example.com', 'identity.password_reset')).toMatch(new RegExp(`^${publicUrl}/admin/reset-password#token=[A-Za-z0-9_-]{43}$`));
  });

  it('sets a new password once per link, after the policy accepts it, and ends every session', async () => {
    const userId = await person('sky@example.com');
    const before = (await signIn('sky@example.com')).headers;
    await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'sky@example.com' } });
    const token = await tokenMailedTo('sky@example.com', 'identity.password_reset');
    const confirm = (newPassword: string) => t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, newPassword } });

    expect(problemOf(await confirm('short')).errors?.[0]?.pointer).toBe('/newPassword');
    expect((await confirm('my recovered passphrase')).statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/me', before)).statusCode).toBe(401);
    expect((await signIn('sky@example.com', 'my recovered passphrase')).response.statusCode).toBe(200);
    const reused = await confirm('another new passphrase');
    expect(reused.statusCode).toBe(400);
    expect(problemOf(reused).errors?.[0]?.pointer).toBe('/token');
    expect(await auditEntries(t, { action: 'identity.password.reset', targetId: userId })).toHaveLength(1);
  });

  it('refuses an expired link', async () => {
    await person('late@example.com');
    await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset', payload: { email: 'late@example.com' } });
    const token = await tokenMailedTo('late@example.com', 'identity.password_reset');
    const [row] = await ownerQuery<{ minutes: number }>(t, `select extract(epoch from expires_at - created_at) / 60 as minutes from identity.email_tokens where purpose = 'password_reset' and email = 'late@example.com'`);
    expect(Number(row!.minutes)).toBe(30);
    await ownerQuery(t, `update identity.email_tokens set expires_at = now() - interval '1 second' where email = 'late@example.com'`);
    const refused = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/password-reset/confirm', payload: { token, newPassword: 'too late for this one' } });
    expect(refused.statusCode).toBe(400);
  });
});

describe('email verification', () => {
  it('mails a link when a person creates an account, which verifies the address once', async () => {
    await person('owner@example.com');
    const ownerSession = await t.platform.identity.service.resolveSession((await signIn('owner@example.com')).headers.cookie.split('=')[1]!);
    const asOwner: RequestContext = { principal: ownerSession!.principal, requestId: 'test', sourceIp: '127.0.0.1' };
    const created = await t.platform.identity.service.createUser({ email: 'new@example.com', password: PASSWORD }, asOwner);
    const link = await linkMailedTo('new@example.com', 'identity.email_verification');
    expect(link).toMatch(new RegExp(`^${t.platform.kernel.config.publicUrl}/portal/verify-email#token=[A-Za-z0-9_-]{43}$`));
    const token = await tokenMailedTo('new@example.com', 'identity.email_verification');
    const verify = () => t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token } });
    expect((await verify()).statusCode).toBe(204);
    expect((await ownerQuery<{ email_verified_at: Date | null }>(t, 'select email_verified_at from identity.users where id = $1', [created.id]))[0]?.email_verified_at).not.toBeNull();
    expect((await verify()).statusCode).toBe(400);
    expect(await auditEntries(t, { action: 'identity.email.verified', targetId: created.id })).toHaveLength(1);
  });

  it('does not mail staff-created accounts, resends on request, and the newer link replaces the older', async () => {
    const userId = await person('quiet@example.com');
    expect((await inject('GET', '/api/v1/mail?to=quiet@example.com', admin)).json().data).toEqual([]);
    const { headers } = await signIn('quiet@example.com');
    expect((await inject('GET', '/api/v1/me', headers)).json().emailVerifiedAt).toBeNull();
    expect((await inject('POST', '/api/v1/me/email-verification', headers, {})).statusCode).toBe(202);
    const first = await tokenMailedTo('quiet@example.com', 'identity.email_verification');
    expect((await inject('POST', '/api/v1/me/email-verification', headers, {})).statusCode).toBe(202);
    const second = await tokenMailedTo('quiet@example.com', 'identity.email_verification');
    expect(second).not.toBe(first);
    expect((await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token: first } })).statusCode).toBe(400);
    expect((await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/verify-email', payload: { token: second } })).statusCode).toBe(204);
    expect((await inject('POST', '/api/v1/me/email-verification', headers, {})).statusCode).toBe(409);
    expect(Date.parse((await inject('GET', '/api/v1/me', headers)).json().emailVerifiedAt)).not.toBeNaN();
    expect(await auditEntries(t, { action: 'identity.email.verified', targetId: userId })).toHaveLength(1);
  });
});
