import { ownCpuMs } from './load.js';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { shreddingEventStore } from '../src/adapters/shared/shredding-event-store.js';
import { openSqliteKeyStore } from '../src/adapters/sqlite/sqlite-key-store.js';
import { SqliteEventStore } from '../src/adapters/sqlite/sqlite-event-store.js';
import { openSqliteReadModels } from '../src/adapters/sqlite/sqlite-read-models.js';
import type { EventStore, NewEvent } from '../src/application/ports/event-store.js';
import { Projector } from '../src/application/projector.js';

const meta = (i: number, actor = 'anne') => ({ actor, at: new Date(1_800_000_000_000 + i).toISOString(), tenant: 'bench', schemaVersion: 3 });
const content = (i: number, version: number) => ({ version, blobKey: 'k', sha256: 'a'.repeat(64), sizeBytes: 1, fileName: `minutes-${i}-v${version}.pdf`, mediaType: 'application/pdf' });
const deposit = (i: number): NewEvent => ({
  id: randomUUID(),
  type: 'DocumentDeposited',
  data: {
    documentId: `d${i}`, year: '2026-2027', depositorId: 'anne', title: `Council minutes ${i}`, categoryId: 'c', memo: 'Please read before Monday', recipientIds: ['marc'], named: ['marc'], classes: [], groups: [],
    content: content(i, 1), source: 'upload',
  },
  meta: meta(i),
});
/** A document's life after its deposit: shared, opened, its memo changed, a new version. */
const life = (i: number): NewEvent[] => [
  { id: randomUUID(), type: 'RecipientAdded', data: { documentId: `d${i}`, recipientIds: ['sophie'], named: ['sophie'], classes: [], groups: [] }, meta: meta(i) },
  { id: randomUUID(), type: 'DocumentConsulted', data: { documentId: `d${i}`, userId: 'marc', version: 1 }, meta: meta(i, 'marc') },
  { id: randomUUID(), type: 'MemoChanged', data: { documentId: `d${i}`, memo: `Read before council ${i}` }, meta: meta(i) },
  { id: randomUUID(), type: 'DocumentUpdated', data: { documentId: `d${i}`, content: content(i, 2) }, meta: meta(i) },
];

const ROUNDS = 5;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * The same appends at the store's default durability (synchronous=FULL: each commit waits for the
 * disk), which is how the product runs: the fsync every append pays is what sealing adds to.
 */
const durableAppends = async (dir: string, count: number) => {
  const rates = { plain: [] as number[], sealed: [] as number[] };
  for (let r = 0; r < ROUNDS; r++) {
    for (const sealed of r % 2 === 0 ? [false, true] : [true, false]) {
      const keys = sealed ? openSqliteKeyStore(join(dir, `full-${r}-keys.sqlite`)) : undefined;
      const inner = new SqliteEventStore(join(dir, `full-${r}-${sealed}.sqlite`));
      const store: EventStore = keys ? shreddingEventStore(inner, keys) : inner;
      const deposits = Array.from({ length: count }, (_, i) => deposit(i));
      const t = performance.now();
      for (let i = 0; i < count; i++) (await store.append(`bench:document:d${i}`, [deposits[i]!], 'no-stream'))._unsafeUnwrap();
      rates[sealed ? 'sealed' : 'plain'].push(count / ((performance.now() - t) / 1000));
      await store.close();
      keys?.close();
    }
  }
  const sealed = Math.round(median(rates.sealed));
  const plain = Math.round(median(rates.plain));
  return { durable: { figure: `${count} deposits appended at synchronous=FULL`, sealedAppendsPerSecond: sealed, plainAppendsPerSecond: plain, appendRatio: Number((sealed / plain).toFixed(3)) } };
};

/**
 * What crypto-shredding costs, against the same store without it, alternating five runs each and
 * keeping the median:
 * - appends: one deposit per append, each a new document, so each seals for a subject never seen
 *   (the worst case: a new key every time), at synchronous=NORMAL (no fsync per commit: the
 *   harshest baseline) and at the default FULL;
 * - replay: the read models rebuilt from the log (the projector's catch-up from nothing), the log
 *   being deposits followed by each document's life (sharing, opening, memo, new version);
 * - reads: every event read back and every sealed field opened, nothing else done with it (the
 *   floor: one AES-GCM opening per event against a bare SQLite read).
 */
export const benchSealing = async (count = 5000) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-seal-'));
  try {
    const run = async (label: string, sealed: boolean) => {
      const keys = sealed ? openSqliteKeyStore(join(dir, `${label}-keys.sqlite`)) : undefined;
      const inner = new SqliteEventStore(join(dir, `${label}.sqlite`), { synchronous: 'NORMAL' });
      const store: EventStore = keys ? shreddingEventStore(inner, keys) : inner;
      const deposits = Array.from({ length: count }, (_, i) => deposit(i));
      let t = performance.now();
      let cpu = ownCpuMs();
      for (let i = 0; i < count; i++) (await store.append(`bench:document:d${i}`, [deposits[i]!], 'no-stream'))._unsafeUnwrap();
      const appendsPerSecond = count / ((performance.now() - t) / 1000);
      const appendCpuMs = ownCpuMs() - cpu;
      for (let i = 0; i < count; i++) (await store.append(`bench:document:d${i}`, life(i), { revision: 0 }))._unsafeUnwrap();
      t = performance.now();
      let read = 0;
      for (let after = 0n; ; ) {
        const batch = (await store.readAll({ after, limit: 1000 }))._unsafeUnwrap();
        if (batch.length === 0) break;
        read += batch.length;
        after = batch[batch.length - 1]!.position;
      }
      const readsPerSecond = read / ((performance.now() - t) / 1000);
      const readModels = openSqliteReadModels(join(dir, `${label}-read-models.sqlite`), { mail: true });
      t = performance.now();
      cpu = ownCpuMs();
      (await new Projector(store, readModels).catchUp())._unsafeUnwrap();
      const replayPerSecond = read / ((performance.now() - t) / 1000);
      const replayCpuMs = ownCpuMs() - cpu;
      readModels.close();
      await store.close();
      keys?.close();
      return { appendsPerSecond, readsPerSecond, replayPerSecond, appendCpuMs, replayCpuPerEvent: replayCpuMs / read };
    };
    const runs = { plain: [] as Awaited<ReturnType<typeof run>>[], sealed: [] as Awaited<ReturnType<typeof run>>[] };
    // Alternating, and which goes first too: the disk and the heap are not the same for both otherwise.
    for (let r = 0; r < ROUNDS; r++) {
      for (const sealed of r % 2 === 0 ? [false, true] : [true, false]) runs[sealed ? 'sealed' : 'plain'].push(await run(`${sealed ? 'sealed' : 'plain'}-${r}`, sealed));
    }
    const figure = (which: 'plain' | 'sealed') => ({
      appendsPerSecond: Math.round(median(runs[which].map((x) => x.appendsPerSecond))),
      replayEventsPerSecond: Math.round(median(runs[which].map((x) => x.replayPerSecond))),
      readsPerSecond: Math.round(median(runs[which].map((x) => x.readsPerSecond))),
      cpuMsPerAppend: Number((median(runs[which].map((x) => x.appendCpuMs)) / count).toFixed(3)),
      cpuMsPerReplayedEvent: Number(median(runs[which].map((x) => x.replayCpuPerEvent)).toFixed(4)),
    });
    const sealed = figure('sealed');
    const plain = figure('plain');
    const { durable } = await durableAppends(dir, Math.max(200, Math.round(count / 5)));
    return {
      figure: `${count} deposits appended (a new subject each), then ${count * 5} events replayed into the read models and read back, with personal fields sealed; median of ${ROUNDS}`,
      sealed,
      plain,
      // The goal's figure is the store as it runs (synchronous=FULL, ADR 24); the same appends
      // without an fsync to hide behind stand beside it, so the CPU sealing costs stays in view.
      appendRatio: durable.appendRatio,
      appendRatioWithoutFsync: Number((sealed.appendsPerSecond / plain.appendsPerSecond).toFixed(3)),
      replayRatio: Number((sealed.replayEventsPerSecond / plain.replayEventsPerSecond).toFixed(3)),
      readRatio: Number((sealed.readsPerSecond / plain.readsPerSecond).toFixed(3)),
      durable,
      goal: 'appendRatio >= 0.8 (the store as deployed: synchronous=FULL), replayRatio >= 0.7',
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
