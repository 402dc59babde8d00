import { ResultAsync } from 'neverthrow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { SqliteEventStore } from '../../src/adapters/sqlite/sqlite-event-store.js';
import { envelope } from '../../src/application/event-envelope.js';
import { handle } from '../../src/application/handle-command.js';
import type { EventStore } from '../../src/application/ports/event-store.js';
import { appendOneByOne } from '../../src/adapters/shared/append-one-by-one.js';
import { documentDecider, type DocumentEvent } from '../../src/domain/index.js';
import { compose, TOKENS, type App } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';

/**
 * The one command path under races made deterministic: a wrapper around the real SQLite store
 * lets another writer in exactly between a command's read and its append, or holds back the
 * answer of a read the projector made, and the test says what must still hold.
 */
type Hooks = {
  /** Runs before an append reaches the store: another writer gets in here. */
  beforeAppend?: (inner: EventStore, stream: string) => Promise<void>;
  /** Holds back the answer of a log read (its rows are read at once). */
  holdReadAll?: () => Promise<void> | undefined;
};

const intercepted = (inner: EventStore, hooks: Hooks): EventStore => {
  const append: EventStore['append'] = (stream, events, expected) =>
    ResultAsync.fromSafePromise((hooks.beforeAppend?.(inner, stream) ?? Promise.resolve()).then(() => undefined)).andThen(() => inner.append(stream, events, expected));
  return {
    append,
    // Through the hooked `append`, one stream after another.
    appendMany: (appends) => appendOneByOne(append)(appends),
    readStream: (stream) => inner.readStream(stream),
    readAll: (options) => {
      const rows = inner.readAll(options);
      const hold = hooks.holdReadAll?.();
      return hold ? rows.andThen((r) => ResultAsync.fromSafePromise(hold.then(() => r))) : rows;
    },
    readDocumentsOfYear: inner.readDocumentsOfYear.bind(inner),
    ping: () => inner.ping(),
    close: () => inner.close(),
  };
};

const dirs: string[] = [];
const apps: App[] = [];
afterEach(async () => {
  for (const app of apps.splice(0)) await app.close();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A composed app whose event store token is overridden by the wrapper: the rest is the real graph. */
const start = async (hooks: Hooks) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-race-'));
  dirs.push(dir);
  const inner = new SqliteEventStore(join(dir, 'events.sqlite'), { synchronous: 'NORMAL' });
  const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40) }), (c) =>
    c.register(TOKENS.EventStore, { useValue: intercepted(inner, hooks) }),
  );
  apps.push(app);
  const uc = app.useCases;
  (await uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
  const categoryId = (await uc.createCategory({ tenant: 'school', userId: 'admin', scopes: [] }, 'Minutes'))._unsafeUnwrap().id;
  const anne = { tenant: 'school', userId: 'anne', scopes: [] };
  const checked = (await uc.depositDocument.check(anne, { recipients: { users: ['paul'], classes: [] }, categoryId }, undefined))._unsafeUnwrap();
  const content = (async function* () {
    yield new TextEncoder().encode('minutes');
  })();
  const doc = (await uc.depositDocument.store(checked, { fileName: 'm.txt', mediaType: 'text/plain', content, truncated: () => false }))._unsafeUnwrap().document;
  const stream = app.deps.streams.document('school', doc.id);
  const types = async () => (await inner.readStream(stream))._unsafeUnwrap().map((e) => [e.type, (e.data as { recipientIds?: string[] }).recipientIds]);
  return { app, uc, anne, doc, stream, inner, types };
};

/** Another depositor's session adds someone straight to the stream, at the revision it read. */
const otherWriterAdds = async (inner: EventStore, stream: string, recipientIds: string[]) => {
  const recorded = (await inner.readStream(stream))._unsafeUnwrap();
  const event: DocumentEvent = { type: 'RecipientAdded', data: { documentId: (recorded[0]!.data as { documentId: string }).documentId, recipientIds, named: recipientIds, classes: [], groups: [] }, actor: 'anne', at: new Date().toISOString() };
  (await inner.append(stream, [envelope('school', { newId: () => crypto.randomUUID(), derive: () => '', secret: () => '' })(event)], { revision: recorded.length - 1 }))._unsafeUnwrap();
};

describe('the one command path', () => {
  it('a write between the read and the append makes the command decide again on the new state, and land once', async () => {
    let armed = false;
    const { uc, anne, doc, types } = await start({
      beforeAppend: async (inner, stream) => {
        if (!armed || !stream.includes(':document:')) return;
        armed = false;
        await otherWriterAdds(inner, stream, ['sophie']);
      },
    });
    armed = true;
    const added = (await uc.addRecipients(anne, doc.id, { users: ['marc'], classes: [] }))._unsafeUnwrap();
    expect(await types()).toEqual([
      ['DocumentDeposited', ['paul']],
      ['RecipientAdded', ['sophie']],
      ['RecipientAdded', ['marc']],
    ]);
    // Read-your-writes: the answer already shows both writes.
    expect(added.recipients).toEqual(['marc', 'paul', 'sophie']);
  });

  it('when the other writer did the same thing, the command decides it is already done and records nothing', async () => {
    let armed = false;
    const { uc, anne, doc, types } = await start({
      beforeAppend: async (inner, stream) => {
        if (!armed || !stream.includes(':document:')) return;
        armed = false;
        await otherWriterAdds(inner, stream, ['marc']);
      },
    });
    armed = true;
    (await uc.addRecipients(anne, doc.id, { users: ['marc'], classes: [] }))._unsafeUnwrap();
    expect(await types()).toEqual([
      ['DocumentDeposited', ['paul']],
      ['RecipientAdded', ['marc']],
    ]);
  });

  it('a command that loses every race gives up with CONCURRENCY_CONFLICT after its attempts, and writes nothing of its own', async () => {
    let armed = false;
    let writes = 0;
    const { app, doc, stream, types } = await start({
      beforeAppend: async (inner, s) => {
        if (!armed || s !== stream) return;
        writes += 1;
        await otherWriterAdds(inner, s, [`staff-${writes}`]);
      },
    });
    armed = true;
    const command = { type: 'AddRecipients' as const, actorId: 'anne', at: new Date().toISOString(), documentId: doc.id, currentYear: '2026-2027', directory: app.deps.readModels.directoryView('school'), recipients: { users: ['marc'], classes: [] } };
    const result = await handle(app.deps, documentDecider, 'school', stream, { ...command, currentYear: doc.year }, { maxAttempts: 3 });
    expect(result._unsafeUnwrapErr()).toEqual({ code: 'CONCURRENCY_CONFLICT', stream });
    expect(writes).toBe(3);
    expect((await types()).filter(([, ids]) => ids?.includes('marc'))).toEqual([]);
  });

  it('read-your-writes: a catch-up that started before an append does not answer for it', async () => {
    // The first log read after arming is held, and says when it is inside: the command starts only
    // then, so the early catch-up has read the log before the command's append, whatever the
    // projector's scheduling (it waits a turn before reading since ADR 31, which once let this
    // test's hold be disarmed before the read it was meant for).
    let armed = false;
    let entered!: () => void;
    const inside = new Promise<void>((r) => (entered = r));
    let release!: () => void;
    const hold = new Promise<void>((r) => (release = r));
    const { app, uc, anne, doc } = await start({
      holdReadAll: () => {
        if (!armed) return undefined;
        armed = false;
        entered();
        return hold;
      },
    });
    armed = true;
    const early = app.deps.projector.catchUp();
    await inside;
    // A command lands meanwhile; its own catch-up must include it, not share the early one.
    const memo = uc.changeDocument(anne, doc.id, { memo: 'Read before Monday' });
    setTimeout(release, 50);
    expect((await memo)._unsafeUnwrap().memo).toBe('Read before Monday');
    expect((await early).isOk()).toBe(true);
  });
});
