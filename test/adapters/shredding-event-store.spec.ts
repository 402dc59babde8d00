import { createCipheriv, randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { ERASED, shreddingEventStore } from '../../src/adapters/shared/shredding-event-store.js';
import { findSharedKeys } from '../../src/adapters/shared/shared-keys.js';
import { openSqliteKeyStore } from '../../src/adapters/sqlite/sqlite-key-store.js';
import { SqliteEventStore } from '../../src/adapters/sqlite/sqlite-event-store.js';
import type { EventStore, NewEvent } from '../../src/application/ports/event-store.js';
import { eventStoreContract } from '../contract/event-store.contract.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const folder = () => {
  const d = mkdtempSync(join(tmpdir(), 'locker-seal-'));
  dirs.push(d);
  return d;
};
const meta = { actor: 'anne', at: '2026-12-01T10:00:00.000Z', tenant: 't', schemaVersion: 3 };
const deposited = (documentId: string, title: string): NewEvent => ({
  id: randomUUID(),
  type: 'DocumentDeposited',
  data: { documentId, year: '2026-2027', title, memo: 'read me', recipientIds: ['marc'], content: { version: 1, fileName: `${title}.pdf`, sizeBytes: 1 } },
  meta,
});
/** A key as an earlier version of the key store left it in its file, under this id. */
const keyWrittenBefore = (dir: string, id: string): Buffer => {
  const key = randomBytes(32);
  const db = new Database(join(dir, 'keys.sqlite'));
  db.exec('CREATE TABLE IF NOT EXISTS keys (subject TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL)');
  db.prepare('INSERT INTO keys VALUES (?, ?, ?)').run(id, key, meta.at);
  db.close();
  return key;
};
/** `n` documents deposited in one appendMany (d1, d2, …), each landing: the events appended. */
const depositedTogether = async (store: EventStore, n: number): Promise<NewEvent[]> => {
  const events = Array.from({ length: n }, (_, i) => deposited(`d${i + 1}`, `Title d${i + 1}`));
  const results = (await store.appendMany(events.map((e, i) => ({ stream: `t:document:d${i + 1}`, events: [e], expected: 'no-stream' as const }))))._unsafeUnwrap();
  expect(results.every((r) => r.isOk())).toBe(true);
  return events;
};
const memo = (documentId: string, text: string): NewEvent => ({ id: randomUUID(), type: 'MemoChanged', data: { documentId, memo: text }, meta });

// The sealing store is an event store too: it must keep the contract of the one it wraps.
eventStoreContract('SQLite behind the sealing store', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-seal-contract-'));
  const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
  const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
  return { store: shreddingEventStore(inner, keys), cleanup: async () => (await inner.close(), keys.close(), rmSync(dir, { recursive: true, force: true })) };
});

describe('the sealing event store (ADR 23, 24)', () => {
  it('seals the events of every stream appendMany writes, with a key each subject waited for when none was ready', async () => {
    const dir = folder();
    const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
    let made = 0;
    // No key made ahead: every subject waits for a fresh one, once.
    const store = shreddingEventStore(inner, { ...keys, ready: () => undefined, fresh: (t: string) => ((made += 1), keys.fresh(t)) });
    const events = await depositedTogether(store, 3);
    expect(made).toBe(3);
    const raw = JSON.stringify((await inner.readAll({ limit: 10 }))._unsafeUnwrap().map((e) => e.data));
    for (const plain of ['Title d1', 'Title d2', 'Title d3', 'read me']) expect(raw).not.toContain(plain);
    expect((await store.readAll({ limit: 10 }))._unsafeUnwrap().map((e) => e.data)).toEqual(events.map((e) => e.data));
    keys.close();
  });

  it('seals a batch of more subjects than its cache holds: the keys gathered for a batch are its own (a rollover of 100,000 documents failed half-way on this)', async () => {
    const dir = folder();
    const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
    const store = shreddingEventStore(inner, keys, { cacheSubjects: 2 });
    const events = await depositedTogether(store, 5);
    expect((await store.readAll({ limit: 10 }))._unsafeUnwrap().map((e) => e.data)).toEqual(events.map((e) => e.data));
    keys.close();
  });

  it('opens a school year’s documents a batch at a time, and leaves them sealed when asked, like readAll', async () => {
    const dir = folder();
    const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
    let lookups = 0;
    const counted = { ...keys, findAll: (ids: readonly string[]) => ((lookups += 1), keys.findAll(ids)) };
    const store = shreddingEventStore(inner, counted);
    const ids = Array.from({ length: 30 }, (_, i) => `d${String(i).padStart(2, '0')}`);
    for (const id of ids) (await store.append(`t:document:${id}`, [deposited(id, `Title ${id}`), memo(id, `memo ${id}`)], 'no-stream'))._unsafeUnwrap();
    const titles: unknown[] = [];
    for await (const batch of store.readDocumentsOfYear('t', '2026-2027')) for (const events of batch) titles.push([(events[0]!.data as { title: string }).title, (events[1]!.data as { memo: string }).memo]);
    expect(titles).toEqual(ids.map((id) => [`Title ${id}`, `memo ${id}`]));
    // 60 events fit one page of the store: one key lookup for the 30 documents' keys.
    expect(lookups).toBe(1);

    const closed: Record<string, unknown>[] = [];
    // The log as stored: what a scan of ids and types reads (Deps.impersonalEvents).
    for await (const batch of store.raw.readDocumentsOfYear('t', '2026-2027')) for (const events of batch) closed.push(events[0]!.data as Record<string, unknown>);
    expect(closed).toHaveLength(30);
    expect(closed.every((d) => d['title'] === undefined && typeof d['$sealed'] === 'object')).toBe(true);
    const left = (await store.raw.readAll({ limit: 100, types: ['DocumentDeposited'] }))._unsafeUnwrap();
    expect(left.map((e) => (e.data as { documentId: string }).documentId)).toEqual(ids);
    expect(left.every((e) => !('title' in (e.data as object)))).toBe(true);
    expect(lookups).toBe(1);
  });

  it('stores one box per subject and event, with no plaintext, and opens it back as it was', async () => {
    const dir = folder();
    const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
    const store = shreddingEventStore(inner, keys);
    const sync: NewEvent = {
      id: randomUUID(),
      type: 'DirectorySynced',
      data: { users: [{ id: 'u1', displayName: 'Sophie Martin', email: 'sophie@school.fr', role: 'teacher' }, { id: 'u2', displayName: 'Marc Petit', email: 'marc@school.fr', role: 'staff' }] },
      meta,
    };
    (await store.append('t:document:d1', [deposited('d1', 'Council minutes')], 'no-stream'))._unsafeUnwrap();
    (await store.append('t:directory', [sync], 'no-stream'))._unsafeUnwrap();
    const raw = JSON.stringify((await inner.readAll({ limit: 10 }))._unsafeUnwrap().map((e) => e.data));
    for (const plain of ['Council minutes', 'read me', 'Sophie Martin', 'sophie@school.fr', 'marc@school.fr']) expect(raw).not.toContain(plain);
    const stored = (await inner.readStream('t:document:d1'))._unsafeUnwrap()[0]!.data as Record<string, unknown>;
    expect(stored).not.toHaveProperty('title');
    expect(stored['$sealed']).toMatchObject({ f: ['title', 'memo', 'content.fileName'] });
    expect(stored['content']).toEqual({ version: 1, sizeBytes: 1 });
    const back = (await store.readAll({ limit: 10 }))._unsafeUnwrap();
    expect(back[0]!.data).toEqual(deposited('d1', 'Council minutes').data);
    expect(back[1]!.data).toEqual(sync.data);
    keys.close();
  });

  it('shreds every key a subject was sealed with, across restarts, and no other subject', async () => {
    const dir = folder();
    const open = () => {
      const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
      return { keys, store: shreddingEventStore(new SqliteEventStore(join(dir, 'events.sqlite')), keys) };
    };
    const first = open();
    (await first.store.append('t:document:d1', [deposited('d1', 'Minutes')], 'no-stream'))._unsafeUnwrap();
    (await first.store.append('t:document:d2', [deposited('d2', 'Timetable')], 'no-stream'))._unsafeUnwrap();
    first.keys.close();
    // After a restart the subject gets a key of its own again: both must go.
    const second = open();
    (await second.store.append('t:document:d1', [memo('d1', 'second memo')], { revision: 0 }))._unsafeUnwrap();
    const sealedWith = (await second.store.raw.readStream('t:document:d1'))._unsafeUnwrap().map((e) => ((e.data as Record<string, unknown>)['$sealed'] as { k: string }).k);
    expect(new Set(sealedWith).size).toBe(2);
    expect(await second.store.shred('t', 'doc:d1', 't:document:d1')).toBe(2);
    const d1 = (await second.store.readStream('t:document:d1'))._unsafeUnwrap();
    expect(d1[0]!.data).toMatchObject({ title: ERASED, memo: ERASED, content: { fileName: ERASED } });
    expect(d1[1]!.data).toMatchObject({ memo: ERASED });
    expect((await second.store.readStream('t:document:d2'))._unsafeUnwrap()[0]!.data).toMatchObject({ title: 'Timetable' });
    second.keys.close();
    // And for good: a new process finds no key for them either.
    const third = open();
    expect((await third.store.readStream('t:document:d1'))._unsafeUnwrap()[1]!.data).toMatchObject({ memo: ERASED });
    third.keys.close();
  });

  it('opens fields sealed one by one before ADR 24 with their subject’s key, and reads them as erased once it is gone', async () => {
    const dir = folder();
    const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
    const subjectKey = keyWrittenBefore(dir, 'doc:old');
    const v1 = (value: unknown, field: string) => {
      const nonce = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', subjectKey, nonce).setAAD(Buffer.from(`doc:old|DocumentDeposited|${field}`));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), 'utf8'), cipher.final()]);
      return { $sealed: `v1:${Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64')}` };
    };
    const old: NewEvent = { ...deposited('old', 'x'), data: { documentId: 'old', title: v1('Old minutes', 'title'), memo: 'clear memo', content: { version: 1, fileName: v1('old.pdf', 'content.fileName') } } };
    (await inner.append('t:document:old', [old], 'no-stream'))._unsafeUnwrap();
    const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
    const store = shreddingEventStore(inner, keys);
    expect((await store.readStream('t:document:old'))._unsafeUnwrap()[0]!.data).toMatchObject({ title: 'Old minutes', memo: 'clear memo', content: { fileName: 'old.pdf' } });
    expect(await store.shred('t', 'doc:old', 't:document:old')).toBe(1);
    expect((await store.readStream('t:document:old'))._unsafeUnwrap()[0]!.data).toMatchObject({ title: ERASED, content: { fileName: ERASED } });
    keys.close();
  });

  it('opens boxes of values keyed by field, as written before the values went in the order of `f`', async () => {
    const dir = folder();
    const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
    const key = keyWrittenBefore(dir, 'k:before');
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(Buffer.from('doc:kept|DocumentDeposited|v2'));
    const body = Buffer.concat([cipher.update(JSON.stringify({ title: 'Kept minutes', 'content.fileName': 'kept.pdf' }), 'utf8'), cipher.final()]);
    const $sealed = { k: 'k:before', f: ['title', 'content.fileName'], b: Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64') };
    (await inner.append('t:document:kept', [{ ...deposited('kept', 'x'), data: { documentId: 'kept', memo: null, content: { version: 1 }, $sealed } }], 'no-stream'))._unsafeUnwrap();
    const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
    const store = shreddingEventStore(inner, keys);
    expect((await store.readStream('t:document:kept'))._unsafeUnwrap()[0]!.data).toEqual({ documentId: 'kept', memo: null, title: 'Kept minutes', content: { version: 1, fileName: 'kept.pdf' } });
    keys.close();
  });

  it('a box that was tampered with reads as erased, never as other text', async () => {
    const dir = folder();
    const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
    const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
    const store = shreddingEventStore(inner, keys);
    (await store.append('t:document:d1', [deposited('d1', 'Minutes')], 'no-stream'))._unsafeUnwrap();
    const stored = (await inner.readStream('t:document:d1'))._unsafeUnwrap()[0]!;
    const box = (stored.data as { $sealed: { k: string; f: string[]; b: string } }).$sealed;
    const flipped = Buffer.from(box.b, 'base64');
    flipped.writeUInt8(flipped.readUInt8(flipped.length - 1) ^ 1, flipped.length - 1);
    // The same box, moved to another document's event: bound to its subject, it does not open there.
    const moved: NewEvent = { id: randomUUID(), type: 'DocumentDeposited', data: { documentId: 'd2', $sealed: box }, meta };
    const forged: NewEvent = { id: randomUUID(), type: 'DocumentDeposited', data: { documentId: 'd3', $sealed: { ...box, b: flipped.toString('base64') } }, meta };
    (await store.append('t:document:d2', [moved], 'no-stream'))._unsafeUnwrap();
    (await store.append('t:document:d3', [forged], 'no-stream'))._unsafeUnwrap();
    expect((await store.readStream('t:document:d2'))._unsafeUnwrap()[0]!.data).toMatchObject({ title: ERASED, memo: ERASED });
    expect((await store.readStream('t:document:d3'))._unsafeUnwrap()[0]!.data).toMatchObject({ title: ERASED });
    keys.close();
  });

  describe('two schools in one process that share a person id (ADR 37)', () => {
    const synced = (tenant: string, displayName: string): NewEvent => ({
      id: randomUUID(),
      type: 'DirectorySynced',
      data: { users: [{ id: 'u-shared', displayName, email: `${tenant}@school.fr`, role: 'teacher' }] },
      meta: { ...meta, tenant },
    });
    const nameIn = async (store: EventStore, tenant: string) =>
      ((await store.readStream(`${tenant}:directory`))._unsafeUnwrap()[0]!.data as { users: { displayName: string }[] }).users[0]!.displayName;

    it('seals each school\'s person under a key of its own, and erasing one leaves the other readable', async () => {
      const dir = folder();
      const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
      const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
      const store = shreddingEventStore(inner, keys);
      // Within the sealing cache's minute: before ADR 37 both were sealed under the same key.
      (await store.append('a:directory', [synced('a', 'Anne of A')], 'no-stream'))._unsafeUnwrap();
      (await store.append('b:directory', [synced('b', 'Anne of B')], 'no-stream'))._unsafeUnwrap();
      const keyOf = async (tenant: string) => ((await inner.readStream(`${tenant}:directory`))._unsafeUnwrap()[0]!.data as { users: { $sealed: { k: string } }[] }).users[0]!.$sealed.k;
      expect(await keyOf('a')).not.toBe(await keyOf('b'));
      expect(await keyOf('a')).toMatch(/^k:a:/);
      expect(await store.shred('b', 'person:u-shared', 'b:directory')).toBe(1);
      expect(await nameIn(store, 'b')).toBe(ERASED);
      expect(await nameIn(store, 'a')).toBe('Anne of A');
      keys.close();
    });

    it('a box under another school\'s key never opens, and shredding never deletes another school\'s key', async () => {
      const dir = folder();
      const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
      const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
      const store = shreddingEventStore(inner, keys);
      (await store.append('a:directory', [synced('a', 'Anne of A')], 'no-stream'))._unsafeUnwrap();
      // School b's stream holding a copy of a's sealed event, as a forged or misrouted write would.
      const stored = (await inner.readStream('a:directory'))._unsafeUnwrap()[0]!;
      (await inner.append('b:directory', [{ id: randomUUID(), type: stored.type, data: stored.data, meta: { ...meta, tenant: 'b' } }], 'no-stream'))._unsafeUnwrap();
      expect(await nameIn(store, 'b')).toBe(ERASED);
      expect(await store.shred('b', 'person:u-shared', 'b:directory')).toBe(0);
      expect(await nameIn(store, 'a')).toBe('Anne of A');
      keys.close();
    });

    it('`keys check` finds a key two schools\' events name, as sealing before ADR 37 left them, and no key of one school', async () => {
      const dir = folder();
      const inner = new SqliteEventStore(join(dir, 'events.sqlite'));
      const key = keyWrittenBefore(dir, 'k:before');
      const boxFor = (tenant: string) => {
        const nonce = randomBytes(12);
        const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(Buffer.from('person:u-shared|DirectorySynced|v2'));
        const body = Buffer.concat([cipher.update(JSON.stringify([`Anne of ${tenant}`]), 'utf8'), cipher.final()]);
        return { k: 'k:before', f: ['displayName'], b: Buffer.concat([nonce, cipher.getAuthTag(), body]).toString('base64') };
      };
      for (const tenant of ['a', 'b'])
        (await inner.append(`${tenant}:directory`, [{ id: randomUUID(), type: 'DirectorySynced', data: { users: [{ id: 'u-shared', role: 'teacher', $sealed: boxFor(tenant) }] }, meta: { ...meta, tenant } }], 'no-stream'))._unsafeUnwrap();
      const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
      const store = shreddingEventStore(inner, keys);
      // Sealed since: one key each, never reported.
      (await store.append('c:directory', [synced('c', 'Anne of C')], 'no-stream'))._unsafeUnwrap();
      (await store.append('d:directory', [synced('d', 'Anne of D')], 'no-stream'))._unsafeUnwrap();
      expect(await nameIn(store, 'a')).toBe('Anne of a');
      const report = (await findSharedKeys(store.raw))._unsafeUnwrap();
      expect(report).toEqual({ examined: 4, shared: [{ keyId: 'k:before', tenants: ['a', 'b'], subjects: ['person:u-shared'], events: 2 }] });
      keys.close();
    });
  });
});
