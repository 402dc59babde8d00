import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { err } from 'neverthrow';
import type { IncomingFile } from '../../src/application/incoming-file.js';
import { depositDocument } from '../../src/application/use-cases/deposit-document.js';
import { as, deposited, embeddedApp, filesUnder, textFile, type EmbeddedApp } from '../support/embedded-app.js';


const text = async (stream: NodeJS.ReadableStream) => {
  let s = '';
  for await (const chunk of stream) s += Buffer.from(chunk as Uint8Array).toString('utf8');
  return s;
};

/** Files handed over one after another, as a multipart request would. */
const files = (...list: (IncomingFile | { code: 'TOO_MANY_FILES'; detail: string })[]) => {
  let i = 0;
  return async () => list[i++];
};

describe('deposits and downloads at the application layer', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  const blobs = () => filesUnder(join(app.dir, 'blobs'));
  const eventCount = async () => (await app.deps.events.readAll({ tenant: 'school', limit: 1_000_000 }))._unsafeUnwrap().length;
  beforeAll(async () => {
    app = await embeddedApp();
    categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
  });
  afterAll(() => app.stop());
  const check = (by = 'anne', key?: string, extra: Record<string, unknown> = {}) =>
    app.useCases.depositDocument.check(as(by), { recipients: { users: ['marc'], classes: [] }, categoryId, ...extra }, key);

  it('several files with one meta: one document each, all with the same recipients, category and memo', async () => {
    const checked = (await check('anne', undefined, { memo: 'For Monday' }))._unsafeUnwrap();
    const out = (await app.useCases.depositDocument.storeAll(checked, files(textFile('one', false, 'a.txt'), textFile('two', false, 'b.txt'))))._unsafeUnwrap();
    expect(out.replayed).toBe(false);
    expect(out.documents.map((d) => [d.fileName, d.title, d.memo, d.recipients, d.categoryId, d.sizeBytes])).toEqual([
      ['a.txt', 'a.txt', 'For Monday', ['marc'], categoryId, 3],
      ['b.txt', 'b.txt', 'For Monday', ['marc'], categoryId, 3],
    ]);
    expect(new Set(out.documents.map((d) => d.id)).size).toBe(2);
    const locker = (await app.useCases.myLocker(as('marc'), {}, { limit: 100 }))._unsafeUnwrap().items.map((d) => d.id);
    for (const d of out.documents) expect(locker).toContain(d.id);
  });

  it('a file over the limit among several refuses them all: no document, no event, no bytes kept', async () => {
    const before = { events: await eventCount(), blobs: blobs() };
    const checked = (await check())._unsafeUnwrap();
    const outcome = await app.useCases.depositDocument.storeAll(checked, files(textFile('fits', false, 'ok-1.txt'), textFile('cut short', true, 'big.txt')));
    expect(outcome._unsafeUnwrapErr()).toEqual({ code: 'FILE_TOO_LARGE', maxDocumentBytes: checked.context.maxDocumentBytes });
    expect(await eventCount()).toBe(before.events);
    expect(blobs()).toEqual(before.blobs);
  });

  it('a part the transport refuses (a second file where one is allowed) is the answer, and the staged bytes go', async () => {
    const before = { events: await eventCount(), blobs: blobs() };
    const checked = (await check())._unsafeUnwrap();
    const outcome = await app.useCases.depositDocument.storeAll(checked, files(textFile('first of two'), { code: 'TOO_MANY_FILES', detail: 'one file a deposit' }));
    expect(outcome._unsafeUnwrapErr()).toEqual({ code: 'TOO_MANY_FILES', detail: 'one file a deposit' });
    expect(await eventCount()).toBe(before.events);
    expect(blobs()).toEqual(before.blobs);
  });

  it('no file at all is a clear refusal', async () => {
    const checked = (await check())._unsafeUnwrap();
    expect((await app.useCases.depositDocument.storeAll(checked, files()))._unsafeUnwrapErr()).toEqual({ code: 'INVALID_INPUT', detail: 'expected a part named file holding the document' });
  });

  it('an upload cut by the transport is explained by the transport, not by the store', async () => {
    const before = blobs();
    const checked = (await check())._unsafeUnwrap();
    const slow: IncomingFile = {
      fileName: 'slow.txt',
      mediaType: 'text/plain',
      content: (async function* () {
        yield new TextEncoder().encode('a little');
        throw new Error('socket closed');
      })(),
      truncated: () => false,
      refusal: () => ({ code: 'UPLOAD_TOO_SLOW', detail: 'below 1 KiB/s for 10 s' }),
    };
    expect((await app.useCases.depositDocument.store(checked, slow))._unsafeUnwrapErr()).toEqual({ code: 'UPLOAD_TOO_SLOW', detail: 'below 1 KiB/s for 10 s' });
    expect(blobs()).toEqual(before);
  });

  it('a file the rules refuse (an empty one) refuses every file of the request before anything is recorded', async () => {
    const before = { events: await eventCount(), blobs: blobs() };
    const checked = (await check())._unsafeUnwrap();
    const outcome = await app.useCases.depositDocument.storeAll(checked, files(textFile('fine', false, 'fine.txt'), textFile('', false, 'empty.txt')));
    expect(outcome._unsafeUnwrapErr()).toEqual({ code: 'EMPTY_FILE' });
    expect(await eventCount()).toBe(before.events);
    expect(blobs()).toEqual(before.blobs);
  });

  it('an Idempotency-Key: the same request again is a replay of the same documents; another request under it is refused', async () => {
    const key = `key-${Date.now()}`;
    const first = (await app.useCases.depositDocument.storeAll((await check('anne', key))._unsafeUnwrap(), files(textFile('x', false, 'x.txt'), textFile('y', false, 'y.txt'))))._unsafeUnwrap();
    const events = await eventCount();
    const again = (await app.useCases.depositDocument.storeAll((await check('anne', key))._unsafeUnwrap(), files(textFile('x', false, 'x.txt'), textFile('y', false, 'y.txt'))))._unsafeUnwrap();
    expect(again.replayed).toBe(true);
    expect(again.documents.map((d) => d.id)).toEqual(first.documents.map((d) => d.id));
    expect(await eventCount()).toBe(events);
    // Each part of the request is in the fingerprint: other recipients, title, memo, files.
    const other = async (by: string, extra: Record<string, unknown>, file = textFile('x', false, 'x.txt')) =>
      (await app.useCases.depositDocument.storeAll((await check(by, key, extra))._unsafeUnwrap(), files(file, textFile('y', false, 'y.txt'))))._unsafeUnwrapErr();
    expect(await other('anne', { recipients: { users: ['marc', 'sophie'], classes: [] } })).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', key });
    expect(await other('anne', { title: 'Another title' })).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', key });
    expect(await other('anne', { memo: 'Another memo' })).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', key });
    expect(await other('anne', { recipientsMayEdit: true })).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', key });
    expect(await other('anne', { acknowledgement: { required: true } })).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', key });
    // Refused with bytes never stored before: none of them is kept (issue 37).
    const footprint = blobs();
    expect(await other('anne', {}, textFile('other bytes', false, 'x.txt'))).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', key });
    expect(blobs()).toEqual(footprint);
    expect(await other('anne', {}, textFile('x', false, 'renamed.txt'))).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', key });
    expect(await eventCount()).toBe(events);
    // What the acknowledgement asks is in it too, not only whether there is one.
    const asking = `${key}-ack`;
    const ask = (dueAt: string) => ({ acknowledgement: { required: true, dueAt: `${dueAt}T08:00:00.000Z` } });
    (await app.useCases.depositDocument.storeAll((await check('anne', asking, ask('2027-01-10')))._unsafeUnwrap(), files(textFile('x', false, 'x.txt'))))._unsafeUnwrap();
    const askingEvents = await eventCount();
    const later = (await app.useCases.depositDocument.storeAll((await check('anne', asking, ask('2027-02-10')))._unsafeUnwrap(), files(textFile('x', false, 'x.txt'))))._unsafeUnwrapErr();
    expect(later).toEqual({ code: 'IDEMPOTENCY_KEY_REUSED', key: asking });
    expect(await eventCount()).toBe(askingEvents);
    // The key is the depositor's own: someone else's request under the same key is theirs.
    const paul = (await app.useCases.depositDocument.storeAll((await check('paul', key))._unsafeUnwrap(), files(textFile('x', false, 'x.txt'), textFile('y', false, 'y.txt'))))._unsafeUnwrap();
    expect(paul.replayed).toBe(false);
    expect(paul.documents.map((d) => d.id)).not.toContain(first.documents[0]!.id);
    expect(paul.documents.map((d) => d.id)).not.toContain(first.documents[1]!.id);
  });

  it('a retry after a store that wrote part of a keyed deposit completes the rest: the same documents, not a replay (issue 37)', async () => {
    const key = `partial-${Date.now()}`;
    // A store that commits the first document of the request, then fails.
    const events = Object.assign(Object.create(Object.getPrototypeOf(app.deps.events)), app.deps.events, {
      appendMany: (appends: Parameters<typeof app.deps.events.appendMany>[0]) =>
        app.deps.events.appendMany(appends.slice(0, 1)).map((done) => [...done, ...appends.slice(1).map(() => err({ code: 'STORE_UNAVAILABLE' as const, message: 'gone mid-way' }))]),
    }) as typeof app.deps.events;
    const halfway = depositDocument({ ...app.deps, events });
    const failed = await halfway.storeAll((await halfway.check(as('anne'), { recipients: { users: ['marc'], classes: [] }, categoryId }, key))._unsafeUnwrap(), files(textFile('x', false, 'x.txt'), textFile('y', false, 'y.txt')));
    expect(failed._unsafeUnwrapErr()).toEqual({ code: 'STORE_UNAVAILABLE', message: 'gone mid-way' });
    const retried = (await app.useCases.depositDocument.storeAll((await check('anne', key))._unsafeUnwrap(), files(textFile('x', false, 'x.txt'), textFile('y', false, 'y.txt'))))._unsafeUnwrap();
    expect(retried.replayed).toBe(false);
    expect(retried.documents.map((d) => d.fileName)).toEqual(['x.txt', 'y.txt']);
    const again = (await app.useCases.depositDocument.storeAll((await check('anne', key))._unsafeUnwrap(), files(textFile('x', false, 'x.txt'), textFile('y', false, 'y.txt'))))._unsafeUnwrap();
    expect(again.replayed).toBe(true);
    expect(again.documents.map((d) => d.id)).toEqual(retried.documents.map((d) => d.id));
  });

  it('without a key, the same request twice is two deposits', async () => {
    const one = (await app.useCases.depositDocument.store((await check())._unsafeUnwrap(), textFile('same')))._unsafeUnwrap();
    const two = (await app.useCases.depositDocument.store((await check())._unsafeUnwrap(), textFile('same')))._unsafeUnwrap();
    expect(one.replayed).toBe(false);
    expect(two.replayed).toBe(false);
    expect(two.document.id).not.toBe(one.document.id);
  });

  it('a student, someone outside the directory and a depositor of another tenant are refused before any byte', async () => {
    expect((await check('leo'))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    expect((await check('nobody'))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    expect((await app.useCases.depositDocument.check(as('anne', 'elsewhere'), { recipients: { users: ['marc'], classes: [] }, categoryId }, undefined)).isErr()).toBe(true);
  });

  describe('downloads', () => {
    const streamOf = (id: string) => app.deps.streams.document('school', id);
    const consultations = async (id: string) =>
      (await app.deps.events.readStream(streamOf(id)))._unsafeUnwrap().filter((e) => e.type === 'DocumentConsulted').map((e) => e.data);

    it('a recipient’s first opening of a version is recorded once, before the bytes; the depositor’s is not', async () => {
      const id = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, 'opened');
      const got = (await app.useCases.downloadDocument(as('marc'), id, {}))._unsafeUnwrap();
      expect(await text(got.stream)).toBe('opened');
      expect(got.sizeBytes).toBe(6);
      expect(got.content.version).toBe(1);
      expect(got.range).toBeUndefined();
      expect(await consultations(id)).toEqual([{ documentId: id, userId: 'marc', version: 1 }]);
      await text((await app.useCases.downloadDocument(as('marc'), id, {}))._unsafeUnwrap().stream);
      await text((await app.useCases.downloadDocument(as('anne'), id, {}))._unsafeUnwrap().stream);
      expect(await consultations(id)).toHaveLength(1);
      const sent = (await app.useCases.myDistribution(as('anne'), undefined, { limit: 100 }))._unsafeUnwrap().items.find((d) => d.id === id)!;
      expect(sent.recipientStatuses.find((r) => r.userId === 'marc')!.consultations.map((c) => c.version)).toEqual([1]);
    });

    it('a HEAD or a range past the first byte reads without opening; a range from byte 0 opens', async () => {
      const id = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, 'ranged bytes');
      const head = (await app.useCases.downloadDocument(as('marc'), id, { bodyless: true }))._unsafeUnwrap();
      head.stream.destroy();
      const later = (await app.useCases.downloadDocument(as('marc'), id, { range: (size) => ({ start: 7, end: size - 1 }) }))._unsafeUnwrap();
      expect(await text(later.stream)).toBe('bytes');
      expect(later.range).toEqual({ start: 7, end: 11 });
      expect(await consultations(id)).toEqual([]);
      const first = (await app.useCases.downloadDocument(as('marc'), id, { range: () => ({ start: 0, end: 5 }) }))._unsafeUnwrap();
      expect(await text(first.stream)).toBe('ranged');
      expect(await consultations(id)).toHaveLength(1);
    });

    it('an older version by its number, a version that never was is not found, and each version’s opening counts apart', async () => {
      const id = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, 'first');
      const limit = (await app.useCases.updateContent.check(as('anne'), id))._unsafeUnwrap();
      (await app.useCases.updateContent.store(as('anne'), id, limit, textFile('second', false, 'v2.txt')))._unsafeUnwrap();
      expect(await text((await app.useCases.downloadDocument(as('marc'), id, { version: 1 }))._unsafeUnwrap().stream)).toBe('first');
      const latest = (await app.useCases.downloadDocument(as('marc'), id, {}))._unsafeUnwrap();
      expect(latest.content).toMatchObject({ version: 2, fileName: 'v2.txt' });
      expect(await text(latest.stream)).toBe('second');
      expect((await app.useCases.downloadDocument(as('marc'), id, { version: 3 }))._unsafeUnwrapErr()).toEqual({ code: 'VERSION_NOT_FOUND', documentId: id, version: 3 });
      expect((await consultations(id)).map((c) => (c as { version: number }).version)).toEqual([1, 2]);
    });

    it('someone who is neither depositor nor recipient, a student and another tenant get nothing, and nothing is recorded', async () => {
      const id = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, 'private');
      for (const who of [as('paul'), as('leo'), as('nobody'), as('marc', 'elsewhere')]) {
        expect((await app.useCases.downloadDocument(who, id, {})).isErr()).toBe(true);
      }
      expect((await app.useCases.downloadDocument(as('marc'), 'no-such-document', {})).isErr()).toBe(true);
      expect(await consultations(id)).toEqual([]);
    });
  });
});
