import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp } from '../handle-command.js';
import { takeLease } from '../lease.js';
import type { SnapshotInfo, SnapshotStore } from '../ports/snapshot-store.js';
import { CELL } from '../streams.js';

/** How long one node keeps the snapshot job to itself: longer than copying and storing the largest read models takes. */
const LEASE_MS = 30 * 60 * 1000;

const unavailable = (e: unknown): UseCaseError => ({ code: 'STORE_UNAVAILABLE', message: `the read models' copy: ${(e as Error).message}` });

/** The same stored copy: its bytes (which hold its checkpoint) and when it was taken. */
const same = (a: SnapshotInfo, b: SnapshotInfo) => a.sha256 === b.sha256 && a.takenAt === b.takenAt;

/** Deletes every snapshot in `list`, one after another. */
const deleteAll = (store: SnapshotStore, list: readonly SnapshotInfo[]): ResultAsync<number, UseCaseError> =>
  list.reduce<ResultAsync<number, UseCaseError>>((acc, s) => acc.andThen((n) => store.delete(s).map(() => n + 1)), okAsync(0));

/**
 * Copies of the read models, for a node that starts without any to begin from instead of the whole
 * log (ADR 51). Only the newest copy is kept: an older one would hold what an erasure or an expiry
 * has since removed. For the same reason those delete every copy at once (`forget`), and the next
 * scheduled one is taken without them.
 */
export const snapshots = (deps: Deps) => {
  const store = deps.snapshots;
  return {
  /**
   * Takes a copy once this node's read models have caught up, stores it, and deletes the copies
   * before it; one node at a time (a lease), so a deployment of many nodes stores one per period.
   */
  take: (holder: string): ResultAsync<{ taken: SnapshotInfo | null; deleted: number }, UseCaseError> => {
    if (!store) return okAsync({ taken: null, deleted: 0 });
    return takeLease(deps, CELL, deps.streams.snapshotLease(), holder, LEASE_MS, 'system:snapshot').andThen((held) => {
      if (!held) return okAsync({ taken: null, deleted: 0 });
      return catchUp(deps.projector)
        .andThen(() => ResultAsync.fromPromise(deps.readModels.copy(), unavailable))
        // Never empty: the first lease taken is an event the copy holds.
        .andThen((copy) =>
          store
            .put({ checkpoint: copy.checkpoint, takenAt: deps.clock.now(), sizeBytes: copy.sizeBytes }, copy.content())
            .mapErr((e): UseCaseError => e)
            .andThen((taken) => ResultAsync.fromSafePromise(copy.discard()).map(() => taken))
            .orElse((e) => ResultAsync.fromSafePromise(copy.discard()).andThen(() => errAsync<SnapshotInfo, UseCaseError>(e))),
        )
        .andThen((taken) =>
          store
            .list()
            .mapErr((e): UseCaseError => e)
            // A newer copy (another node's, its lease past) is left as it is.
            .andThen((all) => deleteAll(store, all.filter((s) => s.checkpoint <= taken.checkpoint && !same(s, taken))))
            .map((deleted) => ({ taken: taken as SnapshotInfo | null, deleted })),
        );
    });
  },

  /** After an erasure or an expiry: no copy taken before it may outlive it. */
  forget: (): ResultAsync<number, UseCaseError> =>
    store
      ? store
          .list()
          .mapErr((e): UseCaseError => e)
          .andThen((all) => deleteAll(store, all))
      : okAsync(0),
  };
};

/**
 * What a node without read models starts from: the newest copy, put in place by `install` (the
 * read models' own adapter), or nothing when there is none or it cannot be read (the node then
 * projects the whole log, as a rebuild does). A copy deleted while it was read (a newer one
 * replaced it) is retried once with the newest then.
 */
export const restoreSnapshot = async (
  store: SnapshotStore,
  install: (content: AsyncIterable<Uint8Array>, snapshot: SnapshotInfo) => Promise<void>,
): Promise<{ restored: SnapshotInfo | null; failed?: string }> => {
  let failed: string | undefined;
  for (let attempt = 0; attempt < 2; attempt++) {
    const newest = await store.list().map((all) => all.at(-1));
    if (newest.isErr()) return { restored: null, failed: newest.error.code };
    if (!newest.value) return { restored: null, ...(failed ? { failed } : {}) };
    const snapshot = newest.value;
    const content = await store.get(snapshot);
    if (content.isErr()) {
      failed = content.error.code;
      continue;
    }
    try {
      await install(content.value, snapshot);
      return { restored: snapshot };
    } catch (e) {
      failed = (e as Error).message;
    }
  }
  return { restored: null, ...(failed ? { failed } : {}) };
};
