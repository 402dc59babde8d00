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
      const other = ctx.other();
      for (const k of given.slice(0, 5)) expect(await other.find(k.id)).toEqual(k.key);
      expect(await ctx.keys.find(given[0]!.id)).toEqual(given[0]!.key);
      const all = await ctx.other().findAll([...given.map((k) => k.id), 'k:nobody']);
      expect(all.size).toBe(40);
      for (const k of given) expect(all.get(k.id)).toEqual(k.key);
    });

    it('an unknown id has no key; deleted keys are gone for good, for every instance', async () => {
      expect(await ctx.keys.find('k:nobody')).toBeUndefined();
      const [a, b] = [await ctx.keys.fresh(), await ctx.keys.fresh()];
      const other = ctx.other();
      expect(await other.find(a.id)).toEqual(a.key);
      expect(await ctx.keys.delete([a.id, b.id, 'k:nobody'])).toBe(2);
      expect(await ctx.keys.find(a.id)).toBeUndefined();
      expect(await ctx.keys.find(b.id)).toBeUndefined();
      expect(await ctx.other().find(a.id)).toBeUndefined();
      expect((await ctx.other().findAll([a.id, b.id])).size).toBe(0);
      expect(await ctx.keys.delete([a.id])).toBe(0);
    });
  });
};
