import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyStore } from '../../src/application/ports/key-store.js';

/** What every KeyStore must do. */
export const keyStoreContract = (name: string, setup: () => Promise<{ keys: KeyStore; other: () => KeyStore; stop: () => Promise<void> }>) => {
  describe(`KeyStore contract: ${name}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      ctx = await setup();
    });
    afterAll(async () => ctx.stop());

    it('hands out 32-byte keys never given before, already stored: another instance finds them', async () => {
      const given = await Promise.all(Array.from({ length: 40 }, () => ctx.keys.fresh()));
      expect(new Set(given.map((k) => k.id)).size).toBe(40);
      expect(new Set(given.map((k) => k.key.toString('hex'))).size).toBe(40);
      for (const k of given) expect(k.key.length).toBe(32);
      expect((await ctx.keys.findAll([given[0]!.id])).get(given[0]!.id)).toEqual(given[0]!.key);
      const all = await ctx.other().findAll([...given.map((k) => k.id), 'k:nobody']);
      expect(all.size).toBe(40);
      for (const k of given) expect(all.get(k.id)).toEqual(k.key);
    });

    it('an unknown id has no key; deleted keys are gone for good, for every instance', async () => {
      expect((await ctx.keys.findAll(['k:nobody'])).size).toBe(0);
      const [a, b] = [await ctx.keys.fresh(), await ctx.keys.fresh()];
      expect((await ctx.other().findAll([a.id])).get(a.id)).toEqual(a.key);
      expect(await ctx.keys.delete([a.id, b.id, 'k:nobody'])).toBe(2);
      expect((await ctx.keys.findAll([a.id, b.id])).size).toBe(0);
      expect((await ctx.other().findAll([a.id, b.id])).size).toBe(0);
      expect(await ctx.keys.delete([a.id])).toBe(0);
    });
  });
};
