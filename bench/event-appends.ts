import Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteEventStore } from '../src/adapters/sqlite/sqlite-event-store.js';
import type { NewEvent } from '../src/application/ports/event-store.js';

const event = (i: number): NewEvent => ({
  id: randomUUID(),
  type: 'RecipientAdded',
  data: { documentId: 'd', recipientIds: [`u${i}`], classes: [] },
  meta: { actor: 'anne', at: new Date(1_800_000_000_000 + i).toISOString(), tenant: 'bench', schemaVersion: 1 },
});

/**
 * The product's append (expected-version check, hash chain, one transaction, synchronous=FULL)
 * next to raw better-sqlite3 inserting the same rows, one transaction each, same pragmas.
 */
export const benchEventAppends = async (count: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-es-'));
  try {
    const events = Array.from({ length: count }, (_, i) => event(i));

    const raw = new Database(join(dir, 'raw.sqlite'));
    raw.pragma('journal_mode = WAL');
    raw.pragma('synchronous = FULL');
    raw.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL,
      revision INTEGER NOT NULL, tenant TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, meta TEXT NOT NULL,
      prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream, revision))`);
    const insert = raw.prepare('INSERT INTO events (event_id, stream, revision, tenant, type, data, meta, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
    const insertOne = raw.transaction((e: NewEvent, i: number) =>
      insert.run(e.id, `bench:document:${i % 100}`, Math.floor(i / 100), 'bench', e.type, JSON.stringify(e.data), JSON.stringify(e.meta), 'x'.repeat(64), 'y'.repeat(64)),
    );
    let started = performance.now();
    events.forEach((e, i) => insertOne(e, i));
    const rawSeconds = (performance.now() - started) / 1000;
    raw.close();

    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    const revisions = new Map<number, number>();
    started = performance.now();
    for (let i = 0; i < events.length; i++) {
      const stream = i % 100;
      const revision = revisions.get(stream);
      const r = await store.append(`bench:document:${stream}`, [events[i]!], revision === undefined ? 'no-stream' : { revision });
      if (r.isErr()) throw new Error(JSON.stringify(r.error));
      revisions.set(stream, r.value.lastRevision);
    }
    const storeSeconds = (performance.now() - started) / 1000;
    await store.close();

    const appendsPerSecond = count / storeSeconds;
    const rawInsertsPerSecond = count / rawSeconds;
    return {
      events: count,
      sqliteEventStoreAppendsPerSecond: Math.round(appendsPerSecond),
      rawBetterSqlite3InsertsPerSecond: Math.round(rawInsertsPerSecond),
      ratio: Number((appendsPerSecond / rawInsertsPerSecond).toFixed(3)),
      goal: '>= 0.5',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
