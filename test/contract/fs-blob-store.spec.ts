import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect, it } from 'vitest';
import { FsBlobStore } from '../../src/adapters/blobs/fs-blob-store.js';
import { blobStoreContract } from './blob-store.contract.js';

const dir = mkdtempSync(join(tmpdir(), 'locker-blobs-'));

blobStoreContract('file system', async () => ({
  store: new FsBlobStore(dir),
  cleanup: async () => {
    // Every staging file was committed or removed: nothing half-written stays behind.
    expect(readdirSync(join(dir, '.staging'))).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  },
}));

it('refuses keys that are not content addresses (no path tricks)', async () => {
  const store = new FsBlobStore(dir);
  expect((await store.get('../../etc/passwd'))._unsafeUnwrapErr().code).toBe('BLOB_NOT_FOUND');
  expect((await store.exists('school/../../x'))._unsafeUnwrap()).toBe(false);
});

it('a staging folder removed by hand is made again: the deposit after the one it cut short lands', async () => {
  const own = mkdtempSync(join(tmpdir(), 'locker-blobs-staging-'));
  try {
    const store = new FsBlobStore(own);
    const bytes = async function* () {
      yield new TextEncoder().encode('minutes');
    };
    const first = (await store.stage('school', bytes(), 1000))._unsafeUnwrap();
    (await first.commit())._unsafeUnwrap();
    rmSync(join(own, '.staging'), { recursive: true, force: true });
    const cut = await store.stage('school', bytes(), 1000);
    if (cut.isOk()) (await cut.value.commit())._unsafeUnwrap();
    const next = (await store.stage('school', bytes(), 1000))._unsafeUnwrap();
    (await next.commit())._unsafeUnwrap();
    // The same bytes were there already: the staged copy is kept until the event is appended.
    await next.settle();
    expect((await store.exists(next.key))._unsafeUnwrap()).toBe(true);
    expect(readdirSync(join(own, '.staging'))).toEqual([]);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});

it('a committed file\'s directory entries are made durable before commit answers: the shard, and each folder it had to make (issue 31)', async () => {
  const own = mkdtempSync(join(tmpdir(), 'locker-blobs-fsync-'));
  try {
    const synced: string[] = [];
    const store = new FsBlobStore(own, { syncDirectory: async (d) => void synced.push(d.slice(own.length) || '/') });
    const bytes = (text: string) =>
      (async function* () {
        yield new TextEncoder().encode(text);
      })();
    const first = (await store.stage('school', bytes('minutes'), 1000))._unsafeUnwrap();
    (await first.commit())._unsafeUnwrap();
    const shard = `/school/${first.sha256.slice(0, 2)}`;
    // New tenant folder and shard: the shard (the file's name), the tenant folder (the shard's), the root (the tenant's).
    expect(synced).toEqual([shard, '/school', '/']);
    synced.length = 0;
    // Same bytes again: nothing renamed, nothing to make durable.
    const again = (await store.stage('school', bytes('minutes'), 1000))._unsafeUnwrap();
    (await again.commit())._unsafeUnwrap();
    expect(synced).toEqual([]);
  } finally {
    rmSync(own, { recursive: true, force: true });
  }
});
