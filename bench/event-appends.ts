import { ownCpuMs } from './load.js';
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

const PER_APPEND = 10;

/**
 * The product's append of 10 events at a time (expected-version check, hash chain, one
 * transaction, synchronous=FULL) next to raw better-sqlite3 inserting the same 10 rows in one
 * transaction each, same pragmas.
 */
export const benchEventAppends = async (count: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-es-'));
  try {
    const events = Array.from({ length: count }, (_, i) => event(i));

    const rawRun = (round: number) => {
      const raw = new Database(join(dir, `raw-${round}.sqlite`));
      raw.pragma('journal_mode = WAL');
      raw.pragma('synchronous = FULL');
      raw.exec(`CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL,
        revision INTEGER NOT NULL, tenant TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, meta TEXT NOT NULL,
        prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream, revision))`);
      const insert = raw.prepare('INSERT INTO events (event_id, stream, revision, tenant, type, data, meta, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
      const insertMany = raw.transaction((batch: NewEvent[], first: number) =>
        batch.forEach((e, k) => {
          const i = first + k;
          insert.run(e.id, `bench:document:${Math.floor(i / PER_APPEND) % 100}`, i, 'bench', e.type, JSON.stringify(e.data), JSON.stringify(e.meta), 'x'.repeat(64), 'y'.repeat(64));
        }),
      );
      const started = performance.now();
      const cpu = ownCpuMs();
      for (let i = 0; i < events.length; i += PER_APPEND) insertMany(events.slice(i, i + PER_APPEND), i);
      const seconds = (performance.now() - started) / 1000;
      rawCpu.push(ownCpuMs() - cpu);
      raw.close();
      return seconds;
    };
    const storeRun = async (round: number) => {
      const store = new SqliteEventStore(join(dir, `events-${round}.sqlite`));
      const revisions = new Map<number, number>();
      const started = performance.now();
      const cpu = ownCpuMs();
      for (let i = 0; i < events.length; i += PER_APPEND) {
        const stream = Math.floor(i / PER_APPEND) % 100;
        const revision = revisions.get(stream);
        const r = await store.append(`bench:document:${stream}`, events.slice(i, i + PER_APPEND), revision === undefined ? 'no-stream' : { revision });
        if (r.isErr()) throw new Error(JSON.stringify(r.error));
        revisions.set(stream, r.value.lastRevision);
      }
      const seconds = (performance.now() - started) / 1000;
      storeCpu.push(ownCpuMs() - cpu);
      await store.close();
      return seconds;
    };
    const rawCpu: number[] = [];
    const storeCpu: number[] = [];
    // Three rounds, alternating which goes first; the medians, since an fsync's time varies a lot here.
    const rawTimes: number[] = [];
    const storeTimes: number[] = [];
    for (let round = 0; round < 3; round++) {
      if (round % 2 === 0) {
        rawTimes.push(rawRun(round));
        storeTimes.push(await storeRun(round));
      } else {
        storeTimes.push(await storeRun(round));
        rawTimes.push(rawRun(round));
      }
    }
    const median = (xs: number[]) => [...xs].sort((x, y) => x - y)[1]!;
    const rawSeconds = median(rawTimes);
    const storeSeconds = median(storeTimes);

    const appendsPerSecond = count / PER_APPEND / storeSeconds;
    const rawInsertsPerSecond = count / PER_APPEND / rawSeconds;
    return {
      events: count,
      figure: `appends of ${PER_APPEND} events each, synchronous=FULL`,
      sqliteEventStoreAppendsPerSecond: Math.round(appendsPerSecond),
      rawBetterSqlite3TransactionsPerSecond: Math.round(rawInsertsPerSecond),
      ratio: Number((appendsPerSecond / rawInsertsPerSecond).toFixed(3)),
      cpuMsPerAppend: { store: Number((median(storeCpu) / (count / PER_APPEND)).toFixed(3)), rawTransaction: Number((median(rawCpu) / (count / PER_APPEND)).toFixed(3)) },
      cpuRatio: Number((median(rawCpu) / median(storeCpu)).toFixed(3)),
      goal: '>= 0.8',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
