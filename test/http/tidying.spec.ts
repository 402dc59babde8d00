import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

const lockerIds = async (as: string, query = '') => ((await h.request('GET', `/v1/locker${query}`, { as })).json.items as { id: string }[]).map((i) => i.id);

describe('tidying one’s locker', () => {
  it('lists what was removed, and restores it', async () => {
    const id = (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category })).json.id as string;
    expect((await h.request('DELETE', `/v1/locker/documents/${id}`, { as: 'marc' })).status).toBe(204);
    expect(await lockerIds('marc')).not.toContain(id);
    expect(await lockerIds('marc', '?removed=true')).toContain(id);
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'marc' })).status).toBe(404);

    expect((await h.request('POST', `/v1/locker/documents/${id}/restore`, { as: 'marc' })).status).toBe(204);
    expect(await lockerIds('marc')).toContain(id);
    expect(await lockerIds('marc', '?removed=true')).not.toContain(id);
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'marc' })).status).toBe(200);
    // Restoring what is already there changes nothing; someone who never had it learns nothing.
    expect((await h.request('POST', `/v1/locker/documents/${id}/restore`, { as: 'marc' })).status).toBe(204);
    expect((await h.request('POST', `/v1/locker/documents/${id}/restore`, { as: 'sophie' })).status).toBe(404);
  });

  it('being addressed again by the depositor brings it back', async () => {
    const id = (await h.deposit('anne', { recipients: { users: ['marc', 'sophie'] }, categoryId: category })).json.id as string;
    expect((await h.request('DELETE', `/v1/locker/documents/${id}`, { as: 'sophie' })).status).toBe(204);
    expect(await lockerIds('sophie')).not.toContain(id);
    const readded = await h.request('POST', `/v1/documents/${id}/recipients`, { as: 'anne', json: { users: ['sophie'] } });
    expect(readded.status).toBe(200);
    expect(await lockerIds('sophie')).toContain(id);
    const status = (await h.request('GET', '/v1/distribution', { as: 'anne' })).json.items.find((i: { id: string }) => i.id === id).recipientStatuses;
    expect(status.find((s: { userId: string }) => s.userId === 'sophie')).toMatchObject({ removedFromLocker: false });
  });

  it('the history shows the removal and the restoration, and an as-of query follows them', async () => {
    const id = (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category })).json.id as string;
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await h.request('DELETE', `/v1/locker/documents/${id}`, { as: 'marc' });
    const between = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 20));
    await h.request('POST', `/v1/locker/documents/${id}/restore`, { as: 'marc' });
    const asOf = async (t: string) => ((await h.request('GET', `/v1/audit/lockers/marc?asOf=${t}`, { as: 'auditor' })).json.documents as { documentId: string }[]).map((d) => d.documentId);
    expect(await asOf(before)).toContain(id);
    expect(await asOf(between)).not.toContain(id);
    expect(await asOf(new Date().toISOString())).toContain(id);
  });
});
