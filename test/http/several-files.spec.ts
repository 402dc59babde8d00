import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

const form = (files: { name: string; content: string | Uint8Array }[], over: Record<string, unknown> = {}) => {
  const f = new FormData();
  f.append('meta', JSON.stringify({ recipients: { users: ['marc'], classes: ['4b'] }, categoryId: category, memo: 'For Monday', ...over }));
  for (const file of files) f.append('file', new Blob([file.content], { type: 'text/plain' }), file.name);
  return f;
};
const deposit = (body: FormData, headers: Record<string, string> = {}) => h.request('POST', '/v1/documents', { as: 'anne', body, headers });

/** Waits for a refused request's staging files to go, then compares events and stored files. */
const settledAt = async (expected: unknown) => {
  for (let i = 0; i < 50 && JSON.stringify(await h.footprint()) !== JSON.stringify(expected); i++) await new Promise((r) => setTimeout(r, 100));
  return h.footprint();
};

describe('several files in one deposit', () => {
  it('each file becomes its own document with the same metadata, listed in the parts’ order', async () => {
    const res = await deposit(form([{ name: 'agenda.txt', content: 'agenda' }, { name: 'minutes.txt', content: 'minutes' }]));
    expect(res.status).toBe(201);
    const docs = res.json.documents as { id: string; fileName: string; memo: string; recipients: string[]; categoryId: string }[];
    expect(docs.map((d) => d.fileName)).toEqual(['agenda.txt', 'minutes.txt']);
    expect(new Set(docs.map((d) => d.id)).size).toBe(2);
    for (const d of docs) expect(d).toMatchObject({ memo: 'For Monday', categoryId: category, recipients: ['marc', 'sophie'] });
    expect(res.headers.get('location')).toBe(`/v1/documents/${docs[0]!.id}`);
    const download = await h.request('GET', `/v1/documents/${docs[1]!.id}/content`, { as: 'sophie' });
    expect(download.text).toBe('minutes');
    const locker = ((await h.request('GET', '/v1/locker', { as: 'marc' })).json.items as { id: string }[]).map((i) => i.id);
    expect(locker).toEqual(expect.arrayContaining(docs.map((d) => d.id)));
  });

  it('one file over the limit refuses them all: 413, no document, no bytes', async () => {
    try {
      expect((await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: 1000 } })).status).toBe(200);
      const before = await h.footprint();
      const res = await deposit(form([{ name: 'small.txt', content: 'small' }, { name: 'big.bin', content: new Uint8Array(5000).fill(65) }]));
      expect(res.status).toBe(413);
      expect(await settledAt(before)).toEqual(before);
    } finally {
      await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: 52428800 } });
    }
  });

  it('one empty file refuses them all: 422, no document, no bytes', async () => {
    const before = await h.footprint();
    const res = await deposit(form([{ name: 'a.txt', content: 'a' }, { name: 'empty.txt', content: '' }]));
    expect([res.status, res.json.code]).toEqual([422, 'EMPTY_FILE']);
    expect(await settledAt(before)).toEqual(before);
  });

  it('one Idempotency-Key covers the request: the same request again answers the same documents; other files are a 409', async () => {
    const files = [{ name: 'one.txt', content: 'one' }, { name: 'two.txt', content: 'two' }];
    const first = await deposit(form(files), { 'idempotency-key': 'several-1' });
    expect(first.status).toBe(201);
    const events = (await h.footprint()).events;
    const again = await deposit(form(files), { 'idempotency-key': 'several-1' });
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(again.json.documents.map((d: { id: string }) => d.id)).toEqual(first.json.documents.map((d: { id: string }) => d.id));
    expect((await h.footprint()).events).toBe(events);
    const other = await deposit(form([files[0]!]), { 'idempotency-key': 'several-1' });
    expect(other.status).toBe(409);
    expect((await h.footprint()).events).toBe(events);
  });

  it('a meta part and no file is a 400', async () => {
    const res = await deposit(form([]));
    expect(res.status).toBe(400);
  });
});
