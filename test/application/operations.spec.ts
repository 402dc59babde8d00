import { errAsync } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { envelope } from '../../src/application/event-envelope.js';
import type { BlobStore } from '../../src/application/ports/blob-store.js';
import type { EventStore } from '../../src/application/ports/event-store.js';
import { useCases } from '../../src/application/use-cases.js';
import type { DocumentEvent } from '../../src/domain/index.js';
import { TOKENS } from '../../src/composition/compose.js';
import { as, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };

/** The same store with one method replaced: its prototype kept, so the rest still works. */
const withMethod = <T extends object>(store: T, name: string, method: unknown): T => Object.assign(Object.create(Object.getPrototypeOf(store)), store, { [name]: method }) as T;

describe('operations at the application layer: readiness, projector lag, retention settings', () => {
  let app: EmbeddedApp;
  beforeAll(async () => {
    app = await embeddedApp({ overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }) });
  });
  afterAll(() => app.stop());

  it('the lag counts the events not yet projected and the age of the oldest; none once caught up', async () => {
    (await app.useCases.catchUp())._unsafeUnwrap();
    expect((await app.useCases.projectorLag())._unsafeUnwrap()).toEqual({ events: 0, seconds: 0 });
    const toEnvelope = envelope('school', app.deps.ids);
    const at = new Date(clock.at).toISOString();
    for (const id of ['lag-1', 'lag-2']) {
      const event = { type: 'DocumentDeposited', data: { documentId: id, year: '2026-2027', depositorId: 'anne', title: id, categoryId: 'c', memo: null, recipientIds: ['marc'], named: ['marc'], classes: [], groups: [], content: { version: 1, blobKey: 'k', sha256: 'a'.repeat(64), sizeBytes: 1, fileName: 'f', mediaType: 'text/plain' }, source: 'upload' }, actor: 'anne', at } as DocumentEvent;
      (await app.deps.events.append(app.deps.streams.document('school', id), [toEnvelope(event)], 'no-stream'))._unsafeUnwrap();
    }
    clock.at += 90_000;
    expect((await app.useCases.projectorLag())._unsafeUnwrap()).toEqual({ events: 2, seconds: 90 });
    // A clock behind the event (another node's) is no negative lag.
    clock.at -= 180_000;
    expect((await app.useCases.projectorLag())._unsafeUnwrap()).toEqual({ events: 2, seconds: 0 });
    clock.at += 90_000;
    (await app.useCases.catchUp())._unsafeUnwrap();
    expect((await app.useCases.projectorLag())._unsafeUnwrap()).toEqual({ events: 0, seconds: 0 });
  });

  it('ready when both stores answer; otherwise the errors of those that do not', async () => {
    expect((await app.useCases.ready()).isOk()).toBe(true);
    const downLog = withMethod<EventStore>(app.deps.events, 'ping', () => errAsync({ code: 'STORE_UNAVAILABLE', message: 'log down' }));
    const downBlobs = withMethod<BlobStore>(app.deps.blobs, 'ping', () => errAsync({ code: 'BLOB_STORE_UNAVAILABLE', message: 'bucket down' }));
    expect((await useCases({ ...app.deps, events: downLog }).ready())._unsafeUnwrapErr()).toEqual([{ code: 'STORE_UNAVAILABLE', message: 'log down' }]);
    expect((await useCases({ ...app.deps, events: downLog, blobs: downBlobs }).ready())._unsafeUnwrapErr()).toEqual([
      { code: 'STORE_UNAVAILABLE', message: 'log down' },
      { code: 'BLOB_STORE_UNAVAILABLE', message: 'bucket down' },
    ]);
  });

  it('a retention on a category that does not exist is not found, as a category; an admin only', async () => {
    expect((await app.useCases.setCategoryRetention(as('admin'), 'no-such-category', 30))._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'category' });
    const id = (await app.useCases.createCategory(as('admin'), `Kept ${clock.at}`))._unsafeUnwrap().id;
    expect((await app.useCases.setCategoryRetention(as('admin'), id, 30))._unsafeUnwrap()).toMatchObject({ id, retentionDays: 30 });
    expect((await app.useCases.setCategoryRetention(as('anne'), id, 1)).isErr()).toBe(true);
    expect((await app.useCases.setCategoryRetention(as('admin'), id, null))._unsafeUnwrap()).toMatchObject({ id, retentionDays: null });
    // Another refusal of the rule is itself, not a missing category.
    expect((await app.useCases.setCategoryRetention(as('admin'), id, 0))._unsafeUnwrapErr()).toMatchObject({ code: 'INVALID_RETENTION' });
  });
});
