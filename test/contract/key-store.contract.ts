import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keyTenant, type KeyStore } from '../../src/application/ports/key-store.js';

/** What every KeyStore must do. */
export const keyStoreContract = (name: string, setup: () => Promise<{ keys: KeyStore; other: () => KeyStore; stop: () => Promise<void> }>) => {
  describe(`KeyStore contract: ${name}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      ctx = await setup();
    });
    afterAll(async () => ctx.stop());

    it('hands out 32-byte keys never given before, already stored: another instance finds them', async () => {
      const given = await Promise.all(Array.from({ length: 40 }, () => ctx.keys.fresh('t')));
      expect(new Set(given.map((k) => k.id)).size).toBe(40);
      expect(new Set(given.map((k) => k.key.toString('hex'))).size).toBe(40);
      for (const k of given) expect(k.key.length).toBe(32);
      expect((await ctx.keys.findAll([given[0]!.id])).get(given[0]!.id)).toEqual(given[0]!.key);
      const all = await ctx.other().findAll([...given.map((k) => k.id), 'k:nobody']);
      expect(all.size).toBe(40);
      for (const k of given) expect(all.get(k.id)).toEqual(k.key);
    });

    it('a key is its tenant\'s: its id names the tenant, and two tenants never get the same key (ADR 37)', async () => {
      const a = await Promise.all(Array.from({ length: 5 }, () => ctx.keys.fresh('school-a')));
      const b = await Promise.all(Array.from({ length: 5 }, () => ctx.keys.fresh('school-b')));
      const ready = ctx.keys.ready('school-b') ?? (await ctx.keys.fresh('school-b'));
      for (const k of a) expect(keyTenant(k.id)).toBe('school-a');
      for (const k of [...b, ready]) expect(keyTenant(k.id)).toBe('school-b');
      expect(new Set([...a, ...b, ready].map((k) => k.key.toString('hex'))).size).toBe(11);
      expect(await ctx.keys.delete(b.map((k) => k.id))).toBe(5);
      const left = await ctx.other().findAll(a.map((k) => k.id));
      expect(left.size).toBe(5);
    });

    it('keys carried from another deployment keep their ids; the same again is no change, other bytes are refused (ADR 54)', async () => {
      const carried = Array.from({ length: 20 }, (_, i) => ({ id: `k:moving:carried-${i}`, key: Buffer.alloc(32, i + 1) }));
      await ctx.keys.put(carried);
      const found = await ctx.other().findAll(carried.map((k) => k.id));
      for (const k of carried) expect(found.get(k.id)).toEqual(k.key);
      await ctx.keys.put(carried.slice(0, 3));
      await expect(ctx.keys.put([{ id: carried[4]!.id, key: Buffer.alloc(32, 99) }])).rejects.toThrow(/other bytes/);
      expect((await ctx.other().findAll([carried[4]!.id])).get(carried[4]!.id)).toEqual(carried[4]!.key);
      await expect(ctx.keys.put([{ id: 'k:moving:short', key: Buffer.alloc(16) }])).rejects.toThrow(/not 32/);
      expect((await ctx.other().findAll(['k:moving:short'])).size).toBe(0);
      // A carried key is erased like any other.
      expect(await ctx.keys.delete([carried[0]!.id])).toBe(1);
      expect((await ctx.other().findAll([carried[0]!.id])).size).toBe(0);
    });

    it('an unknown id has no key; deleted keys are gone for good, for every instance', async () => {
      expect((await ctx.keys.findAll(['k:nobody'])).size).toBe(0);
      const [a, b] = [await ctx.keys.fresh('t'), await ctx.keys.fresh('t')];
      expect((await ctx.other().findAll([a.id])).get(a.id)).toEqual(a.key);
      expect(await ctx.keys.delete([a.id, b.id, 'k:nobody'])).toBe(2);
      expect((await ctx.keys.findAll([a.id, b.id])).size).toBe(0);
      expect((await ctx.other().findAll([a.id, b.id])).size).toBe(0);
      expect(await ctx.keys.delete([a.id])).toBe(0);
    });
  });
};
