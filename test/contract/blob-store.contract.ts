import { createHash, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/application/ports/blob-store.js';
import { collectAllGarbage } from '../support/collect-garbage.js';

export type BlobStoreFactory = () => Promise<{ store: BlobStore; cleanup: () => Promise<void> }>;

const source = async function* (...chunks: (string | Uint8Array)[]) {
  for (const c of chunks) yield typeof c === 'string' ? new TextEncoder().encode(c) : c;
};

/** Deterministic pseudo-random bytes, generated chunk by chunk: the test holds one chunk at a time. */
const generated = async function* (totalBytes: number, chunkBytes = 1 << 20) {
  let seed = 42;
  for (let sent = 0; sent < totalBytes; sent += chunkBytes) {
    const chunk = new Uint8Array(Math.min(chunkBytes, totalBytes - sent));
    for (let i = 0; i < chunk.length; i += 4) {
      seed = (seed * 1664525 + 1013904223) >>> 0;
      chunk[i] = seed & 0xff;
    }
    yield chunk;
  }
};

// Memory still reachable, after a full collection. The process's RSS also counts garbage not yet
// collected, which V8 lets grow as it sees fit: a streamed 192 MiB upload left 34 MiB alive but
// peaked 64 to 101 MiB above its start in RSS, depending on the run and the Node version.
const liveBytes = () => {
  collectAllGarbage();
  const m = process.memoryUsage();
  return m.heapUsed + m.external;
};

const sha = (text: string) => createHash('sha256').update(text).digest('hex');
const read = async (stream: AsyncIterable<Uint8Array>) => {
  const parts: Buffer[] = [];
  for await (const c of stream) parts.push(Buffer.from(c));
  return Buffer.concat(parts).toString();
};
const listed = async (store: BlobStore, tenant: string) => {
  const blobs: { key: string; modifiedAt: Date }[] = [];
  for await (const b of store.list(tenant)) blobs.push(b);
  return blobs;
};

const keysOf = async (store: BlobStore, tenant: string) => {
  const keys: string[] = [];
  for await (const b of store.list(tenant)) keys.push(b.key);
  return keys;
};

/** One suite for every BlobStore adapter. */
export const blobStoreContract = (name: string, factory: BlobStoreFactory | { skip: string }, options: { largeBytes?: number } = {}) => {
  const skip = 'skip' in factory ? factory.skip : undefined;
  if (skip) console.warn(`[contract] BlobStore on ${name} skipped: ${skip}`);
  describe.skipIf(Boolean(skip))(`BlobStore contract: ${name}`, () => {
    let store: BlobStore;
    let cleanup: () => Promise<void>;
    const tenant = () => `t${randomUUID().slice(0, 8)}`;

    beforeAll(async () => {
      ({ store, cleanup } = await (factory as BlobStoreFactory)());
    });
    afterAll(async () => cleanup?.());

    it('stages while hashing and counting, and only a commit makes the bytes reachable', async () => {
      const t = tenant();
      const staged = (await store.stage(t, source('hello ', 'world'), 100))._unsafeUnwrap();
      expect(staged).toMatchObject({ sha256: sha('hello world'), sizeBytes: 11, key: `${t}/${sha('hello world')}` });
      expect((await store.exists(staged.key))._unsafeUnwrap()).toBe(false);
      (await staged.commit())._unsafeUnwrap();
      expect((await store.exists(staged.key))._unsafeUnwrap()).toBe(true);
      const got = (await store.get(staged.key))._unsafeUnwrap();
      expect(got.sizeBytes).toBe(11);
      expect(await read(got.stream)).toBe('hello world');
      expect(await keysOf(store, t)).toEqual([staged.key]);
    });

    it('committing bytes already stored makes them new again, so a sweep cannot take them for old orphans', async () => {
      const t = tenant();
      const first = (await store.stage(t, source('reused'), 100))._unsafeUnwrap();
      (await first.commit())._unsafeUnwrap();
      const [before] = await listed(store, t);
      // Object stores keep modification times to the second.
      await new Promise((r) => setTimeout(r, 1100));
      const again = (await store.stage(t, source('reused'), 100))._unsafeUnwrap();
      const committedAt = Date.now();
      (await again.commit())._unsafeUnwrap();
      await again.settle();
      const [after] = await listed(store, t);
      expect(after!.key).toBe(before!.key);
      expect(after!.modifiedAt.getTime()).toBeGreaterThanOrEqual(Math.floor(committedAt / 1000) * 1000);
      // Read to the end: a stream left unread would hold its file open until the garbage collector.
      const got = (await store.get(after!.key))._unsafeUnwrap();
      expect(got.sizeBytes).toBe(6);
      expect(await read(got.stream)).toHaveLength(6);
    });

    it('a sweep sets a blob aside in two phases: put back, or dropped; one modified since the bound is left (issue 31)', async () => {
      const t = tenant();
      const kept = (await store.stage(t, source('kept'), 100))._unsafeUnwrap();
      const dropped = (await store.stage(t, source('dropped'), 100))._unsafeUnwrap();
      (await kept.commit())._unsafeUnwrap();
      (await dropped.commit())._unsafeUnwrap();
      const future = new Date(Date.now() + 3600_000);
      const past = new Date(Date.now() - 3600_000);
      expect((await store.setAside(kept.key, past))._unsafeUnwrap()).toBe('young');
      expect((await store.setAside(kept.key, future))._unsafeUnwrap()).toBe('set-aside');
      expect((await store.setAside(dropped.key, future))._unsafeUnwrap()).toBe('set-aside');
      // Aside: out of its address and of the tenant's listing.
      expect((await store.get(kept.key))._unsafeUnwrapErr().code).toBe('BLOB_NOT_FOUND');
      expect(await keysOf(store, t)).toEqual([]);
      expect((await store.setAside(kept.key, future))._unsafeUnwrap()).toBe('gone');
      (await store.putBack(kept.key))._unsafeUnwrap();
      (await store.dropSetAside(dropped.key))._unsafeUnwrap();
      expect(await keysOf(store, t)).toEqual([kept.key]);
      expect(await read((await store.get(kept.key))._unsafeUnwrap().stream)).toBe('kept');
      expect((await store.get(dropped.key))._unsafeUnwrapErr().code).toBe('BLOB_NOT_FOUND');
    });

    it('a commit that found its bytes stored, then lost them to a sweep, puts its own copy back when it settles (issue 31)', async () => {
      const t = tenant();
      const first = (await store.stage(t, source('shared bytes'), 100))._unsafeUnwrap();
      (await first.commit())._unsafeUnwrap();
      const again = (await store.stage(t, source('shared bytes'), 100))._unsafeUnwrap();
      // Found and touched: committed without a copy of its own at the address.
      (await again.commit())._unsafeUnwrap();
      // Another node's sweep had listed it as old: set aside and dropped.
      expect((await store.setAside(again.key, new Date(Date.now() + 3600_000)))._unsafeUnwrap()).toBe('set-aside');
      (await store.dropSetAside(again.key))._unsafeUnwrap();
      await again.settle();
      expect(await read((await store.get(again.key))._unsafeUnwrap().stream)).toBe('shared bytes');
      // Settled twice (a retry) changes nothing.
      await again.settle();
      expect(await keysOf(store, t)).toEqual([again.key]);
    });

    it('stores the same bytes once per tenant, and separately per tenant', async () => {
      const t = tenant();
      const a = (await store.stage(t, source('same'), 100))._unsafeUnwrap();
      const b = (await store.stage(t, source('same'), 100))._unsafeUnwrap();
      (await a.commit())._unsafeUnwrap();
      (await b.commit())._unsafeUnwrap();
      await Promise.all([a.settle(), b.settle()]);
      expect(a.key).toBe(b.key);
      expect(await keysOf(store, t)).toEqual([a.key]);
      const other = tenant();
      const c = (await store.stage(other, source('same'), 100))._unsafeUnwrap();
      expect(c.key).not.toBe(a.key);
      await c.discard();
    });

    it('a discarded upload, one over the limit, and one whose source fails leave nothing', async () => {
      const t = tenant();
      const staged = (await store.stage(t, source('discard me'), 100))._unsafeUnwrap();
      await staged.discard();
      expect((await store.exists(staged.key))._unsafeUnwrap()).toBe(false);
      expect((await store.stage(t, source('12345', '67890', 'x'), 10))._unsafeUnwrapErr()).toEqual({ code: 'BLOB_TOO_LARGE', maxBytes: 10 });
      const failing = async function* () {
        yield new TextEncoder().encode('partial');
        throw new Error('client went away');
      };
      expect((await store.stage(t, failing(), 100))._unsafeUnwrapErr().code).toBe('UPLOAD_ABORTED');
      expect(await keysOf(store, t)).toEqual([]);
    });

    it('stores an empty blob', async () => {
      const t = tenant();
      const staged = (await store.stage(t, source(), 100))._unsafeUnwrap();
      expect(staged).toMatchObject({ sizeBytes: 0, sha256: sha('') });
      (await staged.commit())._unsafeUnwrap();
      expect(await read((await store.get(staged.key))._unsafeUnwrap().stream)).toBe('');
    });

    it('sweeps staged uploads left behind, once they are older than the grace period', async () => {
      const t = tenant();
      const abandoned = (await store.stage(t, source('abandoned by a crash'), 100))._unsafeUnwrap();
      expect(await store.sweepStaging(new Date(Date.now() - 60_000))).toBe(0);
      expect(await store.sweepStaging(new Date(Date.now() + 60_000))).toBeGreaterThanOrEqual(1);
      // Its bytes are gone: committing now finds nothing to commit.
      expect((await abandoned.commit()).isErr()).toBe(true);
      expect((await store.exists(abandoned.key))._unsafeUnwrap()).toBe(false);
    });

    it('serves a byte range', async () => {
      const t = tenant();
      const staged = (await store.stage(t, source('0123456789'), 100))._unsafeUnwrap();
      (await staged.commit())._unsafeUnwrap();
      expect(await read((await store.get(staged.key, { start: 3, end: 6 }))._unsafeUnwrap().stream)).toBe('3456');
    });

    it('reports missing keys, and deletes idempotently', async () => {
      const t = tenant();
      const missing = `${t}/${'0'.repeat(64)}`;
      expect((await store.get(missing))._unsafeUnwrapErr().code).toBe('BLOB_NOT_FOUND');
      expect((await store.exists(missing))._unsafeUnwrap()).toBe(false);
      expect((await store.delete(missing)).isOk()).toBe(true);
      const staged = (await store.stage(t, source('bye'), 100))._unsafeUnwrap();
      (await staged.commit())._unsafeUnwrap();
      (await store.delete(staged.key))._unsafeUnwrap();
      expect((await store.exists(staged.key))._unsafeUnwrap()).toBe(false);
    });

    it('streams a large blob in and out with flat memory', { timeout: 180_000 }, async () => {
      const total = options.largeBytes ?? 192 * 1024 * 1024;
      const t = tenant();
      const before = liveBytes();
      let peak = before;
      const sample = setInterval(() => (peak = Math.max(peak, liveBytes())), 50);
      try {
        const staged = (await store.stage(t, generated(total), total))._unsafeUnwrap();
        expect(staged.sizeBytes).toBe(total);
        (await staged.commit())._unsafeUnwrap();
        let seen = 0;
        const hash = createHash('sha256');
        for await (const chunk of (await store.get(staged.key))._unsafeUnwrap().stream) {
          seen += chunk.length;
          hash.update(chunk);
        }
        expect(seen).toBe(total);
        expect(hash.digest('hex')).toBe(staged.sha256);
        await store.delete(staged.key);
      } finally {
        clearInterval(sample);
      }
      // Whole-file buffering would keep the file's size alive; streaming keeps a few chunks and parts.
      expect(peak - before).toBeLessThan(total / 2);
    });
  });
};
