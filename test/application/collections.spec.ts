import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { as, embeddedApp, filesUnder, textFile, type EmbeddedApp } from '../support/embedded-app.js';

const NOT_FOUND = { code: 'NOT_FOUND', resource: 'collection request' };

/** Collection requests through the use cases on the embedded adapters: who sees what, submitting, reminding, closing. */
describe('collection requests at the application layer', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  beforeAll(async () => {
    app = await embeddedApp();
    categoryId = (await app.useCases.createCategory(as('admin'), 'Forms'))._unsafeUnwrap().id;
  });
  afterAll(() => app.stop());
  const file = () => textFile('signed', false, 'form.txt');

  it('a draft is the requester’s alone; published, each asked person sees the request and their own line', async () => {
    const c = app.useCases.collections;
    const draft = (await c.create(as('anne'), { title: 'Permission slips', instructions: 'Signed, please', categoryId, recipients: { users: ['marc', 'sophie'], classes: [] }, dueAt: '2099-01-01T00:00:00.000Z', draft: true }))._unsafeUnwrap();
    expect(draft).toMatchObject({ requesterId: 'anne', title: 'Permission slips', instructions: 'Signed, please', status: 'draft' });
    expect(draft.people.map((p) => p.userId).sort()).toEqual(['marc', 'sophie']);
    expect((await c.get(as('marc'), draft.id))._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    expect((await c.publish(as('anne'), draft.id))._unsafeUnwrap().status).toBe('open');
    const mine = (await c.get(as('marc'), draft.id))._unsafeUnwrap();
    expect(mine.people).toEqual([expect.objectContaining({ userId: 'marc', status: 'missing', documentIds: [] })]);
    expect((await c.get(as('paul'), draft.id))._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    expect((await c.get(as('marc'), 'no-such-request'))._unsafeUnwrapErr()).toEqual(NOT_FOUND);
    expect((await c.list(as('anne'), 'requester', { limit: 100 }))._unsafeUnwrap().items.map((s) => s.id)).toContain(draft.id);
    expect((await c.list(as('marc'), 'asked', { limit: 100 }))._unsafeUnwrap().items.map((s) => s.id)).toContain(draft.id);
    expect((await c.list(as('marc'), 'requester', { limit: 100 }))._unsafeUnwrap().items.map((s) => s.id)).not.toContain(draft.id);
  });

  it('a submission becomes the requester’s document; a reminder goes to those still missing; closed, it takes nothing more', async () => {
    const c = app.useCases.collections;
    const request = (await c.create(as('anne'), { title: 'Timetables', categoryId, recipients: { users: ['marc', 'sophie'], classes: [] }, dueAt: '2099-01-01T00:00:00.000Z' }))._unsafeUnwrap();
    expect(request.status).toBe('open');
    expect((await c.submission.check(as('paul'), request.id, undefined)).isErr()).toBe(true);
    const checked = (await c.submission.check(as('marc'), request.id, 'submit-1'))._unsafeUnwrap();
    const once = () => {
      let sent = false;
      return async () => (sent ? undefined : ((sent = true), file()));
    };
    const stored = (await c.submission.store(checked, once()))._unsafeUnwrap();
    // The same submission sent again with its Idempotency-Key is the same document, not a second one.
    const again = (await c.submission.store((await c.submission.check(as('marc'), request.id, 'submit-1'))._unsafeUnwrap(), once()))._unsafeUnwrap();
    expect(again).toMatchObject({ replayed: true });
    expect(again.documents.map((d) => d.id)).toEqual(stored.documents.map((d) => d.id));
    expect(stored.documents).toHaveLength(1);
    const submitted = stored.documents[0]!;
    expect(submitted.depositorId).toBe('marc');
    const seen = (await c.get(as('anne'), request.id))._unsafeUnwrap();
    expect(seen.people.find((p) => p.userId === 'marc')).toMatchObject({ status: 'submitted', documentIds: [submitted.id] });
    expect((await c.remind(as('anne'), request.id))._unsafeUnwrap()).toEqual({ reminded: ['sophie'] });
    expect((await c.remind(as('marc'), request.id)).isErr()).toBe(true);
    expect((await c.close(as('anne'), request.id))._unsafeUnwrap().status).toBe('closed');
    expect((await c.submission.check(as('sophie'), request.id, undefined)).isErr()).toBe(true);
    expect((await c.submission.check(as('sophie'), 'no-such-request', undefined)).isErr()).toBe(true);
  });

  it('an Idempotency-Key is the submission’s own: the same key on a deposit, or on another request, is another document; no key, a new one each time (issue 37)', async () => {
    const c = app.useCases.collections;
    const open = async (title: string) => (await c.create(as('anne'), { title, categoryId, recipients: { users: ['paul'], classes: [] }, dueAt: '2099-01-01T00:00:00.000Z' }))._unsafeUnwrap().id;
    const [first, second] = [await open('Forms one'), await open('Forms two')];
    const submit = async (id: string, key: string | undefined) => {
      let sent = false;
      const checked = (await c.submission.check(as('paul'), id, key))._unsafeUnwrap();
      return (await c.submission.store(checked, async () => (sent ? undefined : ((sent = true), file()))))._unsafeUnwrap();
    };
    const checked = (await app.useCases.depositDocument.check(as('paul'), { recipients: { users: ['anne'], classes: [] }, categoryId }, 'shared-key'))._unsafeUnwrap();
    const deposit = (await app.useCases.depositDocument.store(checked, file()))._unsafeUnwrap();
    const one = await submit(first, 'shared-key');
    const two = await submit(second, 'shared-key');
    expect(one.replayed).toBe(false);
    expect(two.replayed).toBe(false);
    expect(new Set([deposit.document.id, one.documents[0]!.id, two.documents[0]!.id]).size).toBe(3);
    const keyless = [await submit(first, undefined), await submit(first, undefined)];
    expect(keyless.map((k) => k.replayed)).toEqual([false, false]);
    expect(keyless[0]!.documents[0]!.id).not.toBe(keyless[1]!.documents[0]!.id);
  });

  it('a close that lands while the file uploads refuses the submission: no document, no bytes, no line (issue 30)', async () => {
    const c = app.useCases.collections;
    const request = (await c.create(as('anne'), { title: 'Closing soon', categoryId, recipients: { users: ['marc'], classes: [] }, dueAt: '2099-01-01T00:00:00.000Z' }))._unsafeUnwrap();
    const checked = (await c.submission.check(as('marc'), request.id, undefined))._unsafeUnwrap();
    let closedDuringUpload = false;
    // The file's bytes arrive only after the requester closed the request.
    const slow = async () => {
      if (closedDuringUpload) return undefined;
      closedDuringUpload = true;
      expect((await c.close(as('anne'), request.id))._unsafeUnwrap().status).toBe('closed');
      return textFile('late bytes', false, 'late.txt');
    };
    const blobsBefore = filesUnder(join(app.dir, 'blobs')).length;
    const refused = (await c.submission.store(checked, slow))._unsafeUnwrapErr();
    expect(refused).toEqual({ code: 'COLLECTION_CLOSED', collectionId: request.id });
    const seen = (await c.get(as('anne'), request.id))._unsafeUnwrap();
    expect(seen.people.find((p) => p.userId === 'marc')).toMatchObject({ status: 'missing', documentIds: [] });
    expect(JSON.stringify((await app.useCases.myLocker(as('anne'), {}, { limit: 100 }))._unsafeUnwrap())).not.toContain('late.txt');
    expect(filesUnder(join(app.dir, 'blobs')).length).toBe(blobsBefore);
  });
});
