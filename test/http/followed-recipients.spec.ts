import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/domain/index.js';
import { schoolDirectory, startSchool, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;
beforeAll(async () => {
  ({ h, category } = await startSchool());
});
afterAll(async () => h.stop());
// Every test changes the directory; the next one starts from the fixture school again.
afterEach(async () => {
  await h.importDirectory();
});

const changed = (edit: (d: Directory) => Directory): Directory => edit(structuredClone(schoolDirectory) as Directory);
const with4b = (teacherIds: string[]) => changed((d) => ({ ...d, classes: d.classes.map((c) => (c.id === '4b' ? { ...c, teacherIds } : c)) }));
const hire = (id: string, kind: 'teacher' | 'staff' = 'teacher') => changed((d) => ({ ...d, users: [...d.users, { id, displayName: `New ${id}`, kind, profiles: [] }] }));

const lockerIds = async (as: string) => ((await h.request('GET', '/v1/locker', { as })).json.items as { id: string }[]).map((i) => i.id);
const historyOf = async (id: string) =>
  ((await h.request('GET', `/v1/audit/documents/${id}/history`, { as: 'auditor' })).json.events as { type: string; data: Record<string, unknown> }[]).filter(
    (e) => e.type === 'RecipientJoined' || e.type === 'RecipientLeft',
  );

describe('recipients that follow the directory', () => {
  it('a class: a teacher who joins its team receives the document and is told; one who leaves loses it', async () => {
    const id = (await h.deposit('anne', { recipients: { classes: ['4b'] }, categoryId: category })).json.id as string;
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'paul' })).status).toBe(404);

    const report = await h.importDirectory('school', with4b(['marc', 'paul']));
    expect(report.followed).toEqual({ documents: 1, joined: 1, left: 1 });

    expect(await lockerIds('paul')).toContain(id);
    const notes = (await h.request('GET', '/v1/notifications', { as: 'paul' })).json.items as { documentId: string; kind: string }[];
    expect(notes.find((n) => n.documentId === id)).toMatchObject({ kind: 'recipient-added' });
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'sophie' })).status).toBe(404);
    expect(await lockerIds('sophie')).not.toContain(id);
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'anne' })).json.recipients).toEqual(['marc', 'paul']);
    expect(await historyOf(id)).toMatchObject([
      { type: 'RecipientJoined', data: { userId: 'paul', via: 'class:4b' } },
      { type: 'RecipientLeft', data: { userId: 'sophie', from: 'class:4b' } },
    ]);
  });

  it('someone named individually keeps it when they leave the class', async () => {
    const id = (await h.deposit('anne', { recipients: { users: ['sophie'], classes: ['4b'] }, categoryId: category })).json.id as string;
    await h.importDirectory('school', with4b(['marc']));
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'sophie' })).status).toBe(200);
  });

  it('a group: every teacher, including those hired later; a teacher who becomes staff leaves it', async () => {
    const id = (await h.deposit('anne', { recipients: { groups: ['teachers'] }, categoryId: category })).json.id as string;
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'anne' })).json.recipients).toEqual(['marc', 'paul']);
    await h.importDirectory('school', hire('nina'));
    expect(await lockerIds('nina')).toContain(id);
    const paulIsStaff = changed((d) => ({ ...d, users: [...d.users.map((u) => (u.id === 'paul' ? { ...u, kind: 'staff' as const } : u)), { id: 'nina', displayName: 'New nina', kind: 'teacher', profiles: [] }] }));
    await h.importDirectory('school', paulIsStaff);
    expect(await lockerIds('paul')).not.toContain(id);
    expect((await h.request('GET', `/v1/documents/${id}`, { as: 'anne' })).json.recipients).toEqual(['marc', 'nina']);
  });

  it('a rejoiner finds it as they left it: removed from their locker stays removed', async () => {
    const id = (await h.deposit('anne', { recipients: { classes: ['4b'] }, categoryId: category })).json.id as string;
    expect((await h.request('DELETE', `/v1/locker/documents/${id}`, { as: 'sophie' })).status).toBe(204);
    await h.importDirectory('school', with4b(['marc']));
    await h.importDirectory();
    expect(await lockerIds('sophie')).not.toContain(id);
    expect((await h.request('POST', `/v1/locker/documents/${id}/restore`, { as: 'sophie' })).status).toBe(204);
    expect(await lockerIds('sophie')).toContain(id);
  });

  it('the pre-send check says a group reaches whom, and refuses an unknown group name with a 400', async () => {
    const check = await h.request('POST', '/v1/documents/check', { as: 'anne', json: { recipients: { groups: ['counselors'] }, categoryId: category } });
    expect(check.status).toBe(200);
    expect(check.json.recipients).toEqual([{ id: 'sophie', displayName: 'Sophie Leroy', via: ['group:counselors'] }]);
    const bad = await h.request('POST', '/v1/documents/check', { as: 'anne', json: { recipients: { groups: ['janitors'] }, categoryId: category } });
    expect(bad.status).toBe(400);
    expect(bad.headers.get('content-type')).toContain('application/problem+json');
  });

  it('a directory sync that changes nobody’s class or group touches no document', async () => {
    await h.deposit('anne', { recipients: { classes: ['4b'], groups: ['all-staff'] }, categoryId: category });
    const before = (await h.footprint()).events;
    const report = await h.importDirectory();
    expect(report.followed).toEqual({ documents: 0, joined: 0, left: 0 });
    // The DirectorySynced and its DirectoryFollowed mark, nothing else.
    expect((await h.footprint()).events).toBe(before + 2);
  });
});
