import { errAsync } from 'neverthrow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { SqliteEventStore } from '../../src/adapters/sqlite/sqlite-event-store.js';
import { handle } from '../../src/application/handle-command.js';
import { takeLease, waves } from '../../src/application/lease.js';
import type { EventStore } from '../../src/application/ports/event-store.js';
import { appendOneByOne } from '../../src/adapters/shared/append-one-by-one.js';
import { documentDecider } from '../../src/domain/index.js';
import { compose, TOKENS, type App } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';

/**
 * The command path when the store says no for another reason than a race, and when a command
 * decides nothing: around the real SQLite store, a switch that makes appends fail as an unreachable
 * store does, and counters of what reached it.
 */
const dirs: string[] = [];
const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

const start = async () => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-failures-'));
  dirs.push(dir);
  const inner = new SqliteEventStore(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
  const seen = { appends: 0, reads: 0, failing: false, streamsRead: [] as string[] };
  const store: EventStore = {
    append: (stream, events, expected) => {
      seen.appends += 1;
      return seen.failing ? errAsync({ code: 'STORE_UNAVAILABLE', message: 'the store is down' }) : inner.append(stream, events, expected);
    },
    // Through `append` above, so that a failing store fails these too.
    appendMany: (appends) => appendOneByOne(store.append)(appends),
    readStream: (stream) => ((seen.reads += 1), seen.streamsRead.push(stream), inner.readStream(stream)),
    readAll: (options) => inner.readAll(options),
    readDocumentsOfYear: inner.readDocumentsOfYear.bind(inner),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
  const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_LOG_LEVEL: 'silent' }), (c) => c.register(TOKENS.EventStore, { useValue: store }));
  apps.push(app);
  (await app.useCases.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
  return { app, seen };
};

describe('the command path, beyond races', () => {
  it('a store that is down is answered at once: one attempt, its error, no retry as if it were a race', async () => {
    const { app, seen } = await start();
    seen.failing = true;
    seen.appends = 0;
    const r = await app.useCases.createCategory({ tenant: 'school', userId: 'admin', scopes: [] }, 'Minutes');
    expect(r._unsafeUnwrapErr()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(seen.appends).toBe(1);
  });

  it('a command that decides nothing writes nothing and answers with the stream as it is', async () => {
    const { app, seen } = await start();
    seen.appends = 0;
    const stream = app.deps.streams.document('school', 'never-deposited');
    const outcome = await handle(app.deps, documentDecider, 'school', stream, { type: 'Expire', actorId: 'system:retention', at: new Date().toISOString(), documentId: 'never-deposited', retentionDays: 30 });
    expect(outcome.isOk()).toBe(true);
    expect(outcome._unsafeUnwrap().events).toEqual([]);
    expect(seen.appends).toBe(0);
  });

  it('a deposit without an Idempotency-Key appends to its new stream without reading it first', async () => {
    const { app, seen } = await start();
    const uc = app.useCases;
    const categoryId = (await uc.createCategory({ tenant: 'school', userId: 'admin', scopes: [] }, 'Minutes'))._unsafeUnwrap().id;
    const anne = { tenant: 'school', userId: 'anne', scopes: [] };
    const checked = (await uc.depositDocument.check(anne, { recipients: { users: ['marc'], classes: [] }, categoryId }, undefined))._unsafeUnwrap();
    seen.streamsRead.length = 0;
    const doc = (await uc.depositDocument.store(checked, { fileName: 'm.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode('minutes'); })(), truncated: () => false }))._unsafeUnwrap().document;
    expect(seen.streamsRead).not.toContain(app.deps.streams.document('school', doc.id));
  });

  it('a lease taken on a store that is down is an error, not "someone else holds it"', async () => {
    const { app, seen } = await start();
    expect((await takeLease(app.deps, 'school', app.deps.streams.mailLease('school'), 'node-a', 60_000, 'system:mail'))._unsafeUnwrap()).toBe(true);
    expect((await takeLease(app.deps, 'school', app.deps.streams.mailLease('school'), 'node-b', 60_000, 'system:mail'))._unsafeUnwrap()).toBe(false);
    seen.failing = true;
    // A lease nobody holds yet, so taking it has to write.
    expect((await takeLease(app.deps, 'other', app.deps.streams.mailLease('other'), 'node-a', 60_000, 'system:mail'))._unsafeUnwrapErr()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
  });

  it('waves split work in order into groups of the size, the last one shorter', () => {
    expect(waves([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(waves([1, 2, 3], 3)).toEqual([[1, 2, 3]]);
    expect(waves([], 4)).toEqual([]);
  });

  it('refusals say why: a stranger is not in the directory, a student has no locker, a document is not found', async () => {
    const { app } = await start();
    const uc = app.useCases;
    expect((await uc.myLocker({ tenant: 'school', userId: 'nobody', scopes: [] }, {}, { limit: 10 }))._unsafeUnwrapErr()).toEqual({ code: 'FORBIDDEN', reason: 'user is not in the directory of this tenant' });
    expect((await uc.myLocker({ tenant: 'school', userId: 'leo', scopes: [] }, {}, { limit: 10 }))._unsafeUnwrapErr()).toEqual({ code: 'FORBIDDEN', reason: 'students have no locker' });
    expect((await uc.getDocument({ tenant: 'school', userId: 'anne', scopes: [] }, 'no-such-document'))._unsafeUnwrapErr()).toEqual({ code: 'NOT_FOUND', resource: 'document' });
  });
});
