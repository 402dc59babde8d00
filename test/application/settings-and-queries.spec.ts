import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { updateSettings } from '../../src/application/use-cases/manage-settings.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

const FORBIDDEN = { code: 'FORBIDDEN' };

/** Categories, settings and the personal views, through the use cases on the embedded adapters. */
describe('settings, categories and personal views at the application layer', () => {
  let app: EmbeddedApp;
  let documentId: string;
  beforeAll(async () => {
    app = await embeddedApp({ env: { LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: '5000' } });
  });
  afterAll(() => app.stop());

  it('categories: created, renamed and retired by admins; retired ones listed only when asked; an unknown one is not found', async () => {
    const uc = app.useCases;
    const minutes = (await uc.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap();
    expect(minutes).toMatchObject({ designation: 'Minutes' });
    const old = (await uc.createCategory(as('admin'), 'Old'))._unsafeUnwrap();
    expect((await uc.renameCategory(as('admin'), minutes.id, 'Council minutes'))._unsafeUnwrap()).toMatchObject({ id: minutes.id, designation: 'Council minutes' });
    expect((await uc.retireCategory(as('admin'), old.id))._unsafeUnwrap()).toBeNull();
    // Other tests here add categories of their own: only these two are looked at.
    const listed = async (includeRetired: boolean) => (await uc.listCategories(as('marc'), includeRetired))._unsafeUnwrap().map((c) => c.id).filter((id) => id === minutes.id || id === old.id);
    expect(await listed(false)).toEqual([minutes.id]);
    expect((await listed(true)).sort()).toEqual([minutes.id, old.id].sort());
    expect((await uc.renameCategory(as('admin'), 'nope', 'X'))._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'category' });
    expect((await uc.retireCategory(as('admin'), 'nope'))._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'category' });
    // Not an admin: refused as such, not as a category that is not there (issue 37).
    expect((await uc.renameCategory(as('anne'), minutes.id, 'X'))._unsafeUnwrapErr()).toMatchObject(FORBIDDEN);
    expect((await uc.retireCategory(as('anne'), minutes.id))._unsafeUnwrapErr()).toMatchObject(FORBIDDEN);
    expect((await uc.createCategory(as('anne'), 'Mine'))._unsafeUnwrapErr()).toMatchObject(FORBIDDEN);
    expect((await uc.listCategories(as('ghost'), true))._unsafeUnwrapErr()).toMatchObject(FORBIDDEN);
  });

  it('settings: the defaults, then what an admin changed; nobody else reads or changes them', async () => {
    const uc = app.useCases;
    const before = (await uc.getSettings(as('admin')))._unsafeUnwrap();
    expect(before).toMatchObject({ maxDocumentBytes: 5000, clouds: [], erasePeopleAfterDays: 90 });
    expect(before.currentYear).toMatch(/^\d{4}-\d{4}$/);
    const after = (await uc.updateSettings(as('admin'), { maxDocumentBytes: 1234, erasePeopleAfterDays: 30 }))._unsafeUnwrap();
    expect(after).toMatchObject({ maxDocumentBytes: 1234, erasePeopleAfterDays: 30 });
    expect((await uc.getSettings(as('admin')))._unsafeUnwrap()).toEqual(after);
    expect((await uc.getSettings(as('anne')))._unsafeUnwrapErr()).toMatchObject(FORBIDDEN);
    expect((await uc.updateSettings(as('anne'), { maxDocumentBytes: 1 }))._unsafeUnwrapErr()).toMatchObject(FORBIDDEN);
    (await uc.updateSettings(as('admin'), { maxDocumentBytes: 5000, erasePeopleAfterDays: 90 }))._unsafeUnwrap();
  });

  it('clouds need the server’s secrets key: refused without it (hosted mode), kept with it; the embedded default makes its own', async () => {
    const nuage = { id: 'nuage', kind: 'webdav' as const, name: 'Nuage', url: 'https://nuage.example/remote.php/dav/files/{user}' };
    expect((await updateSettings({ ...app.deps, credentials: null })(as('admin'), { clouds: [nuage] }))._unsafeUnwrapErr()).toEqual({
      code: 'INVALID_CLOUDS',
      reason: 'the server has no LOCKER_SECRETS_KEY to keep credentials with',
    });
    const keyed = await embeddedApp({ env: { LOCKER_SECRETS_KEY: Buffer.alloc(32, 7).toString('base64') } });
    try {
      expect((await keyed.useCases.updateSettings(as('admin'), { clouds: [nuage] }))._unsafeUnwrap().clouds).toEqual([nuage]);
    } finally {
      await keyed.stop();
    }
    // No key configured at all: one is generated into the data folder, once, and used from then on.
    expect((await app.useCases.updateSettings(as('admin'), { clouds: [nuage] }))._unsafeUnwrap().clouds).toEqual([nuage]);
    const made = readFileSync(join(app.dir, 'secrets-key'), 'utf8').trim();
    expect(Buffer.from(made, 'base64')).toHaveLength(32);
    expect(statSync(join(app.dir, 'secrets-key')).mode & 0o777).toBe(0o600);
    (await app.useCases.updateSettings(as('admin'), { clouds: [] }))._unsafeUnwrap();
  });

  it('a deposit shows in the recipient’s locker and notifications and in the depositor’s distribution; students have none of these', async () => {
    const uc = app.useCases;
    const categoryId = (await uc.createCategory(as('admin'), 'Letters'))._unsafeUnwrap().id;
    documentId = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, 'Letter');
    const locker = (await uc.myLocker(as('marc'), {}, { limit: 10 }))._unsafeUnwrap();
    expect(locker.items.map((i) => i.id)).toContain(documentId);
    expect((await uc.myLocker(as('marc'), { year: '1999-2000' }, { limit: 10 }))._unsafeUnwrap().items).toEqual([]);
    expect((await uc.myDistribution(as('anne'), undefined, { limit: 10 }))._unsafeUnwrap().items.map((i) => i.id)).toContain(documentId);
    expect((await uc.myDistribution(as('anne'), '1999-2000', { limit: 10 }))._unsafeUnwrap().items).toEqual([]);
    const notes = (await uc.myNotifications(as('marc'), { limit: 10 }))._unsafeUnwrap();
    expect(notes.items.some((n) => n.documentId === documentId && n.kind === 'deposited')).toBe(true);
    expect((await uc.unreadNotificationCount(as('marc')))._unsafeUnwrap()).toEqual({ unread: notes.items.length });
    expect((await uc.getDocument(as('marc'), documentId))._unsafeUnwrap()).toMatchObject({ id: documentId, title: 'Letter' });
    for (const query of [uc.myLocker(as('leo'), {}, { limit: 10 }), uc.myDistribution(as('leo'), undefined, { limit: 10 }), uc.myNotifications(as('leo'), { limit: 10 }), uc.unreadNotificationCount(as('leo'))]) {
      expect((await query)._unsafeUnwrapErr()).toEqual({ code: 'FORBIDDEN', reason: 'students have no locker' });
    }
  });
});

describe('the pre-send check at the application layer', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await embeddedApp({ env: { LOCKER_DEFAULT_MAX_DOCUMENT_BYTES: '7000' } });
  });
  afterAll(() => app.stop());

  it('says who a deposit would reach and through what, who not and why, the category and the limit; it writes nothing', async () => {
    const uc = app.useCases;
    const categoryId = (await uc.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    const retired = (await uc.createCategory(as('admin'), 'Old'))._unsafeUnwrap().id;
    (await uc.retireCategory(as('admin'), retired))._unsafeUnwrap();
    const head = (await app.deps.events.readAll({ limit: 10_000 }))._unsafeUnwrap().length;

    const good = (await uc.checkDeposit(as('anne'), { recipients: { users: ['sophie'], classes: ['4b'] }, categoryId }))._unsafeUnwrap();
    expect(good.category).toBe('usable');
    expect(good.maxDocumentBytes).toBe(7000);
    expect(good.refused).toEqual([]);
    expect(good.acceptable).toBe(true);
    expect(good.recipients.find((r) => r.id === 'marc')).toEqual({ id: 'marc', displayName: 'Marc Petit', via: ['class:4B'] });
    expect(good.recipients.find((r) => r.id === 'sophie')?.displayName).toBe('Sophie Leroy');

    const bad = (await uc.checkDeposit(as('anne'), { recipients: { users: ['leo', 'ghost'], classes: [] }, categoryId: retired }))._unsafeUnwrap();
    expect(bad.category).toBe('retired');
    expect(bad.refused).toEqual(expect.arrayContaining([expect.objectContaining({ kind: 'user', id: 'leo', reason: 'student' }), expect.objectContaining({ kind: 'user', id: 'ghost', reason: 'unknown' })]));
    expect(bad.acceptable).toBe(false);
    expect((await uc.checkDeposit(as('anne'), { recipients: { users: ['marc'], classes: [] }, categoryId: 'nope' }))._unsafeUnwrap()).toMatchObject({ category: 'not-found', acceptable: false });
    // One refused among people it would reach, in a usable category: not acceptable (the deposit is refused whole).
    expect((await uc.checkDeposit(as('anne'), { recipients: { users: ['marc', 'leo'], classes: [] }, categoryId }))._unsafeUnwrap()).toMatchObject({ category: 'usable', refused: [expect.objectContaining({ id: 'leo' })], acceptable: false });
    // Nobody to reach is not acceptable either, even with nothing refused.
    expect((await uc.checkDeposit(as('anne'), { recipients: { users: [], classes: [] }, categoryId }))._unsafeUnwrap()).toMatchObject({ refused: [], acceptable: false });
    // Marc is staff without the deposit permission; Léo is a student.
    expect((await uc.checkDeposit(as('marc'), { recipients: { users: ['anne'], classes: [] }, categoryId }))._unsafeUnwrapErr()).toEqual({ code: 'NOT_ALLOWED_TO_DEPOSIT', userId: 'marc' });
    expect((await uc.checkDeposit(as('leo'), { recipients: { users: ['anne'], classes: [] }, categoryId }))._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await app.deps.events.readAll({ limit: 10_000 }))._unsafeUnwrap().length).toBe(head);
  });
});
