import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

const inAWeek = () => new Date(Date.now() + 7 * 24 * 3600_000).toISOString();
const ask = async (over: Record<string, unknown> = {}) => {
  const res = await h.request('POST', '/v1/collections', { as: 'anne', json: { title: 'Class council reports', instructions: 'One page each', categoryId: category, recipients: { users: ['marc'], classes: ['4b'] }, dueAt: inAWeek(), ...over } });
  expect(res.status, res.text).toBe(201);
  return res.json as { id: string; status: string; people: { userId: string; status: string }[] };
};
const submit = (as: string, id: string, content = 'my report') => h.request('POST', `/v1/collections/${id}/submissions`, { as, body: h.form(undefined, { name: `${as}.txt`, content }) });

describe('documents to collect', () => {
  it('asked people are told, submit, and the file lands in the requester’s locker linked to the request; statuses follow', async () => {
    const request = await ask();
    expect(request.status).toBe('open');
    expect(request.people.map((p) => [p.userId, p.status])).toEqual([['marc', 'missing'], ['sophie', 'missing']]);
    const told = (await h.request('GET', '/v1/notifications', { as: 'sophie' })).json.items as { documentId: string; kind: string; title: string }[];
    expect(told.find((n) => n.documentId === request.id)).toMatchObject({ kind: 'collection-requested', title: 'Class council reports' });
    expect(((await h.request('GET', '/v1/collections?role=asked', { as: 'marc' })).json.items as { id: string }[]).map((c) => c.id)).toContain(request.id);

    const sent = await submit('marc', request.id);
    expect(sent.status, sent.text).toBe(201);
    const [doc] = sent.json.documents as { id: string; depositorId: string; recipients: string[]; categoryId: string }[];
    expect(doc).toMatchObject({ depositorId: 'marc', recipients: ['anne'], categoryId: category });
    expect(((await h.request('GET', '/v1/locker', { as: 'anne' })).json.items as { id: string }[]).map((i) => i.id)).toContain(doc!.id);
    const view = (await h.request('GET', `/v1/collections/${request.id}`, { as: 'anne' })).json;
    expect(view.people.find((p: { userId: string }) => p.userId === 'marc')).toMatchObject({ status: 'submitted', documentIds: [doc!.id] });
    // An asked person sees their own line only.
    expect((await h.request('GET', `/v1/collections/${request.id}`, { as: 'sophie' })).json.people.map((p: { userId: string }) => p.userId)).toEqual(['sophie']);
  });

  it('refusals: someone not asked → 404, after close → 422, a draft is invisible to the asked until published', async () => {
    const request = await ask();
    const before = (await h.footprint()).events;
    expect((await submit('paul', request.id)).status).toBe(404);
    expect((await h.request('GET', `/v1/collections/${request.id}`, { as: 'paul' })).status).toBe(404);
    expect((await h.request('POST', `/v1/collections/${request.id}/close`, { as: 'marc' })).status).toBe(403);
    expect((await h.footprint()).events).toBe(before);
    expect((await h.request('POST', `/v1/collections/${request.id}/close`, { as: 'anne' })).json.status).toBe('closed');
    const late = await submit('sophie', request.id);
    expect([late.status, late.json.code]).toEqual([422, 'COLLECTION_CLOSED']);

    const draft = await ask({ draft: true });
    expect(draft.status).toBe('draft');
    expect((await submit('marc', draft.id)).status).toBe(404);
    expect((await h.request('POST', `/v1/collections/${draft.id}/publish`, { as: 'anne' })).json.status).toBe('open');
    expect((await submit('marc', draft.id)).status).toBe(201);
  });

  it('a submission over the size limit is refused and leaves nothing', async () => {
    const request = await ask();
    try {
      await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: 100 } });
      const before = await h.footprint();
      expect((await submit('marc', request.id, 'x'.repeat(500))).status).toBe(413);
      for (let i = 0; i < 50 && JSON.stringify(await h.footprint()) !== JSON.stringify(before); i++) await new Promise((r) => setTimeout(r, 100));
      expect(await h.footprint()).toEqual(before);
    } finally {
      await h.request('PATCH', '/v1/settings', { as: 'admin', json: { maxDocumentBytes: 52428800 } });
    }
  });

  it('reminders go to those who have not submitted, once a day; bad input is a 400', async () => {
    const request = await ask();
    await submit('marc', request.id);
    expect((await h.request('POST', `/v1/collections/${request.id}/reminders`, { as: 'anne' })).json).toEqual({ reminded: ['sophie'] });
    const again = await h.request('POST', `/v1/collections/${request.id}/reminders`, { as: 'anne' });
    expect(again.status).toBe(429);
    expect(again.headers.get('retry-after')).toBeTruthy();
    expect((await h.request('POST', '/v1/collections', { as: 'anne', json: { title: 'x', categoryId: category, recipients: { users: ['marc'] }, dueAt: 'soon' } })).status).toBe(400);
    expect((await h.request('POST', '/v1/collections', { as: 'anne', json: { title: 'x', categoryId: category, recipients: { users: ['marc'] }, dueAt: '2020-01-01T00:00:00Z' } })).json.code).toBe('INVALID_DUE_DATE');
    expect((await h.request('POST', '/v1/collections', { as: 'marc', json: { title: 'x', categoryId: category, recipients: { users: ['paul'] }, dueAt: inAWeek() } })).status).toBe(403);
  });
});
