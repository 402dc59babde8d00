import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;

beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
  category = await h.createCategory();
});
afterAll(() => h.stop());

const meta = (over: Record<string, unknown> = {}) => ({ recipients: { users: ['marc'] }, categoryId: category, ...over });

describe('the seed scenario: deposit, consult, manage, delete for all', () => {
  it('deposits for a teacher and a class, and every recipient finds it in their locker, notified', async () => {
    const res = await h.deposit('anne', meta({ recipients: { users: ['sophie'], classes: ['3a'] }, title: 'Council minutes', memo: 'Before Monday' }), {
      name: 'minutes.pdf',
      content: 'PDF-BYTES',
      type: 'application/pdf',
    });
    expect(res.status).toBe(201);
    expect(res.headers.get('location')).toBe(`/v1/documents/${res.json.id}`);
    expect(res.json).toMatchObject({
      title: 'Council minutes',
      fileName: 'minutes.pdf',
      mediaType: 'application/pdf',
      sizeBytes: 9,
      version: 1,
      categoryId: category,
      memo: 'Before Monday',
      depositorId: 'anne',
      recipients: ['marc', 'paul', 'sophie'],
    });
    for (const user of ['marc', 'paul', 'sophie']) {
      const locker = await h.request('GET', '/v1/locker', { as: user });
      expect(locker.json.items.map((i: { id: string }) => i.id)).toContain(res.json.id);
      const notifications = await h.request('GET', '/v1/notifications', { as: user });
      expect(notifications.json.items).toContainEqual(expect.objectContaining({ kind: 'deposited', documentId: res.json.id, actorId: 'anne' }));
    }
    const depositorsLocker = await h.request('GET', '/v1/locker', { as: 'anne' });
    expect(depositorsLocker.json.items.map((i: { id: string }) => i.id)).not.toContain(res.json.id);
  });

  it('downloads with length, ETag and a safe disposition, records the first consultation, and the depositor sees it', async () => {
    const doc = (await h.deposit('anne', meta({ recipients: { users: ['marc', 'sophie'] } }), { name: 'report.txt', content: 'hello world' })).json;
    const download = await h.request('GET', `/v1/documents/${doc.id}/content`, { as: 'marc' });
    expect(download.status).toBe(200);
    expect(download.text).toBe('hello world');
    expect(download.headers.get('content-length')).toBe('11');
    expect(download.headers.get('etag')).toBe(`"${doc.sha256}"`);
    expect(download.headers.get('content-disposition')).toBe(`attachment; filename="report.txt"; filename*=UTF-8''report.txt`);
    await h.request('GET', `/v1/documents/${doc.id}/content`, { as: 'marc' });

    const distribution = await h.request('GET', '/v1/distribution', { as: 'anne' });
    const item = distribution.json.items.find((i: { id: string }) => i.id === doc.id);
    const marc = item.recipientStatuses.find((s: { userId: string }) => s.userId === 'marc');
    const sophie = item.recipientStatuses.find((s: { userId: string }) => s.userId === 'sophie');
    expect(marc.consultations).toHaveLength(1);
    expect(marc.consultedLatest).toBe(true);
    expect(sophie.consultations).toEqual([]);

    const locker = await h.request('GET', '/v1/locker', { as: 'marc' });
    expect(locker.json.items.find((i: { id: string }) => i.id === doc.id)).toMatchObject({ consulted: true, consultedVersion: 1, consultedLatest: true });

    const audit = await h.request('GET', '/v1/audit/events?limit=1000', { as: 'admin' });
    expect(audit.status).toBe(403);
  });

  it('changes category and memo, adds recipients (a set), uploads a new version, and deletes for all', async () => {
    const doc = (await h.deposit('anne', meta(), { content: 'v1' })).json;
    const other = await h.createCategory('Timetables');

    const patched = await h.request('PATCH', `/v1/documents/${doc.id}`, { as: 'anne', json: { categoryId: other, memo: 'Updated memo' } });
    expect(patched.status).toBe(200);
    expect(patched.json).toMatchObject({ categoryId: other, memo: 'Updated memo' });

    const added = await h.request('POST', `/v1/documents/${doc.id}/recipients`, { as: 'anne', json: { users: ['marc', 'sophie'], classes: ['4b'] } });
    expect(added.status).toBe(200);
    expect(added.json.recipients).toEqual(['marc', 'sophie']);
    const sophieNotified = await h.request('GET', '/v1/notifications', { as: 'sophie' });
    expect(sophieNotified.json.items).toContainEqual(expect.objectContaining({ kind: 'recipient-added', documentId: doc.id }));

    const v2 = await h.request('PUT', `/v1/documents/${doc.id}/content`, { as: 'anne', body: h.form(undefined, { name: 'v2.txt', content: 'version two' }) });
    expect(v2.status).toBe(200);
    expect(v2.json).toMatchObject({ id: doc.id, version: 2, fileName: 'v2.txt', sizeBytes: 11 });
    expect((await h.request('GET', `/v1/documents/${doc.id}/content`, { as: 'sophie' })).text).toBe('version two');
    expect((await h.request('GET', `/v1/documents/${doc.id}/content?version=1`, { as: 'sophie' })).text).toBe('v1');
    expect((await h.request('GET', `/v1/documents/${doc.id}/content?version=3`, { as: 'sophie' })).status).toBe(404);
    const marcNotified = await h.request('GET', '/v1/notifications', { as: 'marc' });
    expect(marcNotified.json.items).toContainEqual(expect.objectContaining({ kind: 'updated', documentId: doc.id }));

    const removed = await h.request('DELETE', `/v1/documents/${doc.id}`, { as: 'anne' });
    expect(removed.status).toBe(204);
    for (const user of ['anne', 'marc', 'sophie']) {
      expect((await h.request('GET', `/v1/documents/${doc.id}`, { as: user })).status).toBe(404);
      expect((await h.request('GET', `/v1/documents/${doc.id}/content`, { as: user })).status).toBe(404);
      const locker = await h.request('GET', '/v1/locker', { as: user });
      expect(locker.json.items.map((i: { id: string }) => i.id)).not.toContain(doc.id);
    }
    expect((await h.request('DELETE', `/v1/documents/${doc.id}`, { as: 'anne' })).status).toBe(404);
    expect((await h.request('PATCH', `/v1/documents/${doc.id}`, { as: 'anne', json: { memo: 'x' } })).status).toBe(404);
  });

  it('a recipient removes a document from their own locker; it stays for the others', async () => {
    const doc = (await h.deposit('anne', meta({ recipients: { users: ['marc', 'sophie'] } }))).json;
    expect((await h.request('DELETE', `/v1/locker/documents/${doc.id}`, { as: 'marc' })).status).toBe(204);
    expect((await h.request('GET', '/v1/locker', { as: 'marc' })).json.items.map((i: { id: string }) => i.id)).not.toContain(doc.id);
    expect((await h.request('GET', `/v1/documents/${doc.id}`, { as: 'marc' })).status).toBe(404);
    expect((await h.request('GET', `/v1/documents/${doc.id}`, { as: 'sophie' })).status).toBe(200);
    expect((await h.request('DELETE', `/v1/locker/documents/${doc.id}`, { as: 'paul' })).status).toBe(404);
  });

  it('serves a partial range', async () => {
    const doc = (await h.deposit('anne', meta(), { content: '0123456789' })).json;
    const part = await h.request('GET', `/v1/documents/${doc.id}/content`, { as: 'marc', headers: { range: 'bytes=2-5' } });
    expect(part.status).toBe(206);
    expect(part.text).toBe('2345');
    expect(part.headers.get('content-range')).toBe('bytes 2-5/10');
    const outside = await h.request('GET', `/v1/documents/${doc.id}/content`, { as: 'marc', headers: { range: 'bytes=50-60' } });
    expect(outside.status).toBe(416);
    const asked = async (range: string) => {
      const r = await h.request('GET', `/v1/documents/${doc.id}/content`, { as: 'marc', headers: { range } });
      return [r.status, r.text, r.headers.get('content-range')];
    };
    expect(await asked('bytes=-3')).toEqual([206, '789', 'bytes 7-9/10']);
    expect(await asked('bytes=8-')).toEqual([206, '89', 'bytes 8-9/10']);
    expect(await asked('bytes=6-99')).toEqual([206, '6789', 'bytes 6-9/10']);
    // Overlapping ranges are one; disjoint ones, or a header that is not a byte range, get the whole file.
    expect(await asked('bytes=1-3,2-4')).toEqual([206, '1234', 'bytes 1-4/10']);
    expect(await asked('bytes=0-1,5-6')).toEqual([200, '0123456789', null]);
    expect(await asked('pages=1-2')).toEqual([200, '0123456789', null]);
    expect(await asked('bytes=5-2')).toEqual([416, expect.any(String), 'bytes */10']);
  });
});

describe('file names are data, never paths', () => {
  it.each([
    ['../../x', 'x'],
    ['..\\..\\windows\\evil.bat', 'evil.bat'],
    ['compte rendu été 2026.pdf', 'compte rendu été 2026.pdf'],
    // (browsers and fetch percent-encode a double quote in a part's file name themselves)
    ["semi; filename=evil.txt'", "semi; filename=evil.txt'"],
    ['\u0000\u001fctrl.txt', 'ctrl.txt'],
    ['..', 'document'],
  ])('%j is stored as %j and served in a header that cannot be broken out of', async (given, stored) => {
    const doc = await h.deposit('anne', meta(), { name: given, content: 'x' });
    expect(doc.status).toBe(201);
    expect(doc.json.fileName).toBe(stored);
    const download = await h.request('GET', `/v1/documents/${doc.json.id}/content`, { as: 'marc' });
    const disposition = download.headers.get('content-disposition')!;
    expect(disposition).toMatch(/^attachment; filename="[A-Za-z0-9 ._()-]*"; filename\*=UTF-8''[A-Za-z0-9%._~!-]*$/);
    expect(decodeURIComponent(disposition.split("UTF-8''")[1]!)).toBe(stored);
  });
});

describe('refusals change nothing', () => {
  it('400 for malformed meta, a missing file part, wrong types, and a body that is not multipart', async () => {
    const before = await h.footprint();
    const cases = [
      h.request('POST', '/v1/documents', { as: 'anne', body: h.form('{not json', {}) }),
      h.request('POST', '/v1/documents', { as: 'anne', body: h.form(meta()) }),
      h.request('POST', '/v1/documents', { as: 'anne', body: h.form(meta({ recipients: { users: 'marc' } }), {}) }),
      h.request('POST', '/v1/documents', { as: 'anne', body: h.form(meta({ categoryId: 42 }), {}) }),
      h.request('POST', '/v1/documents', { as: 'anne', body: h.form(meta({ surprise: true }), {}) }),
      h.request('POST', '/v1/documents', { as: 'anne', json: meta() }),
      h.request('PATCH', '/v1/documents/x', { as: 'anne', json: { memo: 42 } }),
      h.request('PATCH', '/v1/documents/x', { as: 'anne', body: '{"memo":', headers: { 'content-type': 'application/json' } }),
      h.request('GET', '/v1/locker?limit=1000', { as: 'marc' }),
      h.request('GET', '/v1/locker?cursor=forged', { as: 'marc' }),
    ];
    for (const res of await Promise.all(cases)) {
      expect(res.status, res.text).toBe(400);
      expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
      expect(res.json).toMatchObject({ type: expect.any(String), title: expect.any(String), status: 400, detail: expect.any(String) });
      expect(res.text).not.toMatch(/at .*\.ts:\d+/);
    }
    expect(await h.footprint()).toEqual(before);
  });

  it('403 for a user without locker.deposit, 422 naming student and unknown recipients, 422 for an unknown category', async () => {
    const before = await h.footprint();
    const noRight = await h.deposit('marc', meta({ recipients: { users: ['anne'] } }));
    expect(noRight.status).toBe(403);
    const student = await h.deposit('leo', meta());
    expect(student.status).toBe(403);
    const refused = await h.deposit('anne', meta({ recipients: { users: ['leo', 'ghost'], classes: ['9z'] } }));
    expect(refused.status).toBe(422);
    expect(refused.json.refused).toEqual([
      { kind: 'user', id: 'leo', reason: 'student' },
      { kind: 'user', id: 'ghost', reason: 'unknown' },
      { kind: 'class', id: '9z', reason: 'unknown' },
    ]);
    expect(refused.json.detail).toContain('leo');
    expect((await h.deposit('anne', meta({ categoryId: 'nope' }))).status).toBe(422);
    expect((await h.deposit('anne', meta(), { content: '' })).status).toBe(422);
    expect(await h.footprint()).toEqual(before);
  });

  it('413 over the tenant limit leaves no blob and no event; the limit follows the admin', async () => {
    expect((await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: 1024 } })).json).toMatchObject({ maxDocumentBytes: 1024 });
    try {
    const before = await h.footprint();
    // A refused upload's staging file is removed as the answer goes out: give it a moment under load.
    const settledAt = async (expected: unknown) => {
      for (let i = 0; i < 50 && JSON.stringify(await h.footprint()) !== JSON.stringify(expected); i++) await new Promise((r) => setTimeout(r, 100));
      return h.footprint();
    };
    const big = new Uint8Array(5000).fill(65);
    const res = await h.deposit('anne', meta(), { content: big });
    expect(res.status).toBe(413);
    expect(res.json.maxDocumentBytes).toBe(1024);
    const exactly = await h.deposit('anne', meta(), { content: new Uint8Array(1025).fill(66) });
    expect(exactly.status).toBe(413);
    expect(await settledAt(before)).toEqual(before);
    const fits = await h.deposit('anne', meta(), { content: new Uint8Array(1024).fill(67) });
    expect(fits.status).toBe(201);
    const doc = fits.json;
    const v2 = await h.request('PUT', `/v1/documents/${doc.id}/content`, { as: 'anne', body: h.form(undefined, { content: big }) });
    expect(v2.status).toBe(413);
    expect((await h.request('GET', `/v1/documents/${doc.id}`, { as: 'anne' })).json.version).toBe(1);
    } finally {
      await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: 52428800 } });
    }
  });

  it('404 for a stranger, another tenant and a deleted document; 403 for a recipient who tries to manage', async () => {
    await h.importDirectory('other-school');
    const doc = (await h.deposit('anne', meta())).json;
    expect((await h.request('GET', `/v1/documents/${doc.id}`, { as: 'paul' })).status).toBe(404);
    expect((await h.request('GET', `/v1/documents/${doc.id}/content`, { as: 'paul' })).status).toBe(404);
    expect((await h.request('GET', `/v1/documents/${doc.id}`, { as: 'anne', tenant: 'other-school' })).status).toBe(404);
    expect((await h.request('GET', `/v1/documents/${doc.id}`, { as: 'marc', tenant: 'other-school' })).status).toBe(404);
    expect((await h.request('PATCH', `/v1/documents/${doc.id}`, { as: 'paul', json: { memo: 'x' } })).status).toBe(404);
    expect((await h.request('PATCH', `/v1/documents/${doc.id}`, { as: 'marc', json: { memo: 'x' } })).status).toBe(403);
    expect((await h.request('DELETE', `/v1/documents/${doc.id}`, { as: 'marc' })).status).toBe(403);
    expect((await h.request('GET', '/v1/documents/not-a-document', { as: 'anne' })).status).toBe(404);
  });
});

describe('a client that goes away mid-upload', () => {
  it('leaves no event and no bytes behind', async () => {
    const before = await h.footprint();
    const token = await h.token('anne');
    const boundary = '----abandoned';
    const head =
      `--${boundary}\r\nContent-Disposition: form-data; name="meta"\r\n\r\n${JSON.stringify(meta())}\r\n` +
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="big.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`;
    const req = request(`${h.url}/v1/documents`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': `multipart/form-data; boundary=${boundary}`, 'content-length': String(head.length + 10_000_000) },
    });
    req.on('error', () => undefined);
    req.write(head);
    req.write(Buffer.alloc(256 * 1024, 1));
    // Gone only once the server is reading the upload (it holds an upload slot): waited for, not
    // slept on, or the test would pass with nothing begun.
    const slots = (h.running.server as unknown as { uploadSlots: { inUse: number } }).uploadSlots;
    for (let i = 0; i < 500 && slots.inUse < 1; i++) await new Promise((r) => setTimeout(r, 10));
    expect(slots.inUse).toBe(1);
    req.destroy();
    // The server notices the closed socket, fails the upload and discards the staged bytes.
    for (let i = 0; i < 50 && JSON.stringify(await h.footprint()) !== JSON.stringify(before); i++) await new Promise((r) => setTimeout(r, 100));
    expect(await h.footprint()).toEqual(before);
    // Its upload slot is given back.
    for (let i = 0; i < 100 && slots.inUse > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(slots.inUse).toBe(0);
    expect((await h.request('GET', '/health')).status).toBe(200);
  });
});

describe('idempotency keys', () => {
  it('the same key and body answer the same document without a second event; another body is a 409', async () => {
    const key = { 'idempotency-key': 'deposit-42' };
    const first = await h.deposit('anne', meta(), { content: 'same' }, { headers: key });
    expect(first.status).toBe(201);
    const before = await h.footprint();
    const again = await h.deposit('anne', meta(), { content: 'same' }, { headers: key });
    expect(again.status).toBe(201);
    expect(again.json.id).toBe(first.json.id);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await h.footprint()).toEqual(before);

    const otherBody = await h.deposit('anne', meta(), { content: 'different' }, { headers: key });
    expect(otherBody.status).toBe(409);
    const otherMeta = await h.deposit('anne', meta({ memo: 'changed' }), { content: 'same' }, { headers: key });
    expect(otherMeta.status).toBe(409);
    // Every part of the request counts: other recipients, another category or title, another file name.
    for (const other of [meta({ recipients: { users: ['marc', 'sophie'] } }), meta({ title: 'Another title' })]) {
      const r = await h.deposit('anne', other, { content: 'same' }, { headers: key });
      expect([r.status, r.json.code]).toEqual([409, 'IDEMPOTENCY_KEY_REUSED']);
    }
    expect((await h.deposit('anne', meta(), { content: 'same', name: 'other.txt' }, { headers: key })).status).toBe(409);
    expect(await h.footprint()).toEqual(before);

    const otherUser = await h.deposit('paul', meta(), { content: 'same' }, { headers: key });
    expect(otherUser.status).toBe(201);
    expect(otherUser.json.id).not.toBe(first.json.id);
  });
});
