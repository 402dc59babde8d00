import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CredentialStore } from '../../src/application/ports/credential-store.js';

/** What every CredentialStore must do; `other` is another node of the same deployment, `wrongKey` one with another LOCKER_SECRETS_KEY. */
export const credentialStoreContract = (
  name: string,
  setup: () => Promise<{ store: CredentialStore; other: () => CredentialStore; wrongKey: () => CredentialStore; stop: () => Promise<void> }>,
) => {
  describe(`CredentialStore contract: ${name}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      ctx = await setup();
    });
    afterAll(async () => ctx.stop());

    it('keeps what a person links, for every node, and lists it without the password', async () => {
      await ctx.store.put('school', 'anne', 'nuage', { username: 'anne.m', password: 's3cret' }, '2026-12-01T10:00:00.000Z');
      await ctx.store.put('school', 'anne', 'drive', { username: 'anne@drive', password: 'other' }, '2026-12-01T11:00:00.000Z');
      const other = ctx.other();
      expect(await other.get('school', 'anne', 'nuage')).toEqual({ username: 'anne.m', password: 's3cret' });
      expect(await other.list('school', 'anne')).toEqual([
        { cloudId: 'drive', username: 'anne@drive', linkedAt: '2026-12-01T11:00:00.000Z' },
        { cloudId: 'nuage', username: 'anne.m', linkedAt: '2026-12-01T10:00:00.000Z' },
      ]);
      // Linking again replaces.
      await other.put('school', 'anne', 'nuage', { username: 'anne.m', password: 'changed' }, '2026-12-02T10:00:00.000Z');
      expect(await ctx.store.get('school', 'anne', 'nuage')).toEqual({ username: 'anne.m', password: 'changed' });
    });

    it('keeps people and tenants apart, and opens nothing under another key', async () => {
      await ctx.store.put('school', 'marc', 'nuage', { username: 'marc', password: 'm' }, '2026-12-01T10:00:00.000Z');
      expect(await ctx.store.get('other-school', 'marc', 'nuage')).toBeUndefined();
      expect(await ctx.store.get('school', 'paul', 'nuage')).toBeUndefined();
      expect(await ctx.store.list('school', 'paul')).toEqual([]);
      expect(await ctx.wrongKey().get('school', 'marc', 'nuage')).toBeUndefined();
    });

    it('unlinking and erasing delete for good, on every node', async () => {
      await ctx.store.put('school', 'sophie', 'nuage', { username: 'sophie', password: 'a' }, '2026-12-01T10:00:00.000Z');
      await ctx.store.put('school', 'sophie', 'drive', { username: 'sophie', password: 'b' }, '2026-12-01T10:00:00.000Z');
      await ctx.store.put('school', 'leo', 'nuage', { username: 'leo', password: 'c' }, '2026-12-01T10:00:00.000Z');
      expect(await ctx.store.delete('school', 'sophie', 'nuage')).toBe(true);
      expect(await ctx.store.delete('school', 'sophie', 'nuage')).toBe(false);
      expect(await ctx.other().get('school', 'sophie', 'nuage')).toBeUndefined();
      expect(await ctx.store.deleteAll('school', 'sophie')).toBe(1);
      expect(await ctx.other().list('school', 'sophie')).toEqual([]);
      expect(await ctx.other().get('school', 'leo', 'nuage')).toEqual({ username: 'leo', password: 'c' });
    });
  });
};
