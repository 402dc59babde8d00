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

    it('makes a 32-byte key once per subject, and finds it again, from another instance too', async () => {
      const key = await ctx.keys.keyFor('doc:one');
      expect(key.length).toBe(32);
      expect(await ctx.keys.keyFor('doc:one')).toEqual(key);
      expect(await ctx.other().find('doc:one')).toEqual(key);
      expect(await ctx.keys.keyFor('doc:two')).not.toEqual(key);
    });

    it('an unknown subject has no key; a deleted one is gone for good', async () => {
      expect(await ctx.keys.find('person:nobody')).toBeUndefined();
      await ctx.keys.keyFor('person:leaving');
      expect(await ctx.keys.delete('person:leaving')).toBe(true);
      expect(await ctx.keys.find('person:leaving')).toBeUndefined();
      expect(await ctx.other().find('person:leaving')).toBeUndefined();
      expect(await ctx.keys.delete('person:leaving')).toBe(false);
    });
  });
};
