import { errAsync, okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import type { SnapshotInfo, SnapshotStore } from '../../src/application/ports/snapshot-store.js';
import { restoreSnapshot } from '../../src/application/use-cases/snapshots.js';
import { as, embeddedApp } from '../support/embedded-app.js';
import { TOKENS } from '../../src/composition/compose.js';

const copy = (checkpoint: bigint): SnapshotInfo => ({ checkpoint, takenAt: '2026-12-07T10:00:00.000Z', sizeBytes: 4, sha256: 'a'.repeat(64) });
async function* bytes(text: string) {
  yield new TextEncoder().encode(text);
}

/** A store whose listing answers in turn from `lists`, and whose reads fail for the checkpoints in `gone`. */
const storeOf = (lists: SnapshotInfo[][], gone: bigint[] = []): SnapshotStore => {
  let listed = 0;
  return {
    put: () => errAsync({ code: 'BLOB_STORE_UNAVAILABLE', message: 'read only' }),
    list: () => okAsync(lists[Math.min(listed++, lists.length - 1)]!),
    get: (s) => (gone.includes(s.checkpoint) ? errAsync({ code: 'BLOB_NOT_FOUND', key: String(s.checkpoint) }) : okAsync(bytes(`copy ${s.checkpoint}`))),
    delete: () => okAsync(undefined),
  };
};

describe('restoring the newest snapshot', () => {
  it('takes the newest; none kept is no failure', async () => {
    const installed: string[] = [];
    const install = async (content: AsyncIterable<Uint8Array>) => {
      for await (const chunk of content) installed.push(new TextDecoder().decode(chunk));
    };
    expect(await restoreSnapshot(storeOf([[copy(5n), copy(9n)]]), install)).toEqual({ restored: copy(9n) });
    expect(installed).toEqual(['copy 9']);
    expect(await restoreSnapshot(storeOf([[]]), install)).toEqual({ restored: null });
  });

  it('a copy deleted while it was read (a newer one replaced it) is retried once with the newest then', async () => {
    const install = async () => undefined;
    expect(await restoreSnapshot(storeOf([[copy(9n)], [copy(12n)]], [9n]), install)).toEqual({ restored: copy(12n) });
    // Gone twice: the node projects the log, and says why.
    expect(await restoreSnapshot(storeOf([[copy(9n)], [copy(12n)]], [9n, 12n]), install)).toEqual({ restored: null, failed: 'BLOB_NOT_FOUND' });
    // Twice is all: a third copy is not tried.
    expect(await restoreSnapshot(storeOf([[copy(9n)], [copy(12n)], [copy(15n)]], [9n, 12n]), install)).toEqual({ restored: null, failed: 'BLOB_NOT_FOUND' });
    // Gone, and nothing left after: nothing to restore, and the failure is still said.
    expect(await restoreSnapshot(storeOf([[copy(9n)], []], [9n]), install)).toEqual({ restored: null, failed: 'BLOB_NOT_FOUND' });
  });

  it('an install that fails twice, or a listing that fails, leaves the node to project the log', async () => {
    expect(await restoreSnapshot(storeOf([[copy(9n)]]), async () => Promise.reject(new Error('disk full')))).toEqual({ restored: null, failed: 'disk full' });
    const down: SnapshotStore = { ...storeOf([[]]), list: () => errAsync({ code: 'BLOB_STORE_UNAVAILABLE', message: 'down' }) };
    expect(await restoreSnapshot(down, async () => undefined)).toEqual({ restored: null, failed: 'BLOB_STORE_UNAVAILABLE' });
  });
});

describe('taking a snapshot', () => {
  it('does nothing where none are kept; a store that refuses the copy fails the run and leaves no copy file behind', async () => {
    const off = await embeddedApp();
    try {
      expect((await off.useCases.snapshots.take(off.nodeId))._unsafeUnwrap()).toEqual({ taken: null, deleted: 0 });
      expect((await off.useCases.snapshots.forget())._unsafeUnwrap()).toBe(0);
    } finally {
      await off.stop();
    }
    const refusing = await embeddedApp({ overrides: (c) => c.register(TOKENS.Snapshots, { useValue: storeOf([[]]) }) });
    try {
      expect((await refusing.useCases.snapshots.take(refusing.nodeId))._unsafeUnwrapErr()).toEqual({ code: 'BLOB_STORE_UNAVAILABLE', message: 'read only' });
      const { readdirSync } = await import('node:fs');
      expect(readdirSync(refusing.dir).filter((n) => n.includes('.copy-'))).toEqual([]);
      // The directory is there to copy: the run failed at the store, not for want of a checkpoint.
      expect(refusing.deps.readModels.user('school', 'anne')).toBeDefined();
    } finally {
      await refusing.stop();
    }
  });

  it('keeps only the newest: an older copy goes, one of the same checkpoint with other bytes goes, a newer one (another node’s) stays, even within one clock tick', async () => {
    const clock = { now: () => '2026-12-07T10:00:00.000Z' };
    const app = await embeddedApp({ env: { LOCKER_SNAPSHOT_EVERY_MINUTES: '60' }, overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }) });
    try {
      const store = app.deps.snapshots!;
      const first = (await app.useCases.snapshots.take(app.nodeId))._unsafeUnwrap().taken!;
      (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap();
      // The next copy's checkpoint: the log's end (the lease, taken again by the same node at the same
      // instant, adds no event).
      const next = app.deps.readModels.checkpoint();
      const twin = (await store.put({ checkpoint: next, takenAt: '2026-12-07T09:00:00.000Z', sizeBytes: 5 }, bytes('other')))._unsafeUnwrap();
      const newer = (await store.put({ checkpoint: next + 1000n, takenAt: '2026-12-07T09:00:00.000Z', sizeBytes: 5 }, bytes('newer')))._unsafeUnwrap();
      const second = (await app.useCases.snapshots.take(app.nodeId))._unsafeUnwrap();
      expect(second.taken!.checkpoint).toBe(next);
      expect(second.taken!.takenAt).toBe(first.takenAt);
      expect(second.deleted).toBe(2);
      expect((await store.list())._unsafeUnwrap()).toEqual([second.taken, newer]);
      expect(twin.sha256).not.toBe(second.taken!.sha256);
    } finally {
      await app.stop();
    }
  });
});
