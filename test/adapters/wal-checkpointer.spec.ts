import Database from 'better-sqlite3';
import { copyFileSync, mkdtempSync, readdirSync, readlinkSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SqliteEventStore } from '../../src/adapters/sqlite/sqlite-event-store.js';
import type { NewEvent } from '../../src/application/ports/event-store.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const event = (i: number): NewEvent => ({
  id: `e-${i}`,
  type: 'MemoChanged',
  // ~2 KB each: 3,000 events are ~1,500 pages, past SQLite's 1,000-page automatic checkpoint.
  data: { documentId: `d-${i}`, memo: 'x'.repeat(2000) },
  meta: { actor: 'anne', at: '2026-12-01T10:00:00.000Z', tenant: 'school', schemaVersion: 3 },
});

/** What the database file holds on its own, without its WAL: what checkpoints have copied into it. */
const rowsInFile = (dir: string): number => {
  const copy = join(dir, 'copy.sqlite');
  copyFileSync(join(dir, 'events.sqlite'), copy);
  const db = new Database(copy, { readonly: true });
  try {
    const table = db.prepare("SELECT 1 FROM sqlite_master WHERE name = 'events'").get();
    return table ? (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n : 0;
  } finally {
    db.close();
  }
};

const appendMany = async (store: SqliteEventStore, n: number) => {
  for (let i = 0; i < n; i += 100) {
    const batch = Array.from({ length: 100 }, (_, j) => event(i + j));
    (await store.append(`school:document:d-${i}`, batch, 'no-stream'))._unsafeUnwrap();
  }
};

describe('checkpoints in a worker thread', () => {
  it('copy the WAL into the file while the connection that writes never checkpoints itself', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-wal-'));
    dirs.push(dir);
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    store.checkpointInBackground({ intervalMs: 20 });
    await appendMany(store, 3000);
    // The worker catches up within a few of its ticks; the writer never waited for it.
    await vi.waitFor(() => expect(rowsInFile(dir)).toBe(3000), { timeout: 10_000, interval: 50 });
    expect((await store.readAll({ limit: 10_000 }))._unsafeUnwrap()).toHaveLength(3000);
    await store.close();
  });

  it('a worker that fails hands checkpoints back to the connection, as SQLite does by default', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-wal-'));
    dirs.push(dir);
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    store.checkpointInBackground({ driver: join(dir, 'no-such-driver.js') });
    const db = (store as unknown as { db: Database.Database }).db;
    // The worker's error arrives on the event loop; until then the connection leaves checkpoints to it.
    await vi.waitFor(() => expect(db.pragma('wal_autocheckpoint', { simple: true })).toBe(1000), { timeout: 10_000, interval: 20 });
    await appendMany(store, 3000);
    // Past 1,000 pages the writing connection checkpointed on its own: most rows are in the file.
    expect(rowsInFile(dir)).toBeGreaterThan(1000);
    await store.close();
  });

  it('without either, nothing reaches the file before the connection closes (what the tests above rule out)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-wal-'));
    dirs.push(dir);
    const store = new SqliteEventStore(join(dir, 'events.sqlite'));
    (store as unknown as { db: Database.Database }).db.pragma('wal_autocheckpoint = 0');
    await appendMany(store, 3000);
    expect(rowsInFile(dir)).toBe(0);
    await store.close();
  });
});

describe('the server and its checkpointing thread', () => {
  it('closes with its thread: once close resolves the thread has closed its connection, and the folder can go at once', async () => {
    // A thread still opening its connection while the folder was removed wrote its WAL files
    // there meanwhile (ENOTEMPTY in CI): close waits for it now, however early it comes.
    for (let i = 0; i < 10; i++) {
      const dir = mkdtempSync(join(tmpdir(), 'locker-ckpt-close-'));
      const store = new SqliteEventStore(join(dir, 'events.sqlite'));
      store.checkpointInBackground();
      // Let the thread open its connection on some rounds, and not on others.
      if (i % 2 === 1) await new Promise((resolve) => setTimeout(resolve, 50));
      await store.close();
      // No connection of this process (the thread's included) holds a file of the folder.
      const open = readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`).startsWith(dir);
        } catch {
          return false;
        }
      });
      expect(open).toEqual([]);
      rmSync(dir, { recursive: true });
    }
  });

  it('is off unless LOCKER_SQLITE_CHECKPOINT_THREAD=on (it costs resident memory), and then on for the read models', async () => {
    const { startHarness } = await import('../support/harness.js');
    const threaded = async (env: Record<string, string>) => {
      const h = await startHarness(env);
      try {
        return (h.running.app.deps.readModels as unknown as { checkpointsInBackground(): boolean }).checkpointsInBackground();
      } finally {
        await h.stop();
      }
    };
    expect(await threaded({})).toBe(false);
    expect(await threaded({ LOCKER_SQLITE_CHECKPOINT_THREAD: 'on' })).toBe(true);
  });
});
