import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SnapshotStore } from '../../src/application/ports/snapshot-store.js';

const bytes = async (content: AsyncIterable<Uint8Array>) => {
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.from(chunk));
  return Buffer.concat(chunks);
};

async function* inChunks(data: Buffer, size: number) {
  for (let i = 0; i < data.length; i += size) yield data.subarray(i, i + size);
}

async function* failingAfter(data: Buffer) {
  yield data;
  throw new Error('the copy broke off');
}

/** What every SnapshotStore must do; `other` is another node of the same deployment. */
export const snapshotStoreContract = (name: string, setup: () => Promise<{ store: SnapshotStore; other: () => SnapshotStore; stop: () => Promise<void> }>) => {
  describe(`SnapshotStore contract: ${name}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      ctx = await setup();
    });
    afterAll(async () => ctx.stop());

    it('keeps a copy whole, hashed on the way, listed by checkpoint for every node, and read back byte for byte', async () => {
      const big = Buffer.alloc(9 * 1024 * 1024 + 17, 7); // more than one S3 part
      big.write('read models', 0);
      const later = (await ctx.store.put({ checkpoint: 1200n, takenAt: '2026-12-07T10:00:00.000Z', sizeBytes: big.length }, inChunks(big, 64 * 1024)))._unsafeUnwrap();
      expect(later).toEqual({ checkpoint: 1200n, takenAt: '2026-12-07T10:00:00.000Z', sizeBytes: big.length, sha256: createHash('sha256').update(big).digest('hex') });
      const small = Buffer.from('an older copy');
      const earlier = (await ctx.store.put({ checkpoint: 90n, takenAt: '2026-12-07T09:00:00.000Z', sizeBytes: small.length }, inChunks(small, 4)))._unsafeUnwrap();
      const other = ctx.other();
      expect((await other.list())._unsafeUnwrap()).toEqual([earlier, later]);
      expect((await bytes((await other.get(later))._unsafeUnwrap())).equals(big)).toBe(true);
      expect((await bytes((await other.get(earlier))._unsafeUnwrap())).toString()).toBe('an older copy');
    });

    it('a copy that breaks off midway is never listed', async () => {
      const before = (await ctx.store.list())._unsafeUnwrap();
      expect((await ctx.store.put({ checkpoint: 5000n, takenAt: '2026-12-07T11:00:00.000Z', sizeBytes: 10 }, failingAfter(Buffer.from('half')))).isErr()).toBe(true);
      expect((await ctx.other().list())._unsafeUnwrap()).toEqual(before);
    });

    it('a deleted copy is gone for every node; reading it says so', async () => {
      const all = (await ctx.store.list())._unsafeUnwrap();
      for (const s of all) (await ctx.store.delete(s))._unsafeUnwrap();
      expect((await ctx.other().list())._unsafeUnwrap()).toEqual([]);
      const gone = await ctx.other().get(all[0]!);
      if (gone.isErr()) expect(gone.error.code).toBe('BLOB_NOT_FOUND');
      else await expect(bytes(gone.value)).rejects.toThrow();
      // Deleting what is gone is no error.
      (await ctx.store.delete(all[0]!))._unsafeUnwrap();
    });
  });
};
