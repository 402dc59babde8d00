import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CloudAccount, CloudDrive } from '../../src/application/ports/cloud-drive.js';

export const CLOUD_FILES = {
  'Documents/minutes.txt': 'Minutes of the council',
  'Documents/Reports/q1.pdf': new Uint8Array(3000).fill(7),
  'readme.md': '# Hello',
};

/** What every CloudDrive adapter must do, against a server holding CLOUD_FILES. */
export const cloudDriveContract = (name: string, setup: () => Promise<{ drive: CloudDrive; account: CloudAccount; wrong: CloudAccount; unreachable: CloudAccount; stop: () => Promise<void> }>) => {
  describe(`CloudDrive contract: ${name}`, () => {
    let ctx: Awaited<ReturnType<typeof setup>>;
    beforeAll(async () => {
      ctx = await setup();
    });
    afterAll(async () => ctx.stop());

    it('checks credentials: good, wrong, unreachable', async () => {
      expect((await ctx.drive.check(ctx.account)).isOk()).toBe(true);
      expect((await ctx.drive.check(ctx.wrong))._unsafeUnwrapErr()).toEqual({ code: 'CLOUD_AUTH_FAILED' });
      expect((await ctx.drive.check(ctx.unreachable))._unsafeUnwrapErr()).toMatchObject({ code: 'CLOUD_UNAVAILABLE' });
    });

    it('lists folders first, then files, with sizes', async () => {
      const root = (await ctx.drive.list(ctx.account, '/'))._unsafeUnwrap();
      expect(root.map((e) => [e.name, e.type])).toEqual([['Documents', 'folder'], ['readme.md', 'file']]);
      const docs = (await ctx.drive.list(ctx.account, '/Documents/'))._unsafeUnwrap();
      expect(docs.map((e) => [e.path, e.type, e.size])).toEqual([['/Documents/Reports', 'folder', null], ['/Documents/minutes.txt', 'file', 22]]);
    });

    it('streams a file’s exact bytes', async () => {
      const file = (await ctx.drive.open(ctx.account, '/Documents/Reports/q1.pdf'))._unsafeUnwrap();
      const hash = createHash('sha256');
      let size = 0;
      for await (const chunk of file.content) {
        hash.update(chunk);
        size += chunk.byteLength;
      }
      expect([file.fileName, file.size, size]).toEqual(['q1.pdf', 3000, 3000]);
      expect(hash.digest('hex')).toBe(createHash('sha256').update(CLOUD_FILES['Documents/Reports/q1.pdf']).digest('hex'));
    });

    it('refuses paths that leave the account, folders as files, and missing files', async () => {
      expect((await ctx.drive.list(ctx.account, '/Documents/../..'))._unsafeUnwrapErr()).toMatchObject({ code: 'CLOUD_PATH_INVALID' });
      expect((await ctx.drive.open(ctx.account, '/Documents'))._unsafeUnwrapErr()).toMatchObject({ code: 'CLOUD_PATH_INVALID' });
      expect((await ctx.drive.open(ctx.account, '/nope.txt'))._unsafeUnwrapErr()).toMatchObject({ code: 'CLOUD_NOT_FOUND' });
    });

    it('follows no redirect, and an error never carries the password', async () => {
      const e = (await ctx.drive.list(ctx.account, '/redirect/x'))._unsafeUnwrapErr();
      expect(e.code).toBe('CLOUD_UNAVAILABLE');
      expect(JSON.stringify(e)).not.toContain(ctx.account.password);
    });
  });
};
