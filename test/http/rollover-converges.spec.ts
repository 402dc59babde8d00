import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;

const poll = async (id: string) => {
  for (let i = 0; i < 200; i++) {
    const job = (await h.request('GET', `/v1/rollovers/${id}`, { as: 'admin' })).json;
    if (job.status !== 'running') return job;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('rollover still running');
};
const rollover = async () => poll((await h.request('POST', '/v1/rollovers', { as: 'admin', json: { from: '2025-2026', to: '2026-2027' } })).json.id);

beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
  await h.request('PATCH', '/v1/settings', { as: 'admin', json: { currentYear: '2025-2026' } });
  category = await h.createCategory('Minutes');
});
afterAll(() => h.stop());

describe('a rollover prepared before the year switch', () => {
  it('converges: a rerun brings the carried documents up to date with year N, and carries nothing twice', async () => {
    const deposit = await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category, title: 'Council' }, { content: 'v1' });
    const source = deposit.json.id as string;
    const gone = (await h.deposit('anne', { recipients: { users: ['marc'] }, categoryId: category, title: 'Gone' }, { content: 'gone' })).json.id as string;
    const first = await rollover();
    expect(first.report).toMatchObject({ carried: 2, alreadyCarried: 0, updated: 0 });

    // Year N goes on until the switch: a new version, a new recipient, a deletion.
    await h.request('PUT', `/v1/documents/${source}/content`, { as: 'anne', body: h.form(undefined, { name: 'v2.txt', content: 'v2' }) });
    await h.request('POST', `/v1/documents/${source}/recipients`, { as: 'anne', json: { users: ['sophie'] } });
    await h.request('DELETE', `/v1/documents/${gone}`, { as: 'anne' });

    const second = await rollover();
    expect(second.report).toMatchObject({ carried: 1, alreadyCarried: 1, updated: 2, skipped: { deleted: 1 } });
    const third = await rollover();
    expect(third.report).toMatchObject({ carried: 1, alreadyCarried: 1, updated: 0 });

    const nextYear = (await h.request('GET', '/v1/locker?year=2026-2027', { as: 'sophie' })).json.items;
    expect(nextYear).toHaveLength(1);
    expect(nextYear[0]).toMatchObject({ title: 'Council', year: '2026-2027', version: 2, fileName: 'v2.txt', recipients: ['marc', 'sophie'] });
    expect((await h.request('GET', `/v1/documents/${nextYear[0].id}/content`, { as: 'sophie' })).text).toBe('v2');
    expect((await h.request('GET', '/v1/locker?year=2026-2027', { as: 'marc' })).json.items.map((i: { title: string }) => i.title)).toEqual(['Council']);

    // Until the switch, the carried document is read-only: its year is not open yet.
    const early = await h.request('PATCH', `/v1/documents/${nextYear[0].id}`, { as: 'anne', json: { memo: 'too early' } });
    expect([early.status, early.json.code]).toEqual([422, 'YEAR_NOT_OPEN']);
  });
});
