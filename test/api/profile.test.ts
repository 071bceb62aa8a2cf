// The person's own profile: the display name they choose (PATCH /api/v1/me), trimmed to one line,
// cleared with blank or null, refused without change when too long or not one line, and audited.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, problemOf, type TestPlatform, type SignedInHeaders } from '../support/platform.js';
import { auditEntries, ownerQuery } from '../support/audit.js';
import { systemContext } from '../../src/kernel/context.js';

let t: TestPlatform;
let ana: SignedInHeaders;
let anaId: string;

const patchMe = (payload: unknown, headers: Record<string, string> = ana) => t.platform.app.inject({ method: 'PATCH', url: '/api/v1/me', headers, payload: payload as object });
const storedName = async () => (await ownerQuery<{ display_name: string | null }>(t, 'select display_name from identity.users where id = $1', [anaId]))[0]?.display_name;

beforeAll(async () => {
  t = await startTestPlatform();
  anaId = (await t.platform.identity.service.createUser({ email: 'ana@example.com', password: 'a long enough passphrase' }, systemContext('test'))).id;
  ana = await t.signIn('ana@example.com', 'a long enough passphrase');
});
afterAll(() => t.close());

describe('display name', () => {
  it('starts empty, is set as one trimmed line, and GET /api/v1/me shows it', async () => {
    expect((await t.platform.app.inject({ method: 'GET', url: '/api/v1/me', headers: ana })).json().displayName).toBeNull();
    const set = await patchMe({ displayName: '  Ana   María  ' });
    expect(set.statusCode, set.body).toBe(200);
    expect(set.json()).toMatchObject({ displayName: 'Ana María', user: { email: 'ana@example.com' } });
    expect((await t.platform.app.inject({ method: 'GET', url: '/api/v1/me', headers: ana })).json().displayName).toBe('Ana María');
    const [entry] = await auditEntries(t, { action: 'identity.profile.updated', targetId: anaId });
    expect(entry?.after).toEqual({ displayName: 'Ana María' });
  });

  it('refuses a name that is too long or not text, with a pointer, and changes nothing', async () => {
    for (const displayName of ['x'.repeat(101), 42]) {
      const refused = await patchMe({ displayName });
      expect(refused.statusCode).toBe(400);
      expect(problemOf(refused).errors?.[0]?.pointer).toBe('/displayName');
    }
    const control = await patchMe({ displayName: 'Ana\u0007' });
    expect(problemOf(control).errors).toEqual([{ pointer: '/displayName', message: 'must not contain control characters' }]);
    expect(problemOf(await patchMe({ displayName: 'Ana', email: 'other@example.com' })).status).toBe(400);
    expect(await storedName()).toBe('Ana María');
  });

  it('is cleared by a blank or null name, and an unchanged name is not audited again', async () => {
    expect((await patchMe({ displayName: 'Ana María' })).statusCode).toBe(200);
    expect(await auditEntries(t, { action: 'identity.profile.updated', targetId: anaId })).toHaveLength(1);
    expect((await patchMe({ displayName: '   ' })).json().displayName).toBeNull();
    expect(await storedName()).toBeNull();
    expect((await patchMe({ displayName: 'Ana' })).json().displayName).toBe('Ana');
    expect((await patchMe({ displayName: null })).json().displayName).toBeNull();
  });

  it('needs a signed-in person', async () => {
    expect((await t.platform.app.inject({ method: 'PATCH', url: '/api/v1/me', payload: { displayName: 'Nobody' } })).statusCode).toBe(401);
  });
});
