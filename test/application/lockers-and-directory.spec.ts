import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Directory } from '../../src/domain/index.js';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';
import { schoolDirectory } from '../support/fixtures.js';

const SYNC = as('s', 'school', ['directory:write']);
const NOT_FOUND = { code: 'NOT_FOUND', resource: 'document' };

/** Restoring removed documents and following the directory, through the use cases on the embedded adapters. */
describe('lockers and the directory, at the application layer', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  beforeEach(async () => {
    app = await embeddedApp();
    categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
  });
  afterEach(() => app.stop());
  const deposit = (recipients: { users: string[]; classes: string[] }) => deposited(app, 'anne', recipients, categoryId);
  const lockerEvents = async (userId: string) => (await app.deps.events.readStream(app.deps.streams.locker('school', userId)))._unsafeUnwrap().map((e) => e.type);
  const current = (documentId: string, userId: string) => app.deps.readModels.isCurrentRecipient('school', documentId, userId);

  it('a recipient brings back what they removed, once; to anyone else, or once deleted, it is not found', async () => {
    const id = await deposit({ users: ['marc'], classes: [] });
    (await app.useCases.removeFromLocker(as('marc'), id))._unsafeUnwrap();
    expect(current(id, 'marc')).toBe(false);
    expect(await app.useCases.restoreToLocker(as('marc'), id)).toMatchObject({ value: null });
    expect(current(id, 'marc')).toBe(true);
    const after = await lockerEvents('marc');
    expect(after.filter((t) => t === 'DocumentRestoredToLocker')).toHaveLength(1);
    // Already back: done, and nothing written.
    expect((await app.useCases.restoreToLocker(as('marc'), id))._unsafeUnwrap()).toBeNull();
    expect(await lockerEvents('marc')).toEqual(after);
    expect((await app.useCases.restoreToLocker(as('paul'), id))._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    expect((await app.useCases.restoreToLocker(as('marc'), 'no-such-document'))._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    // Removed again, then deleted for everyone: there is nothing to bring back.
    (await app.useCases.removeFromLocker(as('marc'), id))._unsafeUnwrap();
    (await app.useCases.deleteForAll(as('anne'), id))._unsafeUnwrap();
    expect((await app.useCases.restoreToLocker(as('marc'), id))._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    // Nor is it "back already" for someone who never removed it: deleted is not found for everyone.
    const shared = await deposit({ users: ['marc', 'paul'], classes: [] });
    (await app.useCases.deleteForAll(as('anne'), shared))._unsafeUnwrap();
    expect((await app.useCases.restoreToLocker(as('paul'), shared))._unsafeUnwrapErr()).toEqual(NOT_FOUND);
  });

  it('the depositor has no locker copy of their own document to remove: refused, nothing written (issue 37)', async () => {
    const id = await deposit({ users: ['marc'], classes: [] });
    const before = await lockerEvents('anne');
    expect((await app.useCases.removeFromLocker(as('anne'), id))._unsafeUnwrapErr()).toEqual({ code: 'NOT_IN_LOCKER', documentId: id });
    expect(await lockerEvents('anne')).toEqual(before);
    expect((await app.useCases.myDistribution(as('anne'), undefined, { limit: 10 }))._unsafeUnwrap().items.map((i) => i.id)).toEqual([id]);
  });

  it('addressed again by the depositor, a removed document is back at once, beside a new recipient', async () => {
    const id = await deposit({ users: ['marc'], classes: [] });
    (await app.useCases.removeFromLocker(as('marc'), id))._unsafeUnwrap();
    (await app.useCases.addRecipients(as('anne'), id, { users: ['marc', 'sophie'], classes: [] }))._unsafeUnwrap();
    // Read-your-writes: the answer comes after the read models saw the restore.
    expect(current(id, 'marc')).toBe(true);
    expect(current(id, 'sophie')).toBe(true);
    const restores = async (userId: string) =>
      (await app.deps.events.readStream(app.deps.streams.locker('school', userId)))._unsafeUnwrap().filter((e) => e.type === 'DocumentRestoredToLocker').map((e) => (e.data as { by: string }).by);
    expect(await restores('marc')).toEqual(['depositor']);
    // Sophie never removed it: no restore in her locker.
    expect(await restores('sophie')).toEqual([]);
  });

  it('a directory change tallies the documents that followed it, who joined and who left', async () => {
    const id = await deposit({ users: [], classes: ['4b'] });
    expect(current(id, 'marc')).toBe(true);
    const moved: Directory = {
      ...schoolDirectory,
      classes: schoolDirectory.classes.map((c) => (c.id === '4b' ? { ...c, teacherIds: ['sophie', 'paul', 'admin'] } : c)),
    };
    const report = (await app.useCases.syncDirectory(SYNC, moved))._unsafeUnwrap();
    expect(report.followed).toEqual({ documents: 1, joined: 2, left: 1 });
    expect(current(id, 'paul')).toBe(true);
    expect(current(id, 'admin')).toBe(true);
    expect(current(id, 'marc')).toBe(false);
    // The same directory again moves nobody.
    expect((await app.useCases.syncDirectory(SYNC, moved))._unsafeUnwrap().followed).toEqual({ documents: 0, joined: 0, left: 0 });
  });
});
