import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shreddingEventStore } from '../src/adapters/shared/shredding-event-store.js';
import { openSqliteKeyStore } from '../src/adapters/sqlite/sqlite-key-store.js';
import { SqliteEventStore } from '../src/adapters/sqlite/sqlite-event-store.js';
import type { EventStore, NewEvent } from '../src/application/ports/event-store.js';

const deposit = (i: number): NewEvent => ({
  id: randomUUID(),
  type: 'DocumentDeposited',
  data: {
    documentId: `d${i}`, year: '2026-2027', depositorId: 'anne', title: `Council minutes ${i}`, categoryId: 'c', memo: 'Please read before Monday', recipientIds: ['marc'], named: ['marc'], classes: [], groups: [],
    content: { version: 1, blobKey: 'k', sha256: 'a'.repeat(64), sizeBytes: 1, fileName: `minutes-${i}.pdf`, mediaType: 'application/pdf' }, source: 'upload',
  },
  meta: { actor: 'anne', at: new Date(1_800_000_000_000 + i).toISOString(), tenant: 'bench', schemaVersion: 3 },
});

/**
 * What crypto-shredding costs: deposits appended (one transaction each, NORMAL) and then read back
 * whole, through the sealing store (a new key per document, title, memo and file name sealed and
 * opened), next to the same store without it.
 */
export const benchSealing = async (count = 5000) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-seal-'));
  try {
    const run = async (store: EventStore) => {
      const events = Array.from({ length: count }, (_, i) => deposit(i));
      let t = performance.now();
      for (let i = 0; i < count; i++) (await store.append(`bench:document:d${i}`, [events[i]!], 'no-stream'))._unsafeUnwrap();
      const append = (performance.now() - t) / 1000;
      t = performance.now();
      let read = 0;
      for (let after = 0n; ; ) {
        const batch = (await store.readAll({ after, limit: 1000 }))._unsafeUnwrap();
        if (batch.length === 0) break;
        read += batch.length;
        after = batch[batch.length - 1]!.position;
      }
      return { appendsPerSecond: Math.round(count / append), readsPerSecond: Math.round(read / ((performance.now() - t) / 1000)) };
    };
    const plain = await run(new SqliteEventStore(join(dir, 'plain.sqlite'), { synchronous: 'NORMAL' }));
    const keys = openSqliteKeyStore(join(dir, 'keys.sqlite'));
    const sealed = await run(shreddingEventStore(new SqliteEventStore(join(dir, 'sealed.sqlite'), { synchronous: 'NORMAL' }), keys));
    keys.close();
    return {
      figure: `${count} deposits appended, then read back, with personal fields sealed`,
      sealed,
      plain,
      appendRatio: Number((sealed.appendsPerSecond / plain.appendsPerSecond).toFixed(3)),
      readRatio: Number((sealed.readsPerSecond / plain.readsPerSecond).toFixed(3)),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
