import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDirectory } from '../support/fixtures.js';
import { startSchool, type Harness } from '../support/harness.js';

let h: Harness;
beforeAll(async () => {
  ({ h } = await startSchool());
});
afterAll(async () => h.stop());

/** Erasure over HTTP (issue 37: the rule "no erasure while in the directory" had one test, in the application layer). */
describe('erasure over HTTP', () => {
  it('nobody is erased while in the directory: 409, no event, the name still reads; once they left, 201 and the name reads as erased', async () => {
    const before = await h.footprint();
    const refused = await h.request('POST', '/v1/erasures', { as: 'admin', json: { userId: 'sophie' } });
    expect(refused.status, refused.text).toBe(409);
    expect(refused.json).toMatchObject({ status: 409 });
    expect(await h.footprint()).toEqual(before);
    expect((await h.request('GET', '/v1/erasures', { as: 'admin' })).json.items).toEqual([]);

    // Only an admin may ask, and only for their own school.
    expect((await h.request('POST', '/v1/erasures', { as: 'anne', json: { userId: 'sophie' } })).status).toBe(403);

    await h.importDirectory('school', { ...schoolDirectory, users: schoolDirectory.users.filter((u) => u.id !== 'sophie'), classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'sophie') })) });
    const erased = await h.request('POST', '/v1/erasures', { as: 'admin', json: { userId: 'sophie' } });
    expect(erased.status, erased.text).toBe(201);
    expect(erased.json).toMatchObject({ userId: 'sophie', actorId: 'admin', reason: 'request', otherNodesWithinSeconds: 60 });
    const audit = await h.request('GET', '/v1/audit/events?limit=1000&type=DirectorySynced', { as: 'auditor' });
    const names = (audit.json.events as { data: { users: { id: string; displayName: string }[] } }[]).flatMap((e) => e.data.users.filter((u) => u.id === 'sophie').map((u) => u.displayName));
    expect(names.length).toBeGreaterThan(0);
    expect(new Set(names)).toEqual(new Set(['[erased]']));
  });
});
