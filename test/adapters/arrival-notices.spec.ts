import { afterEach, describe, expect, it } from 'vitest';
import type { SqliteReadModels } from '../../src/adapters/sqlite/sqlite-read-models.js';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

// The news of a document arriving in someone's locker is kept on the row that says they have it
// (issue 35: a deposit to N recipients, mail off and no webhooks, adds at most N + 3 rows).

const rows = (app: EmbeddedApp) => Object.fromEntries(Object.entries((app.deps.readModels as SqliteReadModels).dump()).map(([table, r]) => [table, r.length]));
const added = (before: Record<string, number>, after: Record<string, number>) =>
  Object.fromEntries(Object.entries(after).flatMap(([t, n]) => (n !== (before[t] ?? 0) ? [[t, n - (before[t] ?? 0)]] : [])));
const feed = async (app: EmbeddedApp, user: string, limit = 50) => (await app.useCases.myNotifications(as(user), { limit }, {}))._unsafeUnwrap();

let app: EmbeddedApp | undefined;
afterEach(async () => app?.stop());

describe('notices of arrival', () => {
  it('a deposit to N people adds N + 2 rows: the document, its version, a recipient row each, which also tells them', async () => {
    app = await embeddedApp();
    const categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, 'warm-up');
    const before = rows(app);
    await deposited(app, 'anne', { users: ['marc', 'sophie', 'paul', 'admin'], classes: [] }, categoryId, 'minutes');
    expect(added(before, rows(app))).toEqual({ documents: 1, versions: 1, recipients: 4 });
    for (const user of ['marc', 'sophie', 'paul', 'admin']) expect((await feed(app, user)).items.map((n) => [n.kind, n.title, n.actorId, n.read])).toContainEqual(['deposited', 'minutes', 'anne', false]);
  });

  it('arrivals and other notices are one feed, newest first, paged across both; reading up to one reads both kinds; removing the document hides its arrival', async () => {
    app = await embeddedApp();
    const categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    const first = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, 'first');
    (await app.useCases.changeDocument(as('anne'), first, { memo: 'x' }))._unsafeUnwrap();
    const second = await deposited(app, 'paul', { users: ['marc'], classes: [] }, categoryId, 'second');
    const third = await deposited(app, 'anne', { users: ['sophie'], classes: [] }, categoryId, 'third');
    (await app.useCases.addRecipients(as('anne'), third, { users: ['marc'], classes: [] }))._unsafeUnwrap();
    const all = await feed(app, 'marc');
    expect(all.items.map((n) => [n.kind, n.title])).toEqual([
      ['recipient-added', 'third'],
      ['deposited', 'second'],
      ['deposited', 'first'],
    ]);
    const ids = all.items.map((n) => Number(n.id));
    expect([...ids].sort((a, b) => b - a)).toEqual(ids);
    // Two at a time: the second page starts after the first, whichever table each came from.
    const page = await feed(app, 'marc', 2);
    expect(page.items.map((n) => n.title)).toEqual(['third', 'second']);
    const rest = (await app.useCases.myNotifications(as('marc'), { limit: 2, cursor: page.nextCursor! }, {}))._unsafeUnwrap();
    expect(rest.items.map((n) => n.title)).toEqual(['first']);
    expect(app.deps.readModels.unreadNotifications('school', 'marc').count).toBe(3);
    // Up to the middle one: it and the older are read, the newer is not.
    expect((await app.useCases.markNotificationsRead(as('marc'), { ids: [all.items[1]!.id] }))._unsafeUnwrap().unread).toBe(2);
    (await app.useCases.markNotificationsRead(as('marc'), { all: true }))._unsafeUnwrap();
    expect((await feed(app, 'marc')).items.every((n) => n.read)).toBe(true);
    expect(app.deps.readModels.unreadNotifications('school', 'marc')).toMatchObject({ count: 0 });
    // A document marc removes takes its arrival with it; brought back, it is there again, read as it was.
    (await app.useCases.removeFromLocker(as('marc'), second))._unsafeUnwrap();
    expect((await feed(app, 'marc')).items.map((n) => n.title)).toEqual(['third', 'first']);
    (await app.useCases.restoreToLocker(as('marc'), second))._unsafeUnwrap();
    expect((await feed(app, 'marc')).items.map((n) => [n.title, n.read])).toEqual([
      ['third', true],
      ['second', true],
      ['first', true],
    ]);
    // Deleted for all: gone from every feed.
    (await app.useCases.deleteForAll(as('anne'), third))._unsafeUnwrap();
    expect((await feed(app, 'marc')).items.map((n) => n.title)).toEqual(['second', 'first']);
    expect((await feed(app, 'sophie')).items).toEqual([]);
  });
});
