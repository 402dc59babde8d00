import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { schoolDirectory, startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let minutes: string;
let timetables: string;
const docs: Record<string, { id: string; sha256: string }> = {};

const poll = async (id: string) => {
  for (;;) {
    const res = await h.request('GET', `/v1/rollovers/${id}`, { as: 'admin' });
    if (res.json.status !== 'running') return res.json;
    await new Promise((r) => setTimeout(r, 50));
  }
};

const ids = (res: { json: { items: { id: string }[] } }) => res.json.items.map((i) => i.id);

/** A year of history: deposits, updates, added recipients, a deletion, a tidied locker, a teacher leaving. */
beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
  await h.request('PATCH', '/v1/settings', { as: 'admin', json: { currentYear: '2025-2026' } });
  minutes = await h.createCategory('Minutes');
  timetables = await h.createCategory('Timetables');
  const deposit = async (name: string, as: string, users: string[], categoryId = minutes) => {
    const res = await h.deposit(as, { recipients: { users }, categoryId, title: name }, { content: `${name} v1` });
    expect(res.status).toBe(201);
    docs[name] = res.json;
  };
  await deposit('live', 'anne', ['marc', 'sophie']);
  await deposit('deleted', 'anne', ['marc']);
  await deposit('by-paul', 'paul', ['marc']);
  await deposit('only-paul', 'anne', ['paul']);
  await deposit('timetable', 'anne', ['marc'], timetables);
  await deposit('updated', 'anne', ['marc']);
  await deposit('tidied', 'anne', ['marc', 'sophie']);
  await h.request('DELETE', `/v1/documents/${docs.deleted!.id}`, { as: 'anne' });
  await h.request('PUT', `/v1/documents/${docs.updated!.id}/content`, { as: 'anne', body: h.form(undefined, { name: 'v2.txt', content: 'updated v2' }) });
  await h.request('POST', `/v1/documents/${docs.updated!.id}/recipients`, { as: 'anne', json: { users: ['paul', 'sophie'] } });
  await h.request('GET', `/v1/documents/${docs.live!.id}/content`, { as: 'marc' });
  await h.request('DELETE', `/v1/locker/documents/${docs.tidied!.id}`, { as: 'sophie' });
  // Paul leaves the school.
  await h.importDirectory('school', { ...schoolDirectory, users: schoolDirectory.users.filter((u) => u.id !== 'paul'), classes: [{ id: '3a', name: '3A', teacherIds: ['anne', 'marc'] }] });
  await h.request('PATCH', '/v1/settings', { as: 'admin', json: { currentYear: '2026-2027' } });
});
afterAll(() => h.stop());

describe('school years', () => {
  it('a closed year is read-only, and listings show the current year unless ?year= asks for another', async () => {
    expect((await h.request('GET', '/v1/settings', { as: 'admin' })).json.currentYear).toBe('2026-2027');
    const patch = await h.request('PATCH', `/v1/documents/${docs.live!.id}`, { as: 'anne', json: { memo: 'too late' } });
    expect(patch.status).toBe(422);
    expect(patch.json.code).toBe('YEAR_CLOSED');
    expect((await h.request('DELETE', `/v1/documents/${docs.live!.id}`, { as: 'anne' })).status).toBe(422);
    expect(ids(await h.request('GET', '/v1/locker', { as: 'marc' }))).not.toContain(docs.live!.id);
    expect(ids(await h.request('GET', '/v1/locker?year=2025-2026', { as: 'marc' }))).toContain(docs.live!.id);
    expect((await h.request('GET', `/v1/documents/${docs.live!.id}/content`, { as: 'marc' })).status).toBe(200);
    expect((await h.request('PATCH', '/v1/settings', { as: 'admin', json: { currentYear: '2026-2028' } })).status).toBe(422);
  });
});

describe('rollover', () => {
  const expected = {
    carried: 4,
    skipped: { deleted: 1, 'category-excluded': 0, 'depositor-left': 1, 'no-recipient-left': 1 },
  };

  it('a dry run reports what would happen and writes nothing', async () => {
    const before = await h.footprint();
    const started = await h.request('POST', '/v1/rollovers', { as: 'admin', json: { from: '2025-2026', to: '2026-2027', dryRun: true } });
    expect(started.status).toBe(202);
    expect(started.headers.get('location')).toBe(`/v1/rollovers/${started.json.id}`);
    const job = await poll(started.json.id);
    expect(job.status).toBe('done');
    // The same numbers whether or not a real run came first (tests run in any order).
    expect(job.report).toMatchObject({ ...expected, dryRun: true });
    expect(await h.footprint()).toEqual(before);
  });

  it('reports per category and honours a category filter', async () => {
    const job = await poll((await h.request('POST', '/v1/rollovers', { as: 'admin', json: { from: '2025-2026', to: '2026-2027', dryRun: true, categories: [minutes] } })).json.id);
    expect(job.report.skipped['category-excluded']).toBe(1);
    expect(job.report.perCategory[timetables]).toEqual({ carried: 0, skipped: 1 });
    expect(job.report.perCategory[minutes]).toEqual({ carried: 3, skipped: 3 });
  });

  it('carries the live documents into the next year with only the people still here; year N stays as it was', async () => {
    const job = await poll((await h.request('POST', '/v1/rollovers', { as: 'admin', json: { from: '2025-2026', to: '2026-2027' } })).json.id);
    expect(job.report).toMatchObject({ ...expected, dryRun: false });
    expect(job.report.droppedRecipients).toEqual(
      expect.arrayContaining([
        { documentId: docs.updated!.id, userIds: ['paul'] },
        { documentId: docs.tidied!.id, userIds: ['sophie'] },
      ]),
    );

    const marcs = (await h.request('GET', '/v1/locker', { as: 'marc' })).json.items;
    expect(marcs.map((i: { title: string }) => i.title).sort()).toEqual(['live', 'tidied', 'timetable', 'updated']);
    const updated = marcs.find((i: { title: string }) => i.title === 'updated');
    expect(updated).toMatchObject({ year: '2026-2027', version: 1, fileName: 'v2.txt', depositorId: 'anne', recipients: ['marc', 'sophie'], consulted: false });
    expect(updated.id).not.toBe(docs.updated!.id);
    expect((await h.request('GET', `/v1/documents/${updated.id}/content`, { as: 'sophie' })).text).toBe('updated v2');
    const live = marcs.find((i: { title: string }) => i.title === 'live');
    expect(live.sha256).toBe(docs.live!.sha256);
    // The carried document is managed in the new year like any other.
    expect((await h.request('PATCH', `/v1/documents/${live.id}`, { as: 'anne', json: { memo: 'new year' } })).status).toBe(200);
    // Year N is untouched, for auditors and for anyone asking for it.
    expect(ids(await h.request('GET', '/v1/locker?year=2025-2026', { as: 'marc' }))).toContain(docs.live!.id);
    expect((await h.request('GET', `/v1/documents/${docs.live!.id}`, { as: 'marc' })).json.year).toBe('2025-2026');
  });

  it('running it again carries nothing twice', async () => {
    // Carried once (by this test or an earlier one), then run again.
    await poll((await h.request('POST', '/v1/rollovers', { as: 'admin', json: { from: '2025-2026', to: '2026-2027' } })).json.id);
    const before = await h.footprint();
    const job = await poll((await h.request('POST', '/v1/rollovers', { as: 'admin', json: { from: '2025-2026', to: '2026-2027' } })).json.id);
    expect(job.report).toMatchObject({ ...expected, alreadyCarried: 4 });
    expect(await h.footprint()).toEqual(before);
  });

  it('only admins run rollovers, only from a year to the next', async () => {
    expect((await h.request('POST', '/v1/rollovers', { as: 'anne', json: { from: '2025-2026', to: '2026-2027' } })).status).toBe(403);
    // Years that do not follow each other are refused at once, before any job exists.
    const wrong = await h.request('POST', '/v1/rollovers', { as: 'admin', json: { from: '2025-2026', to: '2027-2028' } });
    expect([wrong.status, wrong.json.code]).toEqual([400, 'INVALID_INPUT']);
    expect((await h.request('GET', '/v1/rollovers/nope', { as: 'admin' })).status).toBe(404);
    expect((await h.request('POST', '/v1/rollovers', { as: 'admin', json: { from: 'last year' } })).status).toBe(400);
  });
});
