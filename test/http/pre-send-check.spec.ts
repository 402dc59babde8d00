import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());

describe('POST /v1/documents/check', () => {
  it('answers who would receive a deposit and through what, who not and why, and the limit; it writes nothing', async () => {
    const before = await h.footprint();
    const res = await h.request('POST', '/v1/documents/check', { as: 'anne', json: { recipients: { users: ['sophie', 'leo'], classes: ['4b'] }, categoryId: category } });
    expect(res.status).toBe(200);
    expect(res.json).toEqual({
      recipients: [
        { id: 'sophie', displayName: 'Sophie Leroy', via: ['user', 'class:4B'] },
        { id: 'marc', displayName: 'Marc Petit', via: ['class:4B'] },
      ],
      refused: [{ kind: 'user', id: 'leo', reason: 'student' }],
      category: 'usable',
      maxDocumentBytes: 52428800,
      acceptable: false,
    });
    expect((await h.request('POST', '/v1/documents/check', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: 'nope' } })).json).toMatchObject({ category: 'not-found', acceptable: false });
    expect((await h.request('POST', '/v1/documents/check', { as: 'anne', json: { recipients: { users: ['marc'] }, categoryId: category } })).json.acceptable).toBe(true);
    expect((await h.request('POST', '/v1/documents/check', { as: 'marc', json: { recipients: { users: ['anne'] }, categoryId: category } })).status).toBe(403);
    expect(await h.footprint()).toEqual(before);
  });
});
