import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

describe('retention by category over HTTP', () => {
  it('an admin sets and clears how long a category keeps its documents; bad values are refused', async () => {
    const set = await h.request('PATCH', `/v1/categories/${category}`, { as: 'admin', json: { retention: { days: 365 } } });
    expect(set.json).toMatchObject({ id: category, retention: { days: 365 } });
    const listed = (await h.request('GET', '/v1/categories', { as: 'marc' })).json.items.find((c: { id: string }) => c.id === category);
    expect(listed.retention).toEqual({ days: 365 });
    const both = await h.request('PATCH', `/v1/categories/${category}`, { as: 'admin', json: { designation: 'Council minutes (kept a year)', retention: null } });
    expect(both.json).toMatchObject({ designation: 'Council minutes (kept a year)', retention: null });
    expect((await h.request('PATCH', `/v1/categories/${category}`, { as: 'admin', json: { retention: { days: 0 } } })).status).toBe(400);
    expect((await h.request('PATCH', `/v1/categories/${category}`, { as: 'admin', json: {} })).status).toBe(400);
    expect((await h.request('PATCH', `/v1/categories/${category}`, { as: 'marc', json: { retention: { days: 30 } } })).status).toBe(403);
    expect((await h.request('PATCH', '/v1/categories/nope', { as: 'admin', json: { retention: { days: 30 } } })).status).toBe(404);
  });
});
