import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope } from '../../src/application/event-envelope.js';
import { documentHistory, lockerAsOf } from '../../src/application/use-cases/audit.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';
import { TOKENS } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';
import { as, deposited, embeddedApp, textFile, type EmbeddedApp } from '../support/embedded-app.js';

const AUDITOR = as('auditor');
const T = { setup: '2026-09-01T08:00:00.000Z', first: '2026-09-10T08:00:00.000Z', second: '2026-09-20T08:00:00.000Z', third: '2026-10-01T08:00:00.000Z' };

/** The auditors' queries over the log itself, with a clock the test moves. */
describe('audit queries at the application layer', () => {
  const clock = { at: T.setup, now: () => clock.at };
  let app: EmbeddedApp;
  let a: string;
  let b: string;
  beforeAll(async () => {
    app = await embeddedApp({ overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }) });
    const uc = app.useCases;
    const categoryId = (await uc.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
    const deposit = (by: string, users: string[]) => deposited(app, by, { users, classes: [] }, categoryId);
    clock.at = T.first;
    a = await deposit('anne', ['marc']);
    (await uc.downloadDocument(as('marc'), a, {}))._unsafeUnwrap().stream.destroy();
    clock.at = T.second;
    b = await deposit('paul', ['sophie']);
    clock.at = T.third;
    (await uc.addRecipients(as('anne'), a, { users: ['sophie'], classes: [] }))._unsafeUnwrap();
  });
  afterAll(() => app.stop());
  const page = async (filter: Parameters<typeof app.useCases.auditEvents>[3], limit = 1000) => (await app.useCases.auditEvents(AUDITOR, undefined, limit, filter))._unsafeUnwrap();
  const all = async (limit: number) => {
    const seen: RecordedEvent[] = [];
    for (let after: bigint | undefined, n = 0; n < 100; n++) {
      const p = (await app.useCases.auditEvents(AUDITOR, after, limit, {}))._unsafeUnwrap();
      seen.push(...p.events);
      if (p.next === null) return seen;
      after = BigInt(p.next);
    }
    throw new Error('no end');
  };

  it('filters by document, actor, type, time and school year, each on its own', async () => {
    const ofA = (await page({ documentId: a })).events;
    expect(ofA.map((e) => e.type)).toEqual(['DocumentDeposited', 'DocumentConsulted', 'RecipientAdded']);
    expect(ofA.every((e) => e.stream === `school:document:${a}`)).toBe(true);
    const byPaul = (await page({ actor: 'paul' })).events;
    expect(byPaul.length).toBeGreaterThan(0);
    expect(byPaul.every((e) => e.meta.actor === 'paul')).toBe(true);
    expect(byPaul.some((e) => e.type === 'DocumentDeposited' && e.stream === `school:document:${b}`)).toBe(true);
    expect((await page({ type: 'RecipientAdded' })).events.map((e) => e.stream)).toEqual([`school:document:${a}`]);
    const second = (await page({ from: T.second, to: T.second })).events;
    expect(second.length).toBeGreaterThan(0);
    expect(second.every((e) => e.meta.at === T.second)).toBe(true);
    expect((await page({ from: T.third })).events.every((e) => e.meta.at >= T.third)).toBe(true);
    expect((await page({ to: T.setup })).events.every((e) => e.meta.at <= T.setup)).toBe(true);
    expect((await page({ year: '2025-2026' })).events).toEqual([]);
    expect((await page({ year: '2026-2027' })).events.length).toBe((await page({})).events.length);
    expect((await page({ documentId: a, type: 'DocumentConsulted', actor: 'marc' })).events).toHaveLength(1);
  });

  it('pages with a cursor: small pages together are the whole history, in order', async () => {
    const whole = (await page({})).events;
    const first = await page({}, 2);
    expect(first.events).toEqual(whole.slice(0, 2));
    expect(first.next).toBe(String(whole[1]!.position));
    expect((await all(3)).map((e) => e.id)).toEqual(whole.map((e) => e.id));
    expect((await page({}, whole.length + 1)).next).toBeNull();
  });

  it('a school year runs from 1 August, that instant included, to the next 1 August, excluded', async () => {
    // A tenant of its own: the other tests count this school's whole history.
    const before = clock.at;
    const tenant = 'bounds';
    try {
      (await app.useCases.syncDirectory(as('s', tenant, ['directory:write']), schoolDirectory))._unsafeUnwrap();
      const categoryId = (await app.useCases.createCategory(as('admin', tenant), 'Minutes'))._unsafeUnwrap().id;
      const deposit = async (at: string) => {
        clock.at = at;
        const checked = (await app.useCases.depositDocument.check(as('anne', tenant), { recipients: { users: ['marc'], classes: [] }, categoryId }, undefined))._unsafeUnwrap();
        return (await app.useCases.depositDocument.store(checked, textFile(at)))._unsafeUnwrap().document.id;
      };
      const atStart = await deposit('2027-08-01T00:00:00.000Z');
      const atEnd = await deposit('2027-07-31T23:59:59.999Z');
      const docs = async (year: string) =>
        new Set((await app.useCases.auditEvents(as('auditor', tenant), undefined, 1000, { year }))._unsafeUnwrap().events.map((e) => (e.data as { documentId?: string }).documentId));
      const next = await docs('2027-2028');
      const current = await docs('2026-2027');
      expect(next.has(atStart)).toBe(true);
      expect(next.has(atEnd)).toBe(false);
      expect(current.has(atEnd)).toBe(true);
      expect(current.has(atStart)).toBe(false);
    } finally {
      clock.at = before;
    }
  });

  it('a filter that matches nothing stops after scanning 20,000 events and says where to go on', async () => {
    const tenant = 'scanned';
    (await app.useCases.syncDirectory(as('s', tenant, ['directory:write']), schoolDirectory))._unsafeUnwrap();
    const toEnvelope = envelope(tenant, app.deps.ids);
    const filler = Array.from({ length: 20_005 }, () => toEnvelope({ type: 'BenchFiller', data: {}, actor: 'anne', at: clock.at } as never));
    (await app.deps.events.append(`${tenant}:filler`, filler, 'no-stream'))._unsafeUnwrap();
    const auditor = as('auditor', tenant);
    const first = (await app.useCases.auditEvents(auditor, undefined, 10, { type: 'NothingLikeThis' }))._unsafeUnwrap();
    expect(first.events).toEqual([]);
    expect(first.next).not.toBeNull();
    const scanned = (await app.deps.events.readAll({ tenant, limit: 20_000 }))._unsafeUnwrap();
    expect(first.next).toBe(String(scanned.at(-1)!.position));
    const rest = (await app.useCases.auditEvents(auditor, BigInt(first.next!), 10, { type: 'NothingLikeThis' }))._unsafeUnwrap();
    expect(rest).toEqual({ events: [], next: null });
  });

  it('a locker and a document as they were at a moment, from the log', async () => {
    const before = (await app.useCases.lockerAsOf(AUDITOR, 'sophie', T.second))._unsafeUnwrap();
    expect(before.documents.map((d) => d.documentId)).toEqual([b]);
    const after = (await app.useCases.lockerAsOf(AUDITOR, 'sophie', T.third))._unsafeUnwrap();
    expect(after.documents.map((d) => d.documentId).sort()).toEqual([a, b].sort());
    // Each listed document shows the asked user only.
    expect(after.documents.every((d) => d.recipients.length === 1 && d.recipients[0]!.userId === 'sophie')).toBe(true);
    expect((await app.useCases.lockerAsOf(AUDITOR, 'marc', T.setup))._unsafeUnwrap().documents).toEqual([]);

    const then = (await app.useCases.documentHistory(AUDITOR, a, T.second))._unsafeUnwrap();
    expect(then.events).toHaveLength(3);
    expect(then.state).toMatchObject({ documentId: a, status: 'live', depositorId: 'anne', version: 1 });
    expect(then.state.recipients).toEqual([{ userId: 'marc', openedVersions: [1], acknowledgedVersion: null }]);
    const now = (await app.useCases.documentHistory(AUDITOR, a, undefined))._unsafeUnwrap();
    expect(now.asOf).toBe(T.third);
    expect(now.state.recipients.map((r) => [r.userId, r.openedVersions])).toEqual([
      ['marc', [1]],
      ['sophie', []],
    ]);
    expect((await app.useCases.documentHistory(AUDITOR, 'no-such-document', undefined))._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'document' });
    // Before its deposit the document did not exist yet.
    expect((await app.useCases.documentHistory(AUDITOR, b, T.first))._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'document' });
  });

  it('as of a moment: a recipient who removed a document from their locker does not have it, a deleted document is in nobody’s locker, later events do not count', async () => {
    const later = { fourth: '2026-10-10T08:00:00.000Z', fifth: '2026-10-20T08:00:00.000Z', sixth: '2026-10-30T08:00:00.000Z' };
    const categoryId = app.deps.readModels.categories('school')[0]!.id;
    clock.at = later.fourth;
    // Named in this order; an auditor reads them sorted.
    const c = await deposited(app, 'anne', { users: ['sophie', 'paul', 'marc'], classes: [] }, categoryId);
    const d = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId);
    clock.at = later.fifth;
    (await app.useCases.removeFromLocker(as('marc'), c))._unsafeUnwrap();
    clock.at = later.sixth;
    (await app.useCases.deleteForAll(as('anne'), d))._unsafeUnwrap();
    const ids = async (user: string, at: string) => (await app.useCases.lockerAsOf(AUDITOR, user, at))._unsafeUnwrap().documents.map((x) => x.documentId);
    expect(await ids('marc', later.fourth)).toEqual(expect.arrayContaining([c, d]));
    expect(await ids('marc', later.fifth)).not.toContain(c);
    expect(await ids('marc', later.fifth)).toContain(d);
    expect(await ids('marc', later.sixth)).not.toContain(d);
    expect(await ids('paul', later.sixth)).toContain(c);
    expect((await app.useCases.documentHistory(AUDITOR, c, later.fourth))._unsafeUnwrap().state.recipients.map((r) => r.userId)).toEqual(['marc', 'paul', 'sophie']);
    expect((await app.useCases.documentHistory(AUDITOR, c, later.fifth))._unsafeUnwrap().state.recipients.map((r) => r.userId)).toEqual(['paul', 'sophie']);
    expect((await app.useCases.documentHistory(AUDITOR, d, later.fifth))._unsafeUnwrap().state.status).toBe('live');
    expect((await app.useCases.documentHistory(AUDITOR, d, later.sixth))._unsafeUnwrap().state.status).toBe('deleted');
    // Sophie never had d, and the moment before c's deposit she had not got c.
    expect(await ids('sophie', later.sixth)).not.toContain(d);
    expect(await ids('sophie', T.third)).not.toContain(c);
  });

  it('reads its own school’s log only, whatever it replays (issue 37)', async () => {
    const asked: unknown[] = [];
    const events = { ...app.deps.events, readAll: (options: Parameters<typeof app.deps.events.readAll>[0]) => (asked.push(options.tenant), app.deps.events.readAll(options)) };
    const deps = { ...app.deps, events };
    (await lockerAsOf(deps)(AUDITOR, 'sophie', T.third))._unsafeUnwrap();
    (await documentHistory(deps)(AUDITOR, a, undefined))._unsafeUnwrap();
    expect(asked.length).toBeGreaterThan(0);
    expect(new Set(asked)).toEqual(new Set(['school']));
  });

  it('only auditors ask', async () => {
    expect((await app.useCases.auditEvents(as('anne'), undefined, 10, {}))._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await app.useCases.lockerAsOf(as('anne'), 'marc', T.third))._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
    expect((await app.useCases.documentHistory(as('marc'), a, undefined))._unsafeUnwrapErr()).toMatchObject({ code: 'FORBIDDEN' });
  });
});
