import { randomUUID } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { ResultAsync } from 'neverthrow';
import { fsync, writeHashed } from '../shared/hashed-file.js';
import type { BlobError } from '../../application/ports/blob-store.js';
import type { SnapshotInfo, SnapshotStore } from '../../application/ports/snapshot-store.js';
import { parseSnapshotName, snapshotName } from './snapshot-names.js';

const unavailable = (e: unknown): BlobError => ({ code: 'BLOB_STORE_UNAVAILABLE', message: (e as Error).message });

/**
 * Snapshots as files in one folder (the data folder's `snapshots/` on the embedded default): each
 * written under a temporary name, fsynced, and renamed to its name, which a listing then shows.
 */
export const fsSnapshotStore = (folder: string): SnapshotStore => ({
  put: (snapshot, content) =>
    ResultAsync.fromPromise(
      (async (): Promise<SnapshotInfo> => {
        await mkdir(folder, { recursive: true });
        const partial = join(folder, `.${randomUUID()}.partial`);
        try {
          const info = { ...snapshot, sha256: await writeHashed(partial, content) };
          await rename(partial, join(folder, snapshotName(info)));
          await fsync(folder);
          return info;
        } finally {
          await rm(partial, { force: true });
        }
      })(),
      unavailable,
    ),
  list: () =>
    ResultAsync.fromPromise(
      readdir(folder).then(
        (names) => names.flatMap((n) => parseSnapshotName(n) ?? []).sort((a, b) => (a.checkpoint < b.checkpoint ? -1 : a.checkpoint > b.checkpoint ? 1 : 0)),
        (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? [] : Promise.reject(e)),
      ),
      unavailable,
    ),
  get: (snapshot) =>
    ResultAsync.fromPromise(
      (async () => {
        const path = join(folder, snapshotName(snapshot));
        // Opened now, so a missing snapshot is said here rather than midway through a read.
        const handle = await open(path, 'r').catch((e: NodeJS.ErrnoException) => Promise.reject(e.code === 'ENOENT' ? Object.assign(e, { missing: true }) : e));
        return createReadStream(path, { fd: handle }) as AsyncIterable<Uint8Array>;
      })(),
      (e): BlobError => ((e as { missing?: boolean }).missing ? { code: 'BLOB_NOT_FOUND', key: snapshotName(snapshot) } : unavailable(e)),
    ),
  delete: (snapshot) => ResultAsync.fromPromise(rm(join(folder, snapshotName(snapshot)), { force: true }), unavailable),
});
