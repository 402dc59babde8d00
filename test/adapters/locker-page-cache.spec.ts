import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fc, test } from '@fast-check/vitest';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteReadModels } from '../../src/adapters/sqlite/sqlite-read-models.js';
import type { RecordedEvent } from '../../src/application/ports/event-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const nextTurn = () => new Promise((resolve) => setImmediate(resolve));

let position = 0n;
const recorded = (tenant: string, type: string, data: Record<string, unknown>): RecordedEvent => {
  position += 1n;
  return { id: `e${position}`, stream: typeof data['documentId'] === 'string' ? `${tenant}:document:${data['documentId']}` : `${tenant}:settings`, revision: 0, position, prevHash: '', hash: '', type, data, meta: { actor: 'anne', at: '2026-12-01T10:00:00.000Z', tenant, schemaVersion: 3 } };
};
const deposited = (tenant: string, documentId: string, title: string, to: string[] = ['marc']) =>
  recorded(tenant, 'DocumentDeposited', {
    documentId, year: '2026-2027', depositorId: 'anne', title, categoryId: 'c', memo: null, recipientIds: to, named: to, classes: [], groups: [],
    content: { version: 1, blobKey: 'k', sha256: 'a'.repeat(64), sizeBytes: 1, fileName: 'f.pdf', mediaType: 'application/pdf' }, source: 'upload',
  });

describe('locker pages are answered from memory only while nothing of their tenant has moved', () => {
  it('a change projected by another process on the same file (the CLI beside the server) is seen from the next turn of the event loop', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-pages-'));
    dirs.push(dir);
    const server = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    const cli = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    const page = () => server.locker('school', 'marc', {}, { limit: 20 }).items.map((i) => i.title);
    server.apply([deposited('school', 'd1', 'Minutes')]);
    expect(page()).toEqual(['Minutes']);
    expect(page()).toEqual(['Minutes']);
    cli.apply([deposited('school', 'd2', 'Timetable'), recorded('school', 'MemoChanged', { documentId: 'd1', memo: 'read me' })]);
    // Within the turn the server read the tenant's version in, it answers as it would have a
    // moment earlier: the version is one statement a turn, not one a lookup.
    expect(page()).toEqual(['Minutes']);
    await nextTurn();
    expect(page()).toEqual(['Timetable', 'Minutes']);
    cli.apply([recorded('school', 'DocumentRemovedFromLocker', { documentId: 'd2', userId: 'marc' })]);
    await nextTurn();
    expect(page()).toEqual(['Minutes']);
    server.close();
    cli.close();
  });

  it('a change projected on the same connection is seen at once, in the same turn (read-your-writes)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-pages-'));
    dirs.push(dir);
    const rm = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    rm.apply([deposited('school', 'd1', 'Minutes')]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 }).items.map((i) => i.title)).toEqual(['Minutes']);
    expect(rm.settings('school').currentYear).toBeNull();
    rm.apply([deposited('school', 'd2', 'Timetable'), recorded('school', 'CurrentYearSet', { year: '2027-2028' })]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 }).items.map((i) => i.title)).toEqual(['Timetable', 'Minutes']);
    expect(rm.settings('school').currentYear).toBe('2027-2028');
    rm.close();
  });

  it('another tenant’s events leave a tenant’s pages as they are, and its own change them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-pages-'));
    dirs.push(dir);
    const rm = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    rm.apply([deposited('school', 'd1', 'Minutes'), deposited('other', 'd9', 'Elsewhere')]);
    const first = rm.locker('school', 'marc', {}, { limit: 20 });
    rm.apply([deposited('other', 'd10', 'Still elsewhere')]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 })).toBe(first);
    rm.apply([recorded('school', 'DocumentDeletedForAll', { documentId: 'd1' })]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 }).items).toEqual([]);
    expect(rm.locker('other', 'marc', {}, { limit: 20 }).items.map((i) => i.title)).toEqual(['Still elsewhere', 'Elsewhere']);
    rm.close();
  });

  it('a write to a document leaves the pages of those who do not hold it as they are (ADR 52)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-pages-'));
    dirs.push(dir);
    const rm = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    rm.apply([deposited('school', 'd1', 'Minutes', ['marc']), deposited('school', 'd2', 'Timetable', ['paul']), deposited('other', 'd3', 'Elsewhere', ['paul'])]);
    const marcs = rm.locker('school', 'marc', {}, { limit: 20 });
    const pauls = rm.locker('school', 'paul', {}, { limit: 20 });
    const otherPauls = rm.locker('other', 'paul', {}, { limit: 20 });
    rm.apply([recorded('school', 'MemoChanged', { documentId: 'd2', memo: 'read me' })]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 })).toBe(marcs);
    expect(rm.locker('other', 'paul', {}, { limit: 20 })).toBe(otherPauls);
    expect(rm.locker('school', 'paul', {}, { limit: 20 }).items.map((i) => i.memo)).toEqual(['read me']);
    expect(pauls.items.map((i) => i.memo)).toEqual([null]);
    // Paul joins d1: his page changes, and so does Marc's (the document changed for him too).
    rm.apply([recorded('school', 'RecipientAdded', { documentId: 'd1', recipientIds: ['paul'], named: ['paul'], classes: [], groups: [] })]);
    expect(rm.locker('school', 'paul', {}, { limit: 20 }).items.map((i) => i.title)).toEqual(['Minutes', 'Timetable']);
    // Marc leaves it: the one who held it before is read again too.
    const before = rm.locker('school', 'marc', {}, { limit: 20 });
    rm.apply([recorded('school', 'RecipientLeft', { documentId: 'd1', userId: 'marc' })]);
    expect(rm.locker('school', 'marc', {}, { limit: 20 })).not.toBe(before);
    expect(rm.locker('school', 'marc', {}, { limit: 20 }).items).toEqual([]);
    // What every page reads (the school's settings) moves every page of the school, and only of it.
    const paulsNow = rm.locker('school', 'paul', {}, { limit: 20 });
    rm.apply([recorded('school', 'CurrentYearSet', { year: '2027-2028' })]);
    expect(rm.locker('school', 'paul', {}, { limit: 20 })).not.toBe(paulsNow);
    expect(rm.locker('other', 'paul', {}, { limit: 20 })).toBe(otherPauls);
    rm.close();
  });

  it('writes projected by another process in between are never hidden by this connection’s own next batch', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-pages-'));
    dirs.push(dir);
    const server = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    const cli = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
    const d1 = deposited('school', 'd1', 'Minutes', ['marc']);
    server.apply([d1]);
    expect(server.locker('school', 'marc', {}, { limit: 20 }).items.map((i) => i.memo)).toEqual([null]);
    // The CLI projects a change to Marc's document, then the server projects the log up to a later
    // event about someone else, in the same turn: the server never read the CLI's version.
    const memo = recorded('school', 'MemoChanged', { documentId: 'd1', memo: 'by the CLI' });
    cli.apply([d1, memo]);
    server.apply([d1, memo, deposited('school', 'd2', 'Timetable', ['paul'])]);
    expect(server.locker('school', 'marc', {}, { limit: 20 }).items.map((i) => i.memo)).toEqual(['by the CLI']);
    server.close();
    cli.close();
  });

  // The model: a connection that never projects and reads after a turn has passed sees every
  // change as someone else's and keeps nothing across one (the rule before ADR 52): its pages are
  // the truth. The server projects some batches, the CLI the others, on two schools sharing ids.
  const USERS = ['marc', 'paul', 'anne'];
  const op = fc.oneof(
    fc.record({ kind: fc.constant('deposit' as const), tenant: fc.constantFrom('school', 'other'), to: fc.subarray(USERS, { minLength: 1 }) }),
    fc.record({ kind: fc.constant('memo' as const), pick: fc.nat(), memo: fc.string({ maxLength: 5 }) }),
    fc.record({ kind: fc.constant('remove' as const), pick: fc.nat(), user: fc.constantFrom(...USERS) }),
    fc.record({ kind: fc.constant('join' as const), pick: fc.nat(), user: fc.constantFrom(...USERS) }),
    fc.record({ kind: fc.constant('leave' as const), pick: fc.nat(), user: fc.constantFrom(...USERS) }),
    fc.record({ kind: fc.constant('year' as const), tenant: fc.constantFrom('school', 'other') }),
  );
  test.prop([fc.array(fc.record({ op, by: fc.constantFrom('server', 'cli'), look: fc.boolean() }), { minLength: 1, maxLength: 12 })], { numRuns: 40 })(
    'whoever projects, a page is never answered stale once a turn has passed, nor at once after this connection projects',
    async (steps) => {
      const dir = mkdtempSync(join(tmpdir(), 'locker-pages-'));
      dirs.push(dir);
      const server = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
      const cli = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
      const truth = openSqliteReadModels(join(dir, 'read-models.sqlite'), { mail: true });
      const log: RecordedEvent[] = [];
      const docs: { tenant: string; id: string }[] = [];
      const page = (rm: typeof server, tenant: string, user: string) => JSON.stringify(rm.locker(tenant, user, {}, { limit: 50 }));
      const all = (rm: typeof server) => ['school', 'other'].flatMap((t) => USERS.map((u) => page(rm, t, u)));
      try {
        for (const [i, { op, by, look }] of steps.entries()) {
          const doc = docs.length === 0 ? undefined : docs[('pick' in op ? op.pick : 0) % docs.length]!;
          const event =
            op.kind === 'deposit'
              ? (docs.push({ tenant: op.tenant, id: `d${i}` }), deposited(op.tenant, `d${i}`, `Doc ${i}`, op.to))
              : op.kind === 'year'
                ? recorded(op.tenant, 'CurrentYearSet', { year: `20${30 + i}-20${31 + i}` })
                : !doc
                  ? undefined
                  : op.kind === 'memo'
                    ? recorded(doc.tenant, 'MemoChanged', { documentId: doc.id, memo: op.memo })
                    : op.kind === 'remove'
                      ? recorded(doc.tenant, 'DocumentRemovedFromLocker', { documentId: doc.id, userId: op.user })
                      : op.kind === 'join'
                        ? recorded(doc.tenant, 'RecipientJoined', { documentId: doc.id, userId: op.user, via: 'class' })
                        : recorded(doc.tenant, 'RecipientLeft', { documentId: doc.id, userId: op.user });
          if (!event) continue;
          log.push(event);
          // Each applies the log from the start: what the other already applied is skipped, as in production.
          (by === 'server' ? server : cli).apply(log);
          if (by === 'server') {
            const now = all(server);
            await nextTurn();
            expect(now).toEqual(all(truth));
          } else if (look) {
            // Read within the turn, possibly stale: fills the server's cache with the old answers.
            all(server);
            await nextTurn();
          } else continue; // the server may project next without having read the CLI's version
          expect(all(server)).toEqual(all(truth));
        }
      } finally {
        server.close();
        cli.close();
        truth.close();
      }
    },
  );
});
