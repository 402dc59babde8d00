import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore, type SqliteEventStoreOptions } from '../../src/adapters/sqlite/sqlite-event-store.js';
import { describe, expect, it } from 'vitest';
import type { NewEvent } from '../../src/application/ports/event-store.js';
import { eventStoreContract } from './event-store.contract.js';
import { appendOneByOne } from '../../src/adapters/shared/append-one-by-one.js';
import { documentsOfYearFromLog } from '../../src/adapters/shared/documents-of-year.js';

eventStoreContract('SQLite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-es-'));
  const store = new SqliteEventStore(join(dir, 'events.sqlite'));
  return { store, cleanup: async () => (await store.close(), rmSync(dir, { recursive: true, force: true })) };
});

// What EventStoreDB's adapter does for appendMany (no transaction across streams), held to the same contract.
eventStoreContract('SQLite appending one stream after another, as EventStoreDB does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-es-'));
  const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
  const store = Object.assign(Object.create(SqliteEventStore.prototype) as SqliteEventStore, inner, { appendMany: appendOneByOne((s, e, x) => inner.append(s, e, x)) });
  return { store, cleanup: async () => (await inner.close(), rmSync(dir, { recursive: true, force: true })) };
});

// How EventStoreDB's adapter finds a year's documents (the log read for their starts), held to the same contract.
eventStoreContract('SQLite finding a year’s documents as EventStoreDB does', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-es-'));
  const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
  const store = Object.assign(Object.create(SqliteEventStore.prototype) as SqliteEventStore, inner, { readDocumentsOfYear: documentsOfYearFromLog(inner) });
  return { store, cleanup: async () => (await inner.close(), rmSync(dir, { recursive: true, force: true })) };
});

const made = (type: string, data: object = {}): NewEvent => ({ id: randomUUID(), type, data, meta: { actor: 'anne', at: '2026-12-01T10:00:00.000Z', tenant: 't', schemaVersion: 1 } });

describe.each([
  ['scanning on a thread of its own', {}],
  ['scanning on the caller’s thread', { scanThread: false as const }],
  ['scanning here because its thread cannot start', { scanThread: { driver: '/nowhere/no-such-driver.js' } }],
])('the SQLite event log, beyond the contract, %s', (_, storeOptions: SqliteEventStoreOptions) => {
  const withStore = async (use: (store: SqliteEventStore, file: string) => Promise<void>) => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-es-'));
    const store = new SqliteEventStore(join(dir, 'events.sqlite'), storeOptions);
    try {
      await use(store, join(dir, 'events.sqlite'));
    } finally {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('hands over every stream of a prefix whole and in order, pages apart, long streams and short ones alike', async () => {
    await withStore(async (store) => {
      // Stream lengths around the store's page of 200 rows: cut by a page, longer than one, tiny.
      const lengths = [1, 199, 200, 201, 450, 3, 1];
      const names = lengths.map((_, i) => `t:document:${String(i).padStart(2, '0')}-${randomUUID()}`);
      for (const [i, n] of lengths.entries()) {
        (await store.append(names[i]!, Array.from({ length: n }, (_, k) => made('Step', { k })), 'no-stream'))._unsafeUnwrap();
      }
      await store.append('t:locker:x', [made('Elsewhere')], 'no-stream');
      const seen: { stream: string; revisions: number[]; ks: number[] }[] = [];
      let batches = 0;
      for await (const batch of store.readStreamsByPrefix('t:document:')) {
        batches += 1;
        for (const events of batch) seen.push({ stream: events[0]!.stream, revisions: events.map((e) => e.revision), ks: events.map((e) => (e.data as { k: number }).k) });
      }
      expect(seen.map((s) => s.stream)).toEqual(names);
      seen.forEach((s, i) => {
        const all = Array.from({ length: lengths[i]! }, (_, k) => k);
        expect(s.revisions).toEqual(all);
        expect(s.ks).toEqual(all);
      });
      expect(batches).toBeGreaterThan(1);
    });
  });

  it('keeps only the streams whose first event passes a test, without parsing the rest of the others', async () => {
    await withStore(async (store, file) => {
      for (const [i, year] of ['2024-2025', '2025-2026', '2024-2025', '2025-2026'].entries()) {
        (await store.append(`t:document:${i}`, [made('DocumentDeposited', { year }), made('MemoChanged', { n: i })], 'no-stream'))._unsafeUnwrap();
      }
      // A later event of a skipped stream that would not even parse: it is never looked at.
      const db = new Database(file);
      db.prepare("UPDATE events SET data = '{not json' WHERE stream = 't:document:0' AND revision = 1").run();
      db.close();
      const kept: string[] = [];
      for await (const batch of store.readStreamsByPrefix('t:document:', { startingWith: { types: ['DocumentDeposited'], field: 'year', equals: '2025-2026' } })) {
        for (const events of batch) kept.push(`${events[0]!.stream}:${events.length}`);
      }
      expect(kept).toEqual(['t:document:1:2', 't:document:3:2']);
    });
  });

  it('gives the event loop a turn during a long scan, so a server running a rollover still answers', async () => {
    await withStore(async (store) => {
      for (let i = 0; i < 400; i++) (await store.append(`t:document:${String(i).padStart(3, '0')}`, Array.from({ length: 50 }, () => made('Step', { pad: 'x'.repeat(200) })), 'no-stream'))._unsafeUnwrap();
      let turns = 0;
      const timer = setInterval(() => (turns += 1), 1);
      let streams = 0;
      const started = performance.now();
      for await (const batch of store.readStreamsByPrefix('t:document:')) {
        for (const _ of batch) {
          streams += 1;
          // A fold slow enough that the scan lasts well past the 20 ms it holds the loop at most.
          const until = performance.now() + 0.5;
          while (performance.now() < until);
        }
      }
      clearInterval(timer);
      expect(streams).toBe(400);
      expect(performance.now() - started).toBeGreaterThan(150);
      expect(turns).toBeGreaterThanOrEqual(3);
    });
  });

  it('lets the caller append between two batches of a scan on the same connection', async () => {
    await withStore(async (store) => {
      for (let i = 0; i < 5; i++) (await store.append(`t:document:${i}`, Array.from({ length: 150 }, () => made('Step')), 'no-stream'))._unsafeUnwrap();
      let streams = 0;
      for await (const batch of store.readStreamsByPrefix('t:document:')) {
        for (const _ of batch) streams += 1;
        (await store.append(`t:other:${randomUUID()}`, [made('Meanwhile')], 'no-stream'))._unsafeUnwrap();
      }
      expect(streams).toBe(5);
    });
  });

  it('a log made with the older index on (tenant, position) gets the one with types in its place when opened', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-es-'));
    const file = join(dir, 'events.sqlite');
    try {
      (await new SqliteEventStore(file).close());
      const db = new Database(file);
      db.exec('DROP INDEX events_by_tenant_type; CREATE INDEX events_by_tenant ON events (tenant, position)');
      db.close();
      await new SqliteEventStore(file).close();
      const reopened = new Database(file, { readonly: true });
      const indexes = reopened.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'events' AND sql IS NOT NULL").all().map((r) => r.name);
      reopened.close();
      expect(indexes.sort()).toEqual(['events_by_tenant_type']);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
