import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

const unread = async (as: string) => (await h.request('GET', '/v1/notifications/unread-count', { as })).json.unread as number;
const items = async (as: string, query = '') => (await h.request('GET', `/v1/notifications${query}`, { as })).json.items as { id: string; read: boolean; documentId: string }[];

describe('notifications have a read state', () => {
  it('unread ones are listed and counted; marked by id or all at once; it survives a rebuild', async () => {
    for (let i = 0; i < 3; i++) expect((await h.deposit('anne', { recipients: { users: ['sophie'] }, categoryId: category }, { content: `doc ${i}` })).status).toBe(201);
    expect(await unread('sophie')).toBe(3);
    const [newest, , oldest] = await items('sophie', '?unread=true');
    expect([newest!.read, oldest!.read]).toEqual([false, false]);

    const one = await h.request('POST', '/v1/notifications/read', { as: 'sophie', json: { ids: [oldest!.id] } });
    expect(one.json).toEqual({ unread: 2 });
    expect((await items('sophie', '?unread=true')).map((n) => n.id)).not.toContain(oldest!.id);
    expect((await items('sophie')).find((n) => n.id === oldest!.id)).toMatchObject({ read: true });

    expect((await h.request('POST', '/v1/notifications/read', { as: 'sophie', json: { all: true } })).json).toEqual({ unread: 0 });
    expect(await items('sophie', '?unread=true')).toEqual([]);
    // Another person's read state is their own.
    expect(await unread('marc')).toBe(0);

    // Read state is an event: a rebuild of the read models keeps it.
    (await h.running.app.useCases.rebuild())._unsafeUnwrap();
    expect(await unread('sophie')).toBe(0);
    expect((await h.deposit('anne', { recipients: { users: ['sophie'] }, categoryId: category }, { content: 'later' })).status).toBe(201);
    expect(await unread('sophie')).toBe(1);
  });

  it('refuses a malformed request', async () => {
    for (const json of [{}, { ids: ['x'] }, { all: false }, { ids: ['1'], all: true }]) {
      expect((await h.request('POST', '/v1/notifications/read', { as: 'sophie', json })).status).toBe(400);
    }
    expect((await h.request('POST', '/v1/notifications/read', { as: 'leo', json: { all: true } })).status).toBe(403);
  });
});
