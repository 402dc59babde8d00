import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDirectory, startHarness, type Harness } from '../support/harness.js';

let h: Harness;

beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
});
afterAll(() => h.stop());

describe('authentication', () => {
  it('401 without a token, with an expired one, a badly signed one, or one missing a required claim', async () => {
    const expired = await h.token('anne', { ttlSeconds: -10 });
    const forged = await new SignJWT({ tenant: 'school' }).setProtectedHeader({ alg: 'HS256' }).setSubject('anne').setExpirationTime('1h').sign(new TextEncoder().encode('another-secret-another-secret-another!'));
    const noTenant = await new SignJWT({}).setProtectedHeader({ alg: 'HS256' }).setSubject('anne').setExpirationTime('1h').sign(new TextEncoder().encode('test-secret-that-is-long-enough-for-hs256!'));
    const noExp = await new SignJWT({ tenant: 'school' }).setProtectedHeader({ alg: 'HS256' }).setSubject('anne').sign(new TextEncoder().encode('test-secret-that-is-long-enough-for-hs256!'));
    const responses = await Promise.all([
      h.request('GET', '/v1/locker'),
      h.request('GET', '/v1/locker', { headers: { authorization: 'Basic YW5uZTpwdw==' } }),
      h.request('GET', '/v1/locker', { token: expired }),
      h.request('GET', '/v1/locker', { token: forged }),
      h.request('GET', '/v1/locker', { token: noTenant }),
      h.request('GET', '/v1/locker', { token: noExp }),
      h.request('GET', '/v1/locker', { token: 'not.a.jwt' }),
    ]);
    for (const res of responses) {
      expect(res.status).toBe(401);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    }
    expect(responses[2]!.json.detail).toMatch(/expired/);
  });

  it('403 for a valid token whose user is not in the directory of the tenant', async () => {
    const res = await h.request('GET', '/v1/locker', { as: 'stranger' });
    expect(res.status).toBe(403);
    expect((await h.request('GET', '/v1/locker', { as: 'anne', tenant: 'nowhere' })).status).toBe(403);
  });

  it('students have no locker', async () => {
    expect((await h.request('GET', '/v1/locker', { as: 'leo' })).status).toBe(403);
  });

  it('health, readiness and the OpenAPI document need no token', async () => {
    expect((await h.request('GET', '/health')).json).toEqual({ status: 'ok' });
    expect((await h.request('GET', '/ready')).json).toEqual({ status: 'ready' });
    const openapi = await h.request('GET', '/openapi.json');
    expect(openapi.json.openapi).toBe('3.1.0');
    for (const path of ['/v1/directory', '/v1/categories', '/v1/categories/{id}', '/v1/settings', '/v1/documents', '/v1/distribution', '/v1/locker', '/v1/documents/{id}', '/v1/documents/{id}/recipients', '/v1/documents/{id}/content', '/v1/notifications', '/v1/audit/events']) {
      expect(Object.keys(openapi.json.paths)).toContain(path);
    }
  });

  it('an unknown route is a problem+json 404', async () => {
    const res = await h.request('GET', '/v1/nothing-here', { as: 'anne' });
    expect(res.status).toBe(404);
    expect(res.json.status).toBe(404);
  });
});

describe('an asymmetric identity provider (RS256 public key)', () => {
  it('accepts tokens signed by its private key and refuses the shared secret', async () => {
    const { publicKey, privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const rs = await startHarness({ LOCKER_JWT_PUBLIC_KEY: pem, LOCKER_JWT_ISSUER: 'https://idp.example' });
    try {
      await rs.running.app.useCases.syncDirectory({ tenant: 'school', userId: 'test', scopes: ['directory:write'] }, schoolDirectory);
      const good = await new SignJWT({ tenant: 'school' }).setProtectedHeader({ alg: 'RS256' }).setSubject('anne').setIssuer('https://idp.example').setExpirationTime('1h').sign(privateKey);
      const wrongIssuer = await new SignJWT({ tenant: 'school' }).setProtectedHeader({ alg: 'RS256' }).setSubject('anne').setIssuer('https://evil.example').setExpirationTime('1h').sign(privateKey);
      expect((await rs.request('GET', '/v1/locker', { token: good })).status).toBe(200);
      expect((await rs.request('GET', '/v1/locker', { token: wrongIssuer })).status).toBe(401);
      expect((await rs.request('GET', '/v1/locker', { as: 'anne' })).status).toBe(401);
    } finally {
      await rs.stop();
    }
  });
});

describe('directory', () => {
  it('a directory-sync token bootstraps a tenant; admins replace it; others may not', async () => {
    const sync = await h.token('whoever', { tenant: 'new-school', scope: 'directory:write' });
    const res = await h.request('PUT', '/v1/directory', { token: sync, json: schoolDirectory });
    expect(res.status).toBe(200);
    expect(res.json.lockersOpened.sort()).toEqual(['admin', 'anne', 'auditor', 'marc', 'paul', 'sophie']);
    expect((await h.request('PUT', '/v1/directory', { as: 'anne', tenant: 'new-school', json: schoolDirectory })).status).toBe(403);
    expect((await h.request('PUT', '/v1/directory', { as: 'admin', tenant: 'new-school', json: schoolDirectory })).json.lockersOpened).toEqual([]);
  });

  it('closes the locker of a teacher who left or became a student, and refuses them as recipients from then on', async () => {
    const tenant = 'leaving-school';
    await h.importDirectory(tenant);
    const category = await h.createCategory('Minutes', tenant);
    const changed = {
      ...schoolDirectory,
      users: schoolDirectory.users.filter((u) => u.id !== 'paul').map((u) => (u.id === 'sophie' ? { ...u, kind: 'student' } : u)),
      classes: [{ id: '3a', name: '3A', teacherIds: ['anne', 'marc'] }],
    };
    const res = await h.request('PUT', '/v1/directory', { as: 'admin', tenant, json: changed });
    expect(res.status).toBe(200);
    expect(res.json.lockersClosed.sort()).toEqual(['paul', 'sophie']);
    const refused = await h.deposit('anne', { recipients: { users: ['paul', 'sophie'] }, categoryId: category }, {}, { tenant });
    expect(refused.status).toBe(422);
    expect(refused.json.refused).toEqual([
      { kind: 'user', id: 'paul', reason: 'unknown' },
      { kind: 'user', id: 'sophie', reason: 'student' },
    ]);
    expect((await h.request('GET', '/v1/locker', { as: 'paul', tenant })).status).toBe(403);
  });

  it('400 for a malformed directory, 422 for one whose references do not resolve', async () => {
    const admin = { as: 'admin' };
    expect((await h.request('PUT', '/v1/directory', { ...admin, json: { users: [] } })).status).toBe(400);
    expect((await h.request('PUT', '/v1/directory', { ...admin, json: { ...schoolDirectory, users: [{ id: 'x', displayName: 'X', kind: 'janitor', profiles: [] }] } })).status).toBe(400);
    const broken = await h.request('PUT', '/v1/directory', { ...admin, json: { ...schoolDirectory, classes: [{ id: 'c', name: 'C', teacherIds: ['leo'] }] } });
    expect(broken.status).toBe(422);
    expect(broken.json.detail).toContain('student leo');
  });
});

describe('categories and settings', () => {
  it('admins create, rename and retire categories; everyone lists them; others may not change them', async () => {
    const created = await h.request('POST', '/v1/categories', { as: 'admin', json: { designation: 'Exams' } });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ designation: 'Exams', retired: false });
    const id = created.json.id;
    // The same name but for case or accents is taken: a conflict with the existing category.
    const twin = await h.request('POST', '/v1/categories', { as: 'admin', json: { designation: 'ÉXAMS' } });
    expect([twin.status, twin.headers.get('content-type'), twin.json.code]).toEqual([409, 'application/problem+json; charset=utf-8', 'DESIGNATION_TAKEN']);
    const hidden = await h.request('POST', '/v1/categories', { as: 'admin', json: { designation: 'Ex\u200bams 2' } });
    expect([hidden.status, hidden.json.code]).toEqual([422, 'INVALID_DESIGNATION']);
    expect((await h.request('POST', '/v1/categories', { as: 'anne', json: { designation: 'Mine' } })).status).toBe(403);
    expect((await h.request('POST', '/v1/categories', { as: 'admin', json: { designation: 42 } })).status).toBe(400);
    expect((await h.request('PATCH', `/v1/categories/${id}`, { as: 'admin', json: { designation: 'Exam papers' } })).json.designation).toBe('Exam papers');
    expect((await h.request('PATCH', '/v1/categories/nope', { as: 'admin', json: { designation: 'X' } })).status).toBe(404);
    expect((await h.request('GET', '/v1/categories', { as: 'marc' })).json.items).toContainEqual({ id, designation: 'Exam papers', retired: false, retention: null });
    expect((await h.request('DELETE', `/v1/categories/${id}`, { as: 'admin' })).status).toBe(204);
    expect((await h.request('GET', '/v1/categories', { as: 'marc' })).json.items.map((c: { id: string }) => c.id)).not.toContain(id);
    expect((await h.request('GET', '/v1/categories?includeRetired=true', { as: 'marc' })).json.items).toContainEqual({ id, designation: 'Exam papers', retired: true, retention: null });
    const refused = await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: id });
    expect(refused.status).toBe(422);
    expect(refused.json.code).toBe('CATEGORY_RETIRED');
  });

  it('admins read and set the maximum document size; others may not', async () => {
    expect((await h.request('GET', '/v1/settings', { as: 'admin' })).json).toEqual({ maxDocumentBytes: 52428800, currentYear: '2026-2027', notifications: { email: true, quietHours: null, timeZone: 'Europe/Paris', locale: 'fr' }, clouds: [], erasePeopleAfterDays: 90, quarantineRetentionDays: null });
    expect((await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: 2048 } })).json.maxDocumentBytes).toBe(2048);
    expect((await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: -1 } })).status).toBe(400);
    expect((await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: '1GB' } })).status).toBe(400);
    expect((await h.request('PATCH', '/v1/settings', { as: 'anne', json: { maxDocumentBytes: 1 } })).status).toBe(403);
    expect((await h.request('GET', '/v1/settings', { as: 'anne' })).status).toBe(403);
  });
});

describe('audit', () => {
  it('auditors read the tenant’s history in order, page by page, with actor, time and hash chain', async () => {
    const first = await h.request('GET', '/v1/audit/events?limit=2', { as: 'auditor' });
    expect(first.status).toBe(200);
    expect(first.json.events).toHaveLength(2);
    expect(first.json.events[0]).toMatchObject({ type: 'DirectorySynced', tenant: 'school', actor: 'sync-service', prevHash: '0'.repeat(64) });
    const next = await h.request('GET', `/v1/audit/events?after=${first.json.next}&limit=1000`, { as: 'auditor' });
    const positions = [...first.json.events, ...next.json.events].map((e: { position: string }) => BigInt(e.position));
    expect(positions).toEqual([...positions].sort((a, b) => (a < b ? -1 : 1)));
    expect(next.json.events.every((e: { tenant: string }) => e.tenant === 'school')).toBe(true);
    expect((await h.request('GET', '/v1/audit/events', { as: 'anne' })).status).toBe(403);
    expect((await h.request('GET', '/v1/audit/events?after=abc', { as: 'auditor' })).status).toBe(400);
  });
});

describe('the front door (issue 32)', () => {
  it('an unknown route is a 404 whoever asks, before any token is looked at; GET / points to the contract', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-token' }] as Record<string, string>[]) {
      const res = await fetch(`${h.url}/v1/no-such-route`, { headers });
      expect(res.status).toBe(404);
      expect(((await res.json()) as { code: string }).code).toBe('NOT_FOUND');
    }
    const root = await fetch(`${h.url}/`);
    expect(root.status).toBe(200);
    expect(await root.json()).toMatchObject({ openapi: '/openapi.json', console: '/console/' });
    // A known route still wants its token.
    expect((await fetch(`${h.url}/v1/locker`)).status).toBe(401);
  });

  it('the OpenAPI document carries the package\'s version', async () => {
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(((await (await fetch(`${h.url}/openapi.json`)).json()) as { info: { version: string } }).info.version).toBe(version);
  });
});

describe('shutting down', () => {
  it('/ready answers 503 from the moment shutdown begins, before the listener closes', async () => {
    const own = await startHarness();
    try {
      expect((await fetch(`${own.url}/ready`)).status).toBe(200);
      (own.running.server as unknown as { beginShutdown: () => void }).beginShutdown();
      const ready = await fetch(`${own.url}/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ code: 'NOT_READY', detail: 'shutting down' });
      // Still serving what is in flight meanwhile.
      expect((await fetch(`${own.url}/health`)).status).toBe(200);
    } finally {
      await own.stop();
    }
  });
});

describe('reading the directory back (issue 32)', () => {
  it('an admin, or the sync service, reads what PUT wrote; nobody else', async () => {
    const read = await h.request('GET', '/v1/directory', { as: 'admin' });
    expect(read.status, read.text).toBe(200);
    expect(read.json).toEqual(schoolDirectory);
    const bySync = await h.request('GET', '/v1/directory', { token: await h.token('sync-service', { scope: 'directory:write' }) });
    expect(bySync.json).toEqual(schoolDirectory);
    expect((await h.request('GET', '/v1/directory', { as: 'anne' })).status).toBe(403);
  });
});
