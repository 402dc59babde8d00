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
