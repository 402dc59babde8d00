import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { mkdir, open, readdir, rename, rm, stat, unlink, utimes } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import type { BlobError, BlobRange, BlobStore, SetAside, StagedBlob } from '../../application/ports/blob-store.js';
import { blobKey, parseBlobKey } from '../shared/blob-keys.js';

class TooLarge extends Error {}

const unavailable = (e: unknown): BlobError => ({ code: 'BLOB_STORE_UNAVAILABLE', message: (e as Error).message });

/**
 * Blobs as files under `<root>/<tenant>/<ab>/<sha256>`. Bytes land in a staging file while being
 * hashed and counted, are fsynced, and only a rename makes them visible: a reader never sees half a
 * file, and a refused upload leaves only a staging file that is removed at once.
 */
export class FsBlobStore implements BlobStore {
  private readonly staging: string;

  /** Fsyncs a directory, so the entries made in it (a rename, a new folder) survive a power cut. */
  private readonly syncDirectory: (dir: string) => Promise<void>;

  constructor(
    private readonly root: string,
    options: { syncDirectory?: (dir: string) => Promise<void> } = {},
  ) {
    this.staging = join(root, '.staging');
    this.syncDirectory = options.syncDirectory ?? fsyncDirectory;
  }

  private pathOf(key: string): string | undefined {
    const parsed = parseBlobKey(key);
    return parsed && join(this.root, parsed.tenant, parsed.sha256.slice(0, 2), parsed.sha256);
  }

  stage(tenant: string, content: AsyncIterable<Uint8Array>, maxBytes: number): ResultAsync<StagedBlob, BlobError> {
    return ResultAsync.fromPromise(this.receive(content, maxBytes), (e): BlobError =>
      e instanceof TooLarge ? { code: 'BLOB_TOO_LARGE', maxBytes } : { code: 'UPLOAD_ABORTED', message: (e as Error).message },
    ).map(({ temp, sha256, sizeBytes }) => {
      const key = blobKey(tenant, sha256);
      const target = this.pathOf(key)!;
      /** The bytes were already at their address: the staged copy is kept until `settle`. */
      let kept = false;
      const moveIn = async () => {
        const shard = dirname(target);
        const created = await mkdir(shard, { recursive: true });
        await rename(temp, target);
        // The file's bytes were fsynced, but its name lives in the shard's directory, and a new
        // shard's (or tenant's) name in its parent's: all durable before the event that points at
        // the file is appended, or a power cut could lose a committed document's bytes.
        await this.syncDirectory(shard);
        if (created !== undefined) for (let dir = dirname(shard); dir.length >= dirname(created).length && dir !== dirname(dir); dir = dirname(dir)) await this.syncDirectory(dir);
      };
      return {
        key,
        sha256,
        sizeBytes,
        commit: () =>
          ResultAsync.fromPromise(
            (async () => {
              // Same bytes already stored: the address is the content, so the staged copy is
              // redundant. The stored file is made new again: a sweep between this commit and
              // the event must not take it for an old orphan and delete what a document now uses.
              // (Touching it is also how we learn it is there: one call instead of two.)
              const now = new Date();
              const stored = await utimes(target, now, now).then(
                () => true,
                (e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? false : Promise.reject(e)),
              );
              if (stored) {
                kept = true;
                return;
              }
              await moveIn();
            })(),
            unavailable,
          ),
        settle: async () => {
          if (!kept) return;
          // Set aside by a sweep since the touch: this copy goes back to the address.
          if (!(await exists(target))) await moveIn();
          else await removeStaged(temp);
          kept = false;
        },
        discard: () => removeStaged(temp),
      };
    });
  }

  /** Made once per process (a failure is tried again next time): each deposit used to ask for it. */
  private stagingReady: Promise<unknown> | undefined;

  private async receive(content: AsyncIterable<Uint8Array>, maxBytes: number) {
    this.stagingReady ??= mkdir(this.staging, { recursive: true }).catch((e: unknown) => {
      this.stagingReady = undefined;
      throw e;
    });
    await this.stagingReady;
    const temp = join(this.staging, randomUUID());
    const hash = createHash('sha256');
    let sizeBytes = 0;
    // Hashing runs on this thread while the previous chunk is written on libuv's: the two overlap.
    const measure = new Transform({
      transform(chunk: Buffer, _encoding, done) {
        sizeBytes += chunk.byteLength;
        if (sizeBytes > maxBytes) return done(new TooLarge());
        hash.update(chunk);
        done(null, chunk);
      },
    });
    // `flush` fsyncs before close: an acknowledged upload survives a power cut.
    const file = createWriteStream(temp, { flags: 'wx', flush: true });
    try {
      await pipeline(content, measure, file);
    } catch (e) {
      // The file is opened asynchronously: a refusal can reject the pipeline before the open
      // completes, and removing it then would leave the file the open creates afterwards.
      if (!file.closed) await once(file, 'close').catch(() => undefined);
      await removeStaged(temp);
      // The staging folder removed under us (by hand): made again on the next deposit.
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') this.stagingReady = undefined;
      throw e;
    }
    return { temp, sha256: hash.digest('hex'), sizeBytes };
  }

  get(key: string, range?: BlobRange): ResultAsync<{ stream: Readable; sizeBytes: number }, BlobError> {
    const path = this.pathOf(key);
    if (!path) return errAsync({ code: 'BLOB_NOT_FOUND', key });
    // Opened before answering, so a missing file is an error value here rather than a stream error later.
    return ResultAsync.fromPromise(
      (async () => {
        const handle = await open(path, 'r');
        // Closed here if it cannot be measured: nobody else holds it yet.
        const { size } = await handle.stat().catch(async (e: unknown) => {
          await handle.close();
          throw e;
        });
        return { stream: handle.createReadStream(range ? { start: range.start, end: range.end } : {}), sizeBytes: size };
      })(),
      (e): BlobError => ((e as NodeJS.ErrnoException).code === 'ENOENT' ? { code: 'BLOB_NOT_FOUND', key } : unavailable(e)),
    );
  }

  exists(key: string): ResultAsync<boolean, BlobError> {
    const path = this.pathOf(key);
    return path ? ResultAsync.fromSafePromise(exists(path)) : okAsync(false);
  }

  delete(key: string): ResultAsync<void, BlobError> {
    const path = this.pathOf(key);
    return path ? ResultAsync.fromPromise(rm(path, { force: true }), unavailable) : okAsync(undefined);
  }

  async *list(tenant: string): AsyncIterable<{ key: string; modifiedAt: Date }> {
    const base = join(this.root, tenant);
    const shards = await readdir(base).catch(() => [] as string[]);
    for (const shard of shards) {
      for (const name of await readdir(join(base, shard)).catch(() => [] as string[])) {
        const s = await stat(join(base, shard, name)).catch(() => undefined);
        if (s?.isFile()) yield { key: blobKey(tenant, name), modifiedAt: s.mtime };
      }
    }
  }

  private asidePathOf(key: string): string | undefined {
    const parsed = parseBlobKey(key);
    return parsed && join(this.root, '.aside', parsed.tenant, parsed.sha256);
  }

  setAside(key: string, notAfter: Date): ResultAsync<SetAside, BlobError> {
    const path = this.pathOf(key);
    const aside = this.asidePathOf(key);
    if (!path || !aside) return okAsync('gone');
    return ResultAsync.fromPromise(
      (async (): Promise<SetAside> => {
        const s = await stat(path).catch(() => undefined);
        if (!s) return 'gone';
        if (s.mtime > notAfter) return 'young';
        await mkdir(dirname(aside), { recursive: true });
        await rename(path, aside).catch((e: NodeJS.ErrnoException) => (e.code === 'ENOENT' ? undefined : Promise.reject(e)));
        return 'set-aside';
      })(),
      unavailable,
    );
  }

  putBack(key: string): ResultAsync<void, BlobError> {
    const path = this.pathOf(key)!;
    const aside = this.asidePathOf(key)!;
    return ResultAsync.fromPromise(
      (async () => {
        // A commit may have put its own copy of the same bytes there meanwhile.
        if (await exists(path)) return void (await rm(aside, { force: true }));
        await mkdir(dirname(path), { recursive: true });
        await rename(aside, path);
        await this.syncDirectory(dirname(path));
      })(),
      unavailable,
    );
  }

  dropSetAside(key: string): ResultAsync<void, BlobError> {
    const aside = this.asidePathOf(key);
    return aside ? ResultAsync.fromPromise(rm(aside, { force: true }), unavailable) : okAsync(undefined);
  }

  async sweepStaging(before: Date): Promise<number> {
    let removed = 0;
    for (const name of await readdir(this.staging).catch(() => [] as string[])) {
      const path = join(this.staging, name);
      const s = await stat(path).catch(() => undefined);
      if (s && s.mtime < before) {
        await rm(path, { force: true });
        removed += 1;
      }
    }
    return removed;
  }

  ping(): ResultAsync<void, BlobError> {
    return ResultAsync.fromPromise(mkdir(this.staging, { recursive: true }).then(() => undefined), unavailable);
  }
}

const fsyncDirectory = async (dir: string): Promise<void> => {
  const handle = await open(dir, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
};

/** A staging file gone: one unlink (rm's recursive walk costs an lstat first), already gone is fine. */
const removeStaged = (path: string): Promise<void> =>
  unlink(path).catch((e: NodeJS.ErrnoException) => {
    if (e.code !== 'ENOENT') throw e;
  });

const exists = (path: string) =>
  stat(path).then(
    () => true,
    () => false,
  );
