import { createHash, randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';
import { startWebdav, WEBDAV_USER } from '../support/webdav-server.js';

const LIMIT = 4096;
let h: Harness;
let category: string;
let dav: Awaited<ReturnType<typeof startWebdav>>;
const report = new Uint8Array(3000).map((_, i) => i % 251);
beforeAll(async () => {
  dav = await startWebdav({ 'Documents/report.pdf': report, 'Documents/huge.bin': new Uint8Array(LIMIT * 4).fill(9), 'notes.txt': 'v2 from the cloud' });
  ({ h, category } = await startSchool({ LOCKER_SECRETS_KEY: randomBytes(32).toString('base64'), LOCKER_WEBHOOK_ALLOWED_HOSTS: '127.0.0.1', LOCKER_CLOUD_TIMEOUT_MS: '2000' }));
  const set = await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: LIMIT, clouds: [{ id: 'nuage', kind: 'webdav', name: 'Nuage', url: dav.url }, { id: 'drive', kind: 'webdav', name: 'School drive', url: dav.url }] } });
  expect(set.status, set.text).toBe(200);
});
afterAll(async () => {
  await h.stop();
  await dav.stop();
});

const link = (password = WEBDAV_USER.password, as = 'anne') => h.request('POST', '/v1/me/clouds', { as, json: { cloudId: 'nuage', username: WEBDAV_USER.username, password } });

describe('deposit from a cloud account (WebDAV)', () => {
  it('linking a second account answers with that account, and both are listed', async () => {
    const as = 'sophie';
    const body = (cloudId: string) => ({ as, json: { cloudId, username: WEBDAV_USER.username, password: WEBDAV_USER.password } });
    expect((await h.request('POST', '/v1/me/clouds', body('drive'))).json).toMatchObject({ cloudId: 'drive', name: 'School drive' });
    expect((await h.request('POST', '/v1/me/clouds', body('nuage'))).json).toMatchObject({ cloudId: 'nuage', name: 'Nuage' });
    expect((await h.request('GET', '/v1/me/clouds', { as })).json.items.map((c: { cloudId: string }) => c.cloudId)).toEqual(['drive', 'nuage']);
    expect((await h.request('DELETE', '/v1/me/clouds/drive', { as })).status).toBe(204);
    expect((await h.request('DELETE', '/v1/me/clouds/nuage', { as })).status).toBe(204);
  });

  it('links an account after checking it; a wrong password is a 422, and nothing is kept', async () => {
    const wrong = await link('not-it');
    expect([wrong.status, wrong.json.code]).toEqual([422, 'CLOUD_AUTH_FAILED']);
    expect((await h.request('GET', '/v1/me/clouds', { as: 'anne' })).json.items).toEqual([]);
    const ok = await link();
    expect(ok.status).toBe(201);
    expect(ok.json).toMatchObject({ cloudId: 'nuage', name: 'Nuage', username: 'anne' });
    const listed = await h.request('GET', '/v1/me/clouds', { as: 'anne' });
    expect(listed.text).not.toContain(WEBDAV_USER.password);
    // Stored sealed: the password is in no file the server keeps (credentials, log, read models, bucket).
    const everyFile = (dir: string): string[] => readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? everyFile(join(dir, e.name)) : [join(dir, e.name)]));
    const stored = h.storageRoots.flatMap(everyFile);
    expect(stored.some((f) => f.endsWith('credentials.sqlite') || f.includes('/credentials/'))).toBe(true);
    for (const f of stored) expect(readFileSync(f).includes(Buffer.from(WEBDAV_USER.password)), f).toBe(false);
  });

  it('browses the account; a path cannot leave it', async () => {
    await link();
    const root = await h.request('GET', '/v1/me/clouds/nuage/files?path=/', { as: 'anne' });
    expect(root.json.items.map((e: { name: string; type: string }) => [e.name, e.type])).toEqual([['Documents', 'folder'], ['notes.txt', 'file']]);
    const docs = await h.request('GET', '/v1/me/clouds/nuage/files?path=/Documents', { as: 'anne' });
    expect(docs.json.items.map((e: { name: string; size: number }) => [e.name, e.size])).toEqual([['huge.bin', LIMIT * 4], ['report.pdf', 3000]]);
    expect((await h.request('GET', '/v1/me/clouds/nuage/files?path=/../..', { as: 'anne' })).status).toBe(400);
    expect((await h.request('GET', '/v1/me/clouds/nuage/files?path=/', { as: 'paul' })).status).toBe(404);
  });

  it('deposits a cloud file: the exact bytes come back, and the event says where they came from', async () => {
    await link();
    const res = await h.request('POST', '/v1/documents', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: category, source: { cloudId: 'nuage', path: '/Documents/report.pdf' } } });
    expect(res.status, res.text).toBe(201);
    expect(res.json).toMatchObject({ fileName: 'report.pdf', sizeBytes: 3000 });
    const back = await fetch(`${h.url}/v1/documents/${res.json.id}/content`, { headers: { authorization: `Bearer ${await h.token('marc')}` } });
    const bytes = new Uint8Array(await back.arrayBuffer());
    expect(createHash('sha256').update(bytes).digest('hex')).toBe(createHash('sha256').update(report).digest('hex'));
    const history = await h.request('GET', `/v1/audit/documents/${res.json.id}/history`, { as: 'auditor' });
    expect(history.json.events[0].data).toMatchObject({ source: 'cloud', cloud: { cloudId: 'nuage', path: '/Documents/report.pdf' } });
    // A new version from the cloud the same way.
    const v2 = await h.request('PUT', `/v1/documents/${res.json.id}/content/from-cloud`, { as: 'anne', json: { source: { cloudId: 'nuage', path: '/notes.txt' } } });
    expect(v2.json).toMatchObject({ version: 2, fileName: 'notes.txt' });
  });

  it('has operations of its own (a generator then makes a client that uploads); JSON to the upload paths, as older clients send it, still works', async () => {
    await link();
    const spec = (await h.request('GET', '/openapi.json')).json;
    expect(Object.keys(spec.paths['/v1/documents'].post.requestBody.content)).toEqual(['multipart/form-data']);
    expect(Object.keys(spec.paths['/v1/documents/{id}/content'].put.requestBody.content)).toEqual(['multipart/form-data']);
    expect(spec.paths['/v1/documents/from-cloud'].post.operationId).toBe('depositFromCloud');
    const fromCloud = await h.request('POST', '/v1/documents/from-cloud', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: category, source: { cloudId: 'nuage', path: '/notes.txt' } } });
    expect(fromCloud.status, fromCloud.text).toBe(201);
    expect((await h.request('POST', '/v1/documents/from-cloud', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: category } })).status).toBe(400);
    const older = await h.request('PUT', `/v1/documents/${fromCloud.json.id}/content`, { as: 'anne', json: { source: { cloudId: 'nuage', path: '/Documents/report.pdf' } } });
    expect(older.json).toMatchObject({ version: 2, fileName: 'report.pdf' });
  });

  it('a cloud file over the limit is a 413, and no bytes are kept', async () => {
    await link();
    const before = await h.footprint();
    const res = await h.request('POST', '/v1/documents', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: category, source: { cloudId: 'nuage', path: '/Documents/huge.bin' } } });
    expect(res.status).toBe(413);
    for (let i = 0; i < 50 && JSON.stringify(await h.footprint()) !== JSON.stringify(before); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await h.footprint()).toEqual(before);
  });

  it('an unknown file is a 404; an unlinked cloud cannot be used; unlinking destroys the credentials', async () => {
    await link();
    expect((await h.request('POST', '/v1/documents', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: category, source: { cloudId: 'nuage', path: '/nope.pdf' } } })).status).toBe(404);
    expect((await h.request('DELETE', '/v1/me/clouds/nuage', { as: 'anne' })).status).toBe(204);
    expect((await h.request('GET', '/v1/me/clouds', { as: 'anne' })).json.items).toEqual([]);
    expect((await h.request('POST', '/v1/documents', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: category, source: { cloudId: 'nuage', path: '/notes.txt' } } })).status).toBe(404);
    expect((await h.request('DELETE', '/v1/me/clouds/nuage', { as: 'anne' })).status).toBe(404);
  });

  it('only http(s) URLs an admin configured; a hosted server without a secrets key refuses clouds, the embedded default makes its own', async () => {
    const bad = await h.request('PATCH', '/v1/settings', { as: 'admin', json: { clouds: [{ id: 'x', kind: 'webdav', name: 'X', url: 'file:///etc/passwd' }] } });
    expect(bad.status).toBe(400);
    expect((await h.request('POST', '/v1/me/clouds', { as: 'anne', json: { cloudId: 'elsewhere', username: 'a', password: 'b' } })).status).toBe(404);
    const plain = await startSchool();
    try {
      const answer = await plain.h.request('PATCH', '/v1/settings', { as: 'admin', json: { clouds: [{ id: 'nuage', kind: 'webdav', name: 'Nuage', url: dav.url }] } });
      // Hosted mode (blobs on S3) needs a key every node shares; the embedded default makes its own.
      if (process.env.LOCKER_TEST_BLOB_STORE === 's3') expect([answer.status, answer.json.code]).toEqual([422, 'INVALID_CLOUDS']);
      else expect(answer.status, answer.text).toBe(200);
    } finally {
      await plain.h.stop();
    }
  });
});
