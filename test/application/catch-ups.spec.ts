import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/domain/index.js';
import { TOKENS } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';
import { catchUpsDuring } from '../support/catch-ups.js';

// The jobs that write many streams (retention, due reminders, directory syncs, re-addressing, the
// sweep's leases) append one after another and catch this node's read models up once, at their
// end (ADR 31): a catch-up per item made a sync of a few hundred people take seconds. What they do
// grows with the items; how often they catch up does not.

const DAY = 24 * 3_600_000;
const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
const SYNC = as('sync', 'school', ['directory:write']);

describe('batch jobs catch the read models up once, not once an item (issue 37)', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  beforeAll(async () => {
    app = await embeddedApp({ overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }) });
    categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
  });
  afterAll(() => app.stop());

  const catchUps = <T>(work: () => Promise<T>) => catchUpsDuring(app.deps.projector, work);

  it('retention: one expired document or three', async () => {
    const shortLived = (await app.useCases.createCategory(as('admin'), 'Absences'))._unsafeUnwrap().id;
    (await app.useCases.setCategoryRetention(as('admin'), shortLived, 1))._unsafeUnwrap();
    const run = async (n: number) => {
      for (let i = 0; i < n; i += 1) await deposited(app, 'anne', { users: ['marc'], classes: [] }, shortLived);
      clock.at += DAY;
      return catchUps(async () => (await app.useCases.applyRetention())._unsafeUnwrap().expired);
    };
    const one = await run(1);
    const three = await run(3);
    expect([one.value, three.value]).toEqual([1, 3]);
    expect(three.count).toBe(one.count);
  });

  it('due reminders: one document due or three', async () => {
    const run = async (n: number) => {
      const dueAt = new Date(clock.at + DAY).toISOString();
      for (let i = 0; i < n; i += 1) {
        const checked = (await app.useCases.depositDocument.check(as('anne'), { recipients: { users: ['marc'], classes: [] }, categoryId, acknowledgement: { required: true, dueAt } }, undefined))._unsafeUnwrap();
        (await app.useCases.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: (async function* () { yield new Uint8Array([1]); })(), truncated: () => false }))._unsafeUnwrap();
      }
      clock.at += DAY;
      return catchUps(async () => (await app.useCases.remindDue())._unsafeUnwrap().reminded);
    };
    const one = await run(1);
    const three = await run(3);
    expect([one.value, three.value]).toEqual([1, 3]);
    expect(three.count).toBe(one.count);
  });

  it('addressed again: one recipient who had removed the document back, or three', async () => {
    const run = async (people: string[]) => {
      const id = await deposited(app, 'admin', { users: people, classes: [] }, categoryId);
      for (const p of people) (await app.useCases.removeFromLocker(as(p), id))._unsafeUnwrap();
      const { count } = await catchUps(async () => (await app.useCases.addRecipients(as('admin'), id, { users: people, classes: [] }))._unsafeUnwrap());
      expect(people.every((p) => app.deps.readModels.isCurrentRecipient('school', id, p))).toBe(true);
      return count;
    };
    expect(await run(['anne', 'paul', 'marc'])).toBe(await run(['anne']));
  });

  it('a directory sync: lockers opened for one newcomer or three, documents followed for one class or three', async () => {
    const sync = (directory: Directory) => catchUps(async () => (await app.useCases.syncDirectory(SYNC, directory))._unsafeUnwrap());
    const staff = (ids: string[]) => ids.map((id) => ({ id, displayName: id, kind: 'teacher' as const, profiles: [] }));
    const one = await sync({ ...schoolDirectory, users: [...schoolDirectory.users, ...staff(['new-1'])] });
    const three = await sync({ ...schoolDirectory, users: [...schoolDirectory.users, ...staff(['new-1', 'new-2', 'new-3', 'new-4'])] });
    expect([one.value.lockersOpened, three.value.lockersOpened]).toEqual([['new-1'], ['new-2', 'new-3', 'new-4']]);
    expect(three.count).toBe(one.count);
    // Marc leaves 3A: every document addressed to the class loses him.
    const byClass = async (n: number, classes: Directory['classes']) => {
      for (let i = 0; i < n; i += 1) await deposited(app, 'anne', { users: [], classes: ['3a'] }, categoryId);
      return sync({ ...schoolDirectory, classes });
    };
    const without = schoolDirectory.classes.map((k) => (k.id === '3a' ? { ...k, teacherIds: k.teacherIds.filter((t) => t !== 'marc') } : k));
    const left = await byClass(1, without);
    const back = await byClass(2, schoolDirectory.classes);
    expect([left.value.followed.left, back.value.followed.joined]).toEqual([1, 3]);
    expect(back.count).toBe(left.count);
    // Three in all, whatever it moves: before it reads the directory it replaces, once the new one
    // is recorded (lockers and documents are decided on it), and at its end.
    expect(one.count).toBe(3);
  });

  it('the sweep: one school’s lease or three', async () => {
    const multi = await embeddedApp({ tenants: ['a', 'b', 'c'] });
    const single = await embeddedApp({ tenants: ['a'] });
    try {
      const count = async (on: EmbeddedApp) => {
        const { count, value } = await catchUpsDuring(on.deps.projector, async () => (await on.useCases.sweepBlobs(0))._unsafeUnwrap());
        expect(value.leftToAnotherNode).toEqual([]);
        return count;
      };
      expect(await count(multi)).toBe(await count(single));
    } finally {
      await multi.stop();
      await single.stop();
    }
  });
});
