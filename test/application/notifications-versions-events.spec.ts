import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { as, deposited, embeddedApp, textFile, type EmbeddedApp } from '../support/embedded-app.js';
import { schoolDirectory } from '../support/fixtures.js';

const file = (text: string, truncated = false) => textFile(text, truncated, 'v.txt');
const service = as('svc', 'school', ['events:read']);

describe('notifications read, new versions and the public event stream at the application layer', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  beforeAll(async () => {
    app = await embeddedApp();
    categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
  });
  afterAll(() => app.stop());
  const deposit = (title: string) => deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, title);

  it('notifications are marked read by id or all at once; a later one stays unread', async () => {
    const uc = app.useCases;
    await deposit('One');
    await deposit('Two');
    const unread = (await uc.myNotifications(as('marc'), { limit: 50 }, { unread: true }))._unsafeUnwrap().items;
    expect(unread.length).toBeGreaterThanOrEqual(2);
    expect((await uc.markNotificationsRead(as('marc'), { ids: [unread[0]!.id] }))._unsafeUnwrap()).toEqual({ unread: unread.length - 1 });
    expect((await uc.markNotificationsRead(as('marc'), { all: true }))._unsafeUnwrap()).toEqual({ unread: 0 });
    await deposit('Three');
    expect((await uc.unreadNotificationCount(as('marc')))._unsafeUnwrap()).toEqual({ unread: 1 });
    // Marking nothing changes nothing.
    expect((await uc.markNotificationsRead(as('marc'), {}))._unsafeUnwrap()).toEqual({ unread: 1 });
    expect((await uc.markNotificationsRead(as('leo'), { all: true })).isErr()).toBe(true);
  });

  it('a new version: the depositor only, refused before a byte is read; a truncated file writes nothing', async () => {
    const uc = app.useCases;
    const id = await deposit('Versioned');
    expect((await uc.updateContent.check(as('marc'), id)).isErr()).toBe(true);
    expect((await uc.updateContent.check(as('paul'), id)).isErr()).toBe(true);
    const limit = (await uc.updateContent.check(as('anne'), id))._unsafeUnwrap();
    expect(limit).toBeGreaterThan(0);
    const before = (await app.deps.events.readStream(app.deps.streams.document('school', id)))._unsafeUnwrap().length;
    expect((await uc.updateContent.store(as('anne'), id, limit, file('too much', true)))._unsafeUnwrapErr()).toEqual({ code: 'FILE_TOO_LARGE', maxDocumentBytes: limit });
    expect((await app.deps.events.readStream(app.deps.streams.document('school', id)))._unsafeUnwrap()).toHaveLength(before);
    const v2 = (await uc.updateContent.store(as('anne'), id, limit, file('second')))._unsafeUnwrap();
    expect(v2.version).toBe(2);
    expect((await app.deps.events.readStream(app.deps.streams.document('school', id)))._unsafeUnwrap().at(-1)!.type).toBe('DocumentUpdated');
  });

  it('the event stream is for services with events:read, and carries ids and types, never names or titles', async () => {
    const es = app.useCases.eventStream;
    // Its own history, whatever ran before: a deposit, and a read mark (housekeeping).
    await deposit('Streamed');
    (await app.useCases.markNotificationsRead(as('marc'), { all: true }))._unsafeUnwrap();
    expect((await es.allowed(as('svc')))._unsafeUnwrapErr()).toEqual({ code: 'FORBIDDEN', reason: 'requires the scope events:read' });
    expect((await es.allowed(service)).isOk()).toBe(true);
    const page = (await es.read(service, 0n, 10_000))._unsafeUnwrap();
    expect(page.events.length).toBeGreaterThan(0);
    const log = (await app.deps.events.readAll({ after: 0n, limit: 10_000, tenant: 'school' }))._unsafeUnwrap();
    // The last position read, public or not: a client resumes after it.
    expect(page.last).toBe(log.at(-1)!.position);
    // Housekeeping stays inside: the log has read marks and directory follow-ups, the stream does not.
    expect(log.map((e) => e.type)).toEqual(expect.arrayContaining(['NotificationsRead', 'DirectoryFollowed']));
    const types = page.events.map((e) => (e.event as { type: string }).type);
    expect(types).not.toContain('NotificationsRead');
    expect(types).not.toContain('DirectoryFollowed');
    expect(types).toContain('DocumentDeposited');
    const text = JSON.stringify(page.events);
    for (const secret of ['Anne Martin', 'Marc Petit', 'Streamed', 'v.txt']) expect(text).not.toContain(secret);
    expect((await es.head())._unsafeUnwrap()).toBeGreaterThanOrEqual(page.last);
    // Nothing after the end: the same position back.
    expect((await es.read(service, page.last, 10))._unsafeUnwrap()).toEqual({ events: [], last: page.last });
  });

  it('a live reader waits for this node to project an event of its tenant, not for a timer', async () => {
    const es = app.useCases.eventStream;
    const head = (await es.head())._unsafeUnwrap();
    // Already past: at once, however long the fallback.
    await es.moved(service, app.deps.readModels.tenantPosition('school') - 1n, 3_600_000);
    // At the head: it resolves when a deposit is projected (the hour-long fallback would time the
    // test out), and only then.
    let woke = false;
    const waiting = es.moved(service, head, 3_600_000).then(() => (woke = true));
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(false);
    // Another tenant's writes move the checkpoint past the reader but are not its news.
    (await app.useCases.syncDirectory(as('sync', 'elsewhere', ['directory:write']), schoolDirectory))._unsafeUnwrap();
    expect(app.deps.readModels.checkpoint()).toBeGreaterThan(head);
    await new Promise((r) => setImmediate(r));
    expect(woke).toBe(false);
    await deposit('Woken');
    await waiting;
    expect(app.deps.readModels.tenantPosition('school')).toBeGreaterThan(head);
    // A projection that does not reach the reader's position wakes nothing; the fallback ends the wait.
    const now = (await es.head())._unsafeUnwrap();
    let early = false;
    const ahead = es.moved(service, now + 1_000_000n, 1_500).then(() => (early = true));
    await deposit('Not far enough');
    expect(app.deps.readModels.checkpoint()).toBeGreaterThan(now);
    expect(early).toBe(false);
    await ahead;
    // An event exactly at the reader's position is not past it (issue 37).
    const next = (await es.head())._unsafeUnwrap() + 1n;
    let atIt = false;
    const exactly = es.moved(service, next, 1_500).then(() => (atIt = true));
    await deposit('Exactly there');
    expect(app.deps.readModels.tenantPosition('school')).toBe(next);
    await new Promise((r) => setImmediate(r));
    expect(atIt).toBe(false);
    await exactly;
  });
});
