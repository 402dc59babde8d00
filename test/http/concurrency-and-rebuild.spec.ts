import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { openSqliteReadModels } from '../../src/adapters/sqlite/sqlite-read-models.js';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;

const manyTeachers = (n: number) => ({
  profiles: [{ id: 'p', name: 'Teachers', permissions: ['locker.deposit', 'locker.admin'] }],
  users: [
    { id: 'admin', displayName: 'Admin', kind: 'staff', profiles: ['p'] },
    ...Array.from({ length: n }, (_, i) => ({ id: `t${i}`, displayName: `Teacher ${i}`, kind: 'teacher', profiles: ['p'] })),
  ],
  classes: [],
});

beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory('school', manyTeachers(60));
  category = await h.createCategory('Minutes');
});
afterAll(() => h.stop());

describe('concurrency', () => {
  it('50 concurrent add-recipient requests on one document all land', async () => {
    const doc = (await h.deposit('t0', { recipients: { users: ['t1'] }, categoryId: category })).json;
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => h.request('POST', `/v1/documents/${doc.id}/recipients`, { as: 't0', json: { users: [`t${i + 2}`] } })),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(50).fill(200));
    const final = await h.request('GET', `/v1/documents/${doc.id}`, { as: 't0' });
    expect(final.json.recipients).toHaveLength(51);
    const events = (await h.running.app.deps.events.readStream(`school:document:${doc.id}`))._unsafeUnwrap();
    expect(events.filter((e) => e.type === 'RecipientAdded')).toHaveLength(50);
  });

  it('20 concurrent deposits with distinct idempotency keys make 20 documents; replays of them make none', async () => {
    const deposit = (i: number) =>
      h.deposit('t1', { recipients: { users: ['t2'] }, categoryId: category }, { content: `doc ${i}` }, { headers: { 'idempotency-key': `k-${i}` } });
    const first = await Promise.all(Array.from({ length: 20 }, (_, i) => deposit(i)));
    expect(first.map((r) => r.status)).toEqual(Array(20).fill(201));
    expect(new Set(first.map((r) => r.json.id)).size).toBe(20);
    const replays = await Promise.all(Array.from({ length: 20 }, (_, i) => deposit(i)));
    expect(replays.map((r) => r.json.id)).toEqual(first.map((r) => r.json.id));
    const distribution = await h.request('GET', '/v1/distribution?limit=100', { as: 't1' });
    expect(distribution.json.items).toHaveLength(20);
  });

  it('the same idempotency key sent concurrently yields one document', async () => {
    const responses = await Promise.all(
      Array.from({ length: 8 }, () =>
        h.deposit('t3', { recipients: { users: ['t4'] }, categoryId: category }, { content: 'once' }, { headers: { 'idempotency-key': 'burst' } }),
      ),
    );
    expect(responses.map((r) => `${r.status} ${r.status === 201 ? '' : r.text}`)).toEqual(Array(8).fill('201 '));
    expect(new Set(responses.map((r) => r.json.id)).size).toBe(1);
  });

  it('pages through a distribution with a cursor, newest first, without gaps or repeats', async () => {
    // Its own depositor and documents: the test does not rely on any other having run.
    const deposited: string[] = [];
    for (let i = 0; i < 20; i++) deposited.push((await h.deposit('t5', { recipients: { users: ['t6'] }, categoryId: category }, { content: `page ${i}` })).json.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const res: { json: { items: { id: string }[]; nextCursor: string | null } } = await h.request('GET', `/v1/distribution?limit=7${cursor ? `&cursor=${cursor}` : ''}`, { as: 't5' });
      seen.push(...res.json.items.map((i) => i.id));
      cursor = res.json.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...deposited].reverse());
  });
});

describe('read models', () => {
  it('a rebuild from zero gives exactly the live read models', async () => {
    // A little of everything, whatever ran before: deposits, an opening, a tidied locker, a deletion.
    const a = (await h.deposit('t7', { recipients: { users: ['t8', 't9'] }, categoryId: category }, { content: 'rebuilt a' })).json.id as string;
    const b = (await h.deposit('t7', { recipients: { users: ['t8'] }, categoryId: category }, { content: 'rebuilt b' })).json.id as string;
    await h.request('GET', `/v1/documents/${a}/content`, { as: 't8' });
    await h.request('DELETE', `/v1/locker/documents/${a}`, { as: 't9' });
    await h.request('DELETE', `/v1/documents/${b}`, { as: 't7' });
    const readModels = h.running.app.deps.readModels as ReturnType<typeof openSqliteReadModels>;
    const live = readModels.dump();
    expect(live.documents!.length).toBeGreaterThanOrEqual(2);
    const rebuilt = await h.running.app.deps.projector.rebuild();
    expect(rebuilt.isOk()).toBe(true);
    expect(readModels.dump()).toEqual(live);
  });
});
