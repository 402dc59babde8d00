import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

describe('recipients who may edit', () => {
  it('upload new versions, recorded as theirs, and the depositor is told; everything else stays the depositor’s', async () => {
    const deposit = await h.deposit('anne', { recipients: { users: ['marc', 'sophie'] }, categoryId: category, recipientsMayEdit: true }, { content: 'v1' });
    expect(deposit.json).toMatchObject({ recipientsMayEdit: true });
    const id = deposit.json.id as string;

    const v2 = await h.request('PUT', `/v1/documents/${id}/content`, { as: 'marc', body: h.form(undefined, { name: 'marc.txt', content: 'v2 by marc' }) });
    expect([v2.status, v2.json.version]).toEqual([200, 2]);
    const history = (await h.request('GET', `/v1/audit/documents/${id}/history`, { as: 'auditor' })).json.events as { type: string; actor: string }[];
    expect(history.at(-1)).toMatchObject({ type: 'DocumentUpdated', actor: 'marc' });
    const anneHears = (await h.request('GET', '/v1/notifications', { as: 'anne' })).json.items as { kind: string; documentId: string; actorId: string }[];
    expect(anneHears).toContainEqual(expect.objectContaining({ kind: 'updated', documentId: id, actorId: 'marc' }));
    const sophieHears = (await h.request('GET', '/v1/notifications', { as: 'sophie' })).json.items as { kind: string; documentId: string; actorId: string }[];
    expect(sophieHears).toContainEqual(expect.objectContaining({ kind: 'updated', documentId: id, actorId: 'marc' }));
    const marcHears = (await h.request('GET', '/v1/notifications', { as: 'marc' })).json.items as { kind: string }[];
    expect(marcHears.filter((n) => n.kind === 'updated')).toEqual([]);

    expect((await h.request('PATCH', `/v1/documents/${id}`, { as: 'marc', json: { memo: 'mine now' } })).status).toBe(403);
    expect((await h.request('DELETE', `/v1/documents/${id}`, { as: 'marc' })).status).toBe(403);

    expect((await h.request('PATCH', `/v1/documents/${id}`, { as: 'anne', json: { recipientsMayEdit: false } })).json.recipientsMayEdit).toBe(false);
    const refused = await h.request('PUT', `/v1/documents/${id}/content`, { as: 'marc', body: h.form(undefined, { content: 'v3' }) });
    expect([refused.status, refused.json.code]).toEqual([403, 'NOT_DEPOSITOR']);
  });

  it('may not call their version minor (only the depositor keeps everyone\'s acknowledgements), and once they removed it from their locker may upload nothing (issue 30)', async () => {
    const deposit = await h.deposit('anne', { recipients: { users: ['marc', 'sophie'] }, categoryId: category, recipientsMayEdit: true, acknowledgement: { required: true } }, { content: 'v1' });
    const id = deposit.json.id as string;
    const minor = await h.request('PUT', `/v1/documents/${id}/content?minor=true`, { as: 'marc', body: h.form(undefined, { content: 'v2, minor?' }) });
    expect([minor.status, minor.json.code]).toEqual([403, 'NOT_DEPOSITOR']);
    const byAnne = await h.request('PUT', `/v1/documents/${id}/content?minor=true`, { as: 'anne', body: h.form(undefined, { content: 'v2, minor' }) });
    expect(byAnne.status).toBe(200);

    expect((await h.request('DELETE', `/v1/locker/documents/${id}`, { as: 'sophie' })).status).toBe(204);
    const removed = await h.request('PUT', `/v1/documents/${id}/content`, { as: 'sophie', body: h.form(undefined, { content: 'v3 by someone who removed it' }) });
    expect([removed.status, removed.json.code]).toEqual([404, 'NOT_FOUND']);
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'sophie' })).status).toBe(404);
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'anne' })).json.version).toBe(2);
  });
});
