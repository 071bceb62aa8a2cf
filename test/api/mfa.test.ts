// TOTP multi-factor authentication: mandatory enrolment for staff and for tenants that require it,
// the MFA step of sign-in (codes and single-use recovery codes), and turning it off.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generate } from 'otplib';
import { addMember, startTestPlatform, problemOf, totpCode, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { call, expectStatus, type RequestOf } from '../support/api.js';
import { auditEntries, ownerQuery } from '../support/audit.js';
import { systemContext } from '../../src/kernel/context.js';
import { loadSecretBox } from '../../src/kernel/encryption.js';
import { ManualClock } from '../../src/kernel/clock.js';

let t: TestPlatform;
// The platform's time, which the server checks codes against: moved to the next TOTP period when a
// person's codes of this one are used up, instead of waiting for it.
const clock = new ManualClock(new Date());
let admin: SignedInHeaders;
const PASSWORD = 'a long enough passphrase';

function inject(method: string, url: string, headers: Record<string, string>, payload?: unknown) {
  return t.platform.app.inject({ method: method as 'GET', url, headers, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** Starts (or resumes) TOTP enrolment; the secret and how the app shows it. */
const startEnrolment = (headers: Record<string, string>, body: RequestOf<'/api/v1/me/mfa/totp', 'post'> = {}) => call(t, 'post', '/api/v1/me/mfa/totp', 200, { headers, body });

/** Password step only: the session as it is before any second factor. */
async function passwordSignIn(email: string, password = PASSWORD) {
  const response = await t.platform.app.inject({ method: 'POST', url: '/api/v1/auth/sign-in', payload: { email, password } });
  expect(response.statusCode, response.body).toBe(200);
  const cookie = response.cookies.find((c) => c.name === 'platforma_session');
  const body = expectStatus(response, { method: 'post', path: '/api/v1/auth/sign-in' }, 200);
  return { headers: { cookie: `platforma_session=${cookie?.value}`, 'x-csrf-token': body.csrfToken }, body };
}

async function enrol(headers: Record<string, string>): Promise<{ secret: string; recoveryCodes: string[] }> {
  const { secret } = await startEnrolment(headers);
  const confirmed = await inject('POST', '/api/v1/me/mfa/totp/confirm', headers, { code: await totpCode(secret, clock) });
  expect(confirmed.statusCode, confirmed.body).toBe(200);
  return { secret, recoveryCodes: confirmed.json().recoveryCodes };
}

beforeAll(async () => {
  t = await startTestPlatform({ clock });
  admin = await t.signIn();
});
afterAll(() => t.close());

describe('mandatory enrolment', () => {
  it('restricts a staff member without MFA to enrolling until a first code confirms it', async () => {
    await t.platform.identity.service.createUser({ email: 'ops@example.com', password: PASSWORD, platformRole: 'operator' }, systemContext('test'));
    const { headers, body } = await passwordSignIn('ops@example.com');
    expect(body).toMatchObject({ restriction: 'mfa_enroll', mfaRequired: false });

    const refused = await inject('GET', '/api/v1/tenants', headers);
    expect(refused.statusCode).toBe(401);
    expect(problemOf(refused)).toMatchObject({ code: 'PLAT_MFA_REQUIRED', restriction: 'mfa_enroll' });
    expect((await inject('GET', '/api/v1/me/sessions', headers)).statusCode).toBe(401);
    expect((await inject('GET', '/api/v1/auth/session', headers)).json()).toMatchObject({ restriction: 'mfa_enroll' });

    const enrolment = await startEnrolment(headers);
    expect(enrolment.otpauthUrl).toBe(`otpauth://totp/Platforma:ops%40example.com?secret=${enrolment.secret}&issuer=Platforma`);
    expect(enrolment.qrCode).toMatch(/^data:image\/png;base64,[A-Za-z0-9+/]+=*$/);

    const wrong = await inject('POST', '/api/v1/me/mfa/totp/confirm', headers, { code: (Number(await generate({ secret: enrolment.secret })) ^ 1).toString().padStart(6, '0') });
    expect(wrong.statusCode).toBe(400);
    expect(problemOf(wrong).code).toBe('PLAT_MFA_CODE_INVALID');
    expect((await inject('GET', '/api/v1/tenants', headers)).statusCode).toBe(401);

    const confirmed = await inject('POST', '/api/v1/me/mfa/totp/confirm', headers, { code: await totpCode(enrolment.secret, clock) });
    expect(confirmed.statusCode).toBe(200);
    const codes = confirmed.json().recoveryCodes as string[];
    expect(codes).toHaveLength(10);
    expect(new Set(codes).size).toBe(10);
    expect((await inject('GET', '/api/v1/tenants', headers)).statusCode).toBe(200);
    expect((await inject('GET', '/api/v1/auth/session', headers)).json()).toMatchObject({ restriction: null });
    // Enrolled once; a second enrolment is refused rather than silently replacing the authenticator.
    expect((await inject('POST', '/api/v1/me/mfa/totp', headers, {})).statusCode).toBe(409);
    const actions = (await auditEntries(t, { targetId: body.user.id })).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['identity.mfa.enrolment_started', 'identity.mfa.failed', 'identity.mfa.enrolled']));
  });

  it('forces enrolment on members of a tenant that requires MFA, and not on others', async () => {
    const created = await inject('POST', '/api/v1/tenants', admin, { organizationName: 'Strict', domain: 'strict.example.com', adminEmail: 'ops@strict.example.com' });
    const tenantId = created.json().id as string;
    await t.platform.identity.service.createUser({ email: 'sam@strict.example.com', password: PASSWORD }, systemContext('test'));
    await addMember(t.platform, tenantId, 'sam@strict.example.com', 'member');
    expect((await passwordSignIn('sam@strict.example.com')).body.restriction).toBeNull();

    const patched = await inject('PATCH', `/api/v1/tenants/${tenantId}`, admin, { settings: { authentication: { mfaRequired: true } } });
    expect(patched.statusCode, patched.body).toBe(200);
    const { headers, body } = await passwordSignIn('sam@strict.example.com');
    expect(body.restriction).toBe('mfa_enroll');
    expect(problemOf(await inject('GET', `/api/v1/tenants/${tenantId}`, headers)).code).toBe('PLAT_MFA_REQUIRED');
    await enrol(headers);
    expect((await inject('GET', `/api/v1/tenants/${tenantId}`, headers)).statusCode).toBe(200);
    expect((await inject('GET', '/api/v1/me', headers)).json().mfa).toEqual({ enabled: true, required: true, recoveryCodesLeft: 10 });
  });
});

describe('the MFA step of sign-in', () => {
  let secret: string;
  let recoveryCodes: string[];

  beforeAll(async () => {
    await t.platform.identity.service.createUser({ email: 'mia@example.com', password: PASSWORD }, systemContext('test'));
    ({ secret, recoveryCodes } = await enrol((await passwordSignIn('mia@example.com')).headers));
  });

  it('leaves the session MFA-pending, refused everywhere but the MFA step, until a right code', async () => {
    const { headers, body } = await passwordSignIn('mia@example.com');
    expect(body).toMatchObject({ mfaRequired: true, restriction: 'mfa_verify' });
    for (const [method, url] of [['GET', '/api/v1/me'], ['GET', '/api/v1/me/sessions'], ['POST', '/api/v1/me/mfa/totp'], ['POST', '/api/v1/auth/switch-tenant']] as const) {
      const response = await inject(method, url, headers, method === 'POST' ? {} : undefined);
      expect(response.statusCode, `${method} ${url}`).toBe(401);
      expect(problemOf(response).code).toBe('PLAT_MFA_REQUIRED');
    }
    const wrong = await inject('POST', '/api/v1/auth/mfa/verify', headers, { code: '000000' });
    expect(problemOf(wrong).code).toBe('PLAT_MFA_CODE_INVALID');
    const code = await totpCode(secret, clock);
    expect((await inject('POST', '/api/v1/auth/mfa/verify', headers, { code })).statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/me', headers)).statusCode).toBe(200);

    // The same code cannot sign in a second time (no replay within its validity window).
    const again = await passwordSignIn('mia@example.com');
    expect(problemOf(await inject('POST', '/api/v1/auth/mfa/verify', again.headers, { code })).code).toBe('PLAT_MFA_CODE_INVALID');
    expect((await auditEntries(t, { action: 'identity.mfa.verified', targetId: body.user.id })).length).toBeGreaterThanOrEqual(1);
  });

  it('accepts each recovery code once', async () => {
    const [first] = recoveryCodes;
    const one = await passwordSignIn('mia@example.com');
    expect((await inject('POST', '/api/v1/auth/mfa/verify', one.headers, { recoveryCode: first!.toUpperCase() })).statusCode).toBe(204);
    const me = await inject('GET', '/api/v1/me', one.headers);
    expect(me.statusCode).toBe(200);
    // The account page reads whether MFA is on, whether it may be turned off, and the codes left.
    expect(me.json().mfa).toEqual({ enabled: true, required: false, recoveryCodesLeft: 9 });
    const two = await passwordSignIn('mia@example.com');
    expect(problemOf(await inject('POST', '/api/v1/auth/mfa/verify', two.headers, { recoveryCode: first })).code).toBe('PLAT_MFA_CODE_INVALID');
    const used = await auditEntries(t, { action: 'identity.mfa.recovery_code_used', targetId: one.body.user.id });
    expect(used).toHaveLength(1);
    expect(used[0]?.after).toEqual({ recoveryCodesLeft: 9 });
  });

  it('stores the TOTP secret sealed with the installation key and the recovery codes only as hashes', async () => {
    const [factor] = await ownerQuery<{ user_id: string; secret_ciphertext: string }>(t, `select f.user_id, f.secret_ciphertext from identity.totp_factors f join identity.users u on u.id = f.user_id where u.email = 'mia@example.com'`);
    expect(factor!.secret_ciphertext).not.toContain(secret);
    expect(factor!.secret_ciphertext).toMatch(/^v1\./);
    expect(loadSecretBox(t.platform.kernel.config).open(factor!.secret_ciphertext, factor!.user_id)).toBe(secret);
    // Sealed for its owner: moved to another row it does not open.
    expect(() => loadSecretBox(t.platform.kernel.config).open(factor!.secret_ciphertext, 'usr_someone_else')).toThrow();
    const hashes = await ownerQuery<{ code_hash: string }>(t, `select code_hash from identity.recovery_codes where user_id = $1`, [factor!.user_id]);
    expect(hashes).toHaveLength(10);
    for (const code of recoveryCodes) expect(hashes.map((h) => h.code_hash)).not.toContain(code);
  });

  it('is turned off only with a current code, and never for staff', async () => {
    const staffRefusal = await inject('DELETE', '/api/v1/me/mfa', admin, { code: '000000' });
    expect(staffRefusal.statusCode).toBe(409);
    expect(problemOf(staffRefusal).detail).toMatch(/mandatory/);
    const { headers } = await passwordSignIn('mia@example.com');
    expect((await inject('POST', '/api/v1/auth/mfa/verify', headers, { recoveryCode: recoveryCodes[1] })).statusCode).toBe(204);
    expect(problemOf(await inject('DELETE', '/api/v1/me/mfa', headers, { code: '123456' })).code).toBe('PLAT_MFA_CODE_INVALID');
    expect((await inject('DELETE', '/api/v1/me/mfa', headers, { code: await totpCode(secret, clock) })).statusCode).toBe(204);
    expect((await inject('GET', '/api/v1/me', headers)).json().mfa).toEqual({ enabled: false, required: false, recoveryCodesLeft: 0 });
    expect((await passwordSignIn('mia@example.com')).body.restriction).toBeNull();
    expect(await auditEntries(t, { action: 'identity.mfa.disabled' })).toHaveLength(1);
  });
});

describe('an enrolment left pending', () => {
  it('returns the same secret when started again, so an app that scanned it before a reload still confirms', async () => {
    const user = await t.platform.identity.service.createUser({ email: 'reloader@example.com', password: PASSWORD }, systemContext('test'));
    const { headers } = await passwordSignIn('reloader@example.com');
    const scanned = await startEnrolment(headers);
    expect(Date.parse(scanned.expiresAt) - Date.now()).toBeGreaterThan(59 * 60_000);

    // The enrolment page is reloaded: it starts enrolment again.
    expect(await startEnrolment(headers)).toEqual(scanned);
    expect(await auditEntries(t, { action: 'identity.mfa.enrolment_started', targetId: user.id })).toHaveLength(1);

    // A code from the app that scanned the first page confirms.
    const confirmed = await inject('POST', '/api/v1/me/mfa/totp/confirm', headers, { code: await totpCode(scanned.secret, clock) });
    expect(confirmed.statusCode, confirmed.body).toBe(200);
  });

  it('resumes a pending secret only in the session that started it: another session gets a new one, which voids the first', async () => {
    await t.platform.identity.service.createUser({ email: 'two-sessions@example.com', password: PASSWORD }, systemContext('test'));
    // Someone else who knows the password starts enrolment first and reads the secret.
    const intruder = (await passwordSignIn('two-sessions@example.com')).headers;
    const seen = await startEnrolment(intruder);
    // The person's own enrolment within the hour does not resume it.
    const own = (await passwordSignIn('two-sessions@example.com')).headers;
    const mine = await startEnrolment(own);
    expect(mine.secret).not.toBe(seen.secret);
    expect(problemOf(await inject('POST', '/api/v1/me/mfa/totp/confirm', own, { code: await totpCode(seen.secret, clock) })).code).toBe('PLAT_MFA_CODE_INVALID');
    expect((await inject('POST', '/api/v1/me/mfa/totp/confirm', own, { code: await totpCode(mine.secret, clock) })).statusCode).toBe(200);
  });

  it('gives a new secret when asked to restart, or once the pending one has expired', async () => {
    await t.platform.identity.service.createUser({ email: 'restarter@example.com', password: PASSWORD }, systemContext('test'));
    const { headers } = await passwordSignIn('restarter@example.com');
    const first = await startEnrolment(headers);
    const second = await startEnrolment(headers, { restart: true });
    expect(second.secret).not.toBe(first.secret);
    // The discarded secret no longer confirms.
    expect(problemOf(await inject('POST', '/api/v1/me/mfa/totp/confirm', headers, { code: await totpCode(first.secret, clock) })).code).toBe('PLAT_MFA_CODE_INVALID');

    await ownerQuery(t, `update identity.totp_factors set created_at = now() - interval '61 minutes' where user_id = (select id from identity.users where email = 'restarter@example.com')`);
    const afterExpiry = await startEnrolment(headers);
    expect(afterExpiry.secret).not.toBe(second.secret);
    expect((await inject('POST', '/api/v1/me/mfa/totp', headers, { restart: 'yes' })).statusCode).toBe(400);
  });
});
