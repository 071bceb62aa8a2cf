// The benchmark's "authentication off" is a real configuration of the server: with it, a request
// without credentials acts as a fixed platform administrator and the server says so loudly at
// start; without it (every other test), the same request is refused.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestPlatform, type TestPlatform } from '../support/platform.js';

const lines: string[] = [];
let off: TestPlatform;
let on: TestPlatform;

beforeAll(async () => {
  off = await startTestPlatform({ env: { NODE_ENV: 'benchmark', PLATFORMA_INSECURE_NO_AUTH: 'benchmark-only', LOG_LEVEL: 'warn' }, logDestination: { write: (line: string) => void lines.push(line) } });
  on = await startTestPlatform();
});
afterAll(async () => {
  await off?.close();
  await on?.close();
});

describe('PLATFORMA_INSECURE_NO_AUTH', () => {
  it('lets a request without credentials act as a platform administrator, and warns at start', async () => {
    const created = await off.platform.app.inject({ method: 'POST', url: '/api/v1/tenants', payload: { organizationName: 'Open', domain: 'open.example.com', adminEmail: 'ops@open.example.com' } });
    expect(created.statusCode, created.body).toBe(201);
    const read = await off.platform.app.inject({ method: 'GET', url: `/api/v1/tenants/${created.json().id}` });
    expect(read.statusCode).toBe(200);
    expect(lines.some((line) => line.includes('AUTHENTICATION IS OFF'))).toBe(true);
  });

  it('still checks credentials that are sent', async () => {
    expect((await off.platform.app.inject({ method: 'GET', url: '/api/v1/tenants', headers: { authorization: 'Bearer pk_aaaaaaaa_nope-nope-nope' } })).statusCode).toBe(401);
  });

  it('is off otherwise: the same request is refused', async () => {
    expect((await on.platform.app.inject({ method: 'GET', url: '/api/v1/tenants' })).statusCode).toBe(401);
  });
});
