import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../support/harness.js';

let h: Harness;
let category: string;

beforeAll(async () => {
  h = await startHarness();
  await h.importDirectory();
  category = await h.createCategory();
});
afterAll(() => h.stop());

/** Stored blobs: files of the fs store, or object files of the S3 server, staging excluded. */
const blobCount = async () =>
  (await h.footprint()).blobs.filter((f) => !f.includes('.staging') && (process.env.LOCKER_TEST_BLOB_STORE !== 's3' || f.endsWith('._S3rver_object'))).length;

describe('blobs outlive nothing that uses them, and nothing outlives them', () => {
  it('the same bytes deposited twice are stored once and removed only when no live document uses them', async () => {
    const meta = { recipients: { users: ['marc'] }, categoryId: category };
    const before = await blobCount();
    const a = (await h.deposit('anne', meta, { content: 'shared bytes' })).json;
    const b = (await h.deposit('paul', meta, { content: 'shared bytes' })).json;
    expect(a.sha256).toBe(b.sha256);
    expect(await blobCount()).toBe(before + 1);

    await h.request('DELETE', `/v1/documents/${a.id}`, { as: 'anne' });
    const sweep = h.running.app.useCases.sweepBlobs;
    expect((await sweep(0))._unsafeUnwrap().deleted).toEqual([]);
    expect((await h.request('GET', `/v1/documents/${b.id}/content`, { as: 'marc' })).text).toBe('shared bytes');

    await h.request('DELETE', `/v1/documents/${b.id}`, { as: 'paul' });
    expect((await sweep(0))._unsafeUnwrap().deleted).toEqual([`school/${a.sha256}`]);
    expect(await blobCount()).toBe(before);
  });

  it('an orphan left by a crash between blob and event is swept, but not before the grace period', async () => {
    const staged = (await h.running.app.deps.blobs.stage('school', (async function* () {
      yield new TextEncoder().encode('orphan');
    })(), 100))._unsafeUnwrap();
    (await staged.commit())._unsafeUnwrap();
    expect((await h.running.app.useCases.sweepBlobs(60 * 60 * 1000))._unsafeUnwrap().deleted).toEqual([]);
    expect((await h.running.app.useCases.sweepBlobs(0))._unsafeUnwrap().deleted).toEqual([staged.key]);
  });
});
