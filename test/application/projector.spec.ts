import { readFileSync, statSync } from 'node:fs';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { errAsync, ok, type Result } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/adapters/config/config.js';
import { envelope } from '../../src/application/event-envelope.js';
import { Projector } from '../../src/application/projector.js';
import type { BatchWriter } from '../../src/adapters/sqlite/read-model-rebuild.js';
import type { SqliteReadModels } from '../../src/adapters/sqlite/sqlite-read-models.js';
import type { DocumentEvent } from '../../src/domain/index.js';
import { compose, TOKENS } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';

const DAY = 24 * 3600_000;

/** The value, or a failure that says what the error was. */
const must = <T, E>(r: Result<T, E>): T => {
  if (r.isErr()) throw new Error(JSON.stringify(r.error));
  return r.value;
};

const withApp = async (work: (app: Awaited<ReturnType<typeof compose>>, clock: { at: number }) => Promise<void>) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-projector-'));
  const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
  const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_LOG_LEVEL: 'silent' }), (c) => c.register(TOKENS.Clock, { useValue: clock }));
  try {
    await work(app, clock);
  } finally {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  }
};

/** `count` documents deposited for marc, written straight to the log (more than one batch of the projector). */
const depositsInLog = async (app: Awaited<ReturnType<typeof compose>>, tenant: string, count: number) => {
  const toEnvelope = envelope(tenant, app.deps.ids);
  for (let i = 0; i < count; i++) {
    const documentId = `doc-${i}`;
    const event = {
      type: 'DocumentDeposited',
      data: {
        documentId, year: '2026-2027', depositorId: 'anne', title: `Minutes ${i}`, categoryId: 'c', memo: null, recipientIds: ['marc'], named: ['marc'], classes: [], groups: [],
        content: { version: 1, blobKey: `k/${i}`, sha256: 'a'.repeat(64), sizeBytes: 1, fileName: 'm.pdf', mediaType: 'application/pdf' }, source: 'upload',
      },
      actor: 'anne',
      at: '2026-12-01T10:00:00.000Z',
    } as DocumentEvent;
    (await app.deps.events.append(app.deps.streams.document(tenant, documentId), [toEnvelope(event)], 'no-stream'))._unsafeUnwrap();
  }
};

/** The directory and `count` deposits projected as the service does: their read models. */
const projectedLive = async (app: Awaited<ReturnType<typeof compose>>, count: number) => {
  (await app.useCases.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
  await depositsInLog(app, 'school', count);
  (await app.deps.projector.catchUp())._unsafeUnwrap();
  return (app.deps.readModels as unknown as { dump(): Record<string, string[]> }).dump();
};

/** The read models, whose writer thread is from now on the one given (wrapping the real one). */
const writingThrough = (app: Awaited<ReturnType<typeof compose>>, wrap: (real: BatchWriter) => BatchWriter) => {
  const readModels = app.deps.readModels as SqliteReadModels;
  const real = readModels.writerThread!.bind(readModels);
  readModels.writerThread = () => wrap(real());
  return readModels;
};

/** How many events the log holds. */
const logSize = async (app: Awaited<ReturnType<typeof compose>>) => (await app.deps.events.readAll({ limit: 1_000_000 }))._unsafeUnwrap().length;

/** Counts the events the log hands out from now on. */
const countingReads = (app: Awaited<ReturnType<typeof compose>>) => {
  const events = app.deps.events as { readAll: typeof app.deps.events.readAll };
  const readAll = events.readAll.bind(events);
  const counted = { events: 0 };
  events.readAll = (options) => readAll(options).map((read) => ((counted.events += read.length), read));
  return counted;
};

/** The school's directory projected, then `count` deposits in the log and not projected yet. */
const backlogOf = async (app: Awaited<ReturnType<typeof compose>>, count: number) => {
  (await app.useCases.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
  (await app.deps.projector.catchUp())._unsafeUnwrap();
  await depositsInLog(app, 'school', count);
};

/** How many documents marc's locker lists for 2026-2027, page after page. */
const marcsDocuments = async (app: Awaited<ReturnType<typeof compose>>) => {
  const marc = { tenant: 'school', userId: 'marc', scopes: [] };
  let n = 0;
  for (let cursor: string | undefined; ; ) {
    const page = (await app.useCases.myLocker(marc, { year: '2026-2027' }, { cursor, limit: 100 }))._unsafeUnwrap();
    n += page.items.length;
    if (!page.nextCursor) return n;
    cursor = page.nextCursor;
  }
};

describe('the projector', () => {
  it('catches up over many batches and a rebuild projects the same, saying how far it got', async () => {
    await withApp(async (app) => {
      (await app.useCases.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, schoolDirectory))._unsafeUnwrap();
      // Past a rebuild's batch of 5,000 and a catch-up's of 500.
      await depositsInLog(app, 'school', 5_200);
      (await app.deps.projector.catchUp())._unsafeUnwrap();
      const count = () => marcsDocuments(app);
      expect(await count()).toBe(5_200);
      const total = await logSize(app);
      const seen: { applied: number }[] = [];
      const wal = join(app.config.LOCKER_DATA_DIR!, 'read-models.sqlite-wal');
      // The WAL header's checkpoint sequence number (bytes 12-15) moves each time the WAL starts
      // over after a checkpoint.
      const walRestarts: number[] = [];
      const end = (await app.useCases.rebuild((p) => (seen.push(p), walRestarts.push(readFileSync(wal).readUInt32BE(12)))))._unsafeUnwrap();
      // The rebuild's pages stay in the WAL (no checkpoint every 1,000 pages, though the first
      // batch wrote more) and one truncating checkpoint at its end writes them into the file.
      expect(walRestarts.length).toBeGreaterThanOrEqual(2);
      expect(new Set(walRestarts).size).toBe(1);
      expect(statSync(wal).size).toBe(0);
      expect(end).toBe(app.deps.readModels.checkpoint());
      expect(seen.length).toBeGreaterThanOrEqual(2);
      expect(seen.map((p) => p.applied)).toEqual([...seen.map((p) => p.applied)].sort((a, b) => a - b));
      expect(seen[0]!.applied).toBe(5_000);
      expect(seen[seen.length - 1]!.applied).toBe(total);
      expect(await count()).toBe(5_200);
      // The indexes a rebuild goes without are back, and the queries use them again.
      const file = new Database(join(app.config.LOCKER_DATA_DIR!, 'read-models.sqlite'), { readonly: true });
      try {
        const indexes = file.prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL").all().map((r) => r.name);
        expect(indexes).toEqual(expect.arrayContaining(['documents_by_depositor', 'documents_by_year', 'versions_by_blob', 'recipients_by_user', 'outbox_by_status', 'notifications_by_seq']));
        const plan = file.prepare('EXPLAIN QUERY PLAN SELECT * FROM recipients WHERE tenant = ? AND user_id = ? ORDER BY seq').all('school', 'marc') as { detail: string }[];
        expect(plan.map((p) => p.detail).join(' ')).toContain('recipients_by_user');
      } finally {
        file.close();
      }
    });
  });
});

describe('a rebuild’s writer thread (ADR 32)', () => {
  it('a writer that fails half-way leaves the rest to this thread, from the checkpoint it reached: the same read models, progress to the end', async () => {
    await withApp(async (app) => {
      const live = await projectedLive(app, 5_200);
      let batches = 0;
      let closed = false;
      const readModels = writingThrough(app, (real) => ({
        reset: () => real.reset(),
        stage: (events) => real.stage(events),
        commit: () => (++batches === 2 ? Promise.reject(new Error('the disk is full')) : real.commit()),
        close: async () => {
          await real.close();
          closed = true;
        },
      }));
      let onThisThread = 0;
      const apply = readModels.apply.bind(readModels);
      readModels.apply = (events) => {
        onThisThread += events.length;
        apply(events);
      };
      const seen: number[] = [];
      const end = (await app.useCases.rebuild((p) => seen.push(p.applied)))._unsafeUnwrap();
      const total = await logSize(app);
      expect(batches).toBe(2);
      expect(closed).toBe(true);
      // The first batch went through the thread, the rest here.
      expect(onThisThread).toBe(total - 5_000);
      expect(end).toBe(readModels.checkpoint());
      expect(seen[0]).toBe(5_000);
      expect(seen[seen.length - 1]).toBe(total);
      expect(readModels.dump()).toEqual(live);
    });
  });

  it('a writer that cannot even empty the read models leaves the whole rebuild to this thread, read once more and no further: the same read models', async () => {
    await withApp(async (app) => {
      const live = await projectedLive(app, 2_000);
      let writers = 0;
      const readModels = writingThrough(app, (real) => (writers++, { reset: () => Promise.reject(new Error('busy')), stage: (events) => real.stage(events), commit: () => real.commit(), close: () => real.close() }));
      let resets = 0;
      const reset = readModels.reset.bind(readModels);
      readModels.reset = () => (resets++, reset());
      const total = await logSize(app);
      const read = countingReads(app);
      (await app.useCases.rebuild())._unsafeUnwrap();
      expect(resets).toBe(1);
      // One writer only: what is left to this thread stays here, however long.
      expect(writers).toBe(1);
      // The writer's failure stops its reading at once: a page at most before the log is read here.
      expect(read.events).toBeLessThanOrEqual(total + 250);
      expect(readModels.dump()).toEqual(live);
    });
  });

  it('a writer whose first commit fails leaves the whole log to this thread, which keeps it: no second writer for the 5,000 events and more left', async () => {
    await withApp(async (app) => {
      const live = await projectedLive(app, 5_200);
      let writers = 0;
      const readModels = writingThrough(app, (real) => (writers++, { reset: () => real.reset(), stage: (events) => real.stage(events), commit: () => Promise.reject(new Error('the disk is full')), close: () => real.close() }));
      (await app.useCases.rebuild())._unsafeUnwrap();
      expect(writers).toBe(1);
      expect(readModels.dump()).toEqual(live);
    });
  });

  it('read models without a writer thread (in memory) are rebuilt on this thread: emptied first, the same read models', async () => {
    await withApp(async (app) => {
      const live = await projectedLive(app, 300);
      const readModels = app.deps.readModels as SqliteReadModels;
      readModels.writerThread = undefined;
      let resets = 0;
      const reset = readModels.reset.bind(readModels);
      readModels.reset = () => (resets++, reset());
      (await app.useCases.rebuild())._unsafeUnwrap();
      expect(resets).toBe(1);
      expect(readModels.dump()).toEqual(live);
    });
  });

  it('a log that fails mid-rebuild is an error value; the writer is let go of, and the next catch-up goes on from where it got', async () => {
    await withApp(async (app) => {
      const live = await projectedLive(app, 5_200);
      let closed = false;
      const readModels = writingThrough(app, (real) => ({ reset: () => real.reset(), stage: (events) => real.stage(events), commit: () => real.commit(), close: async () => ((await real.close()), (closed = true), undefined) }));
      const events = app.deps.events as { readAll: typeof app.deps.events.readAll };
      const readAll = events.readAll.bind(events);
      let reads = 0;
      // The page after the first commit (5,000 events, read in pages of 250).
      events.readAll = (options) => (++reads === 21 ? errAsync({ code: 'STORE_UNAVAILABLE' as const, message: 'the log is gone' }) : readAll(options));
      const failed = await app.useCases.rebuild();
      expect(failed.isErr() && failed.error).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect(closed).toBe(true);
      // The commit before the failure was written, and nothing after it.
      expect(readModels.checkpoint()).toBeGreaterThan(0n);
      expect(readModels.checkpoint()).toBeLessThan(await logSize(app) + 1);
      events.readAll = readAll;
      (await app.deps.projector.catchUp())._unsafeUnwrap();
      expect(readModels.dump()).toEqual(live);
    });
  });
});

describe('a long backlog', () => {
  it('is projected on this thread, a batch a transaction: listeners hear of each commit, and the read models are those a rebuild makes', async () => {
    await withApp(async (app) => {
      await backlogOf(app, 10_000);
      const heard: bigint[] = [];
      app.deps.projector.onProjected((checkpoint) => heard.push(checkpoint));
      const reached = (await app.deps.projector.catchUp())._unsafeUnwrap();
      const last = (await app.deps.events.readAll({ after: reached - 1n, limit: 2 }))._unsafeUnwrap();
      expect(last.map((e) => e.position)).toEqual([reached]);
      expect(heard).toHaveLength(20);
      expect(heard).toEqual([...heard].sort((a, b) => (a < b ? -1 : 1)));
      expect(heard.at(-1)).toBe(reached);
      expect(await marcsDocuments(app)).toBe(10_000);
      const caughtUp = (app.deps.readModels as SqliteReadModels).dump();
      (await app.deps.projector.rebuild())._unsafeUnwrap();
      expect((app.deps.readModels as SqliteReadModels).dump()).toEqual(caughtUp);
    });
  });
});

describe('a rebuild asked while a catch-up runs', () => {
  it('waits for it: the rebuilt models hold every event once, as a rebuild on its own makes them', async () => {
    await withApp(async (app) => {
      // In the log, not projected yet: the catch-up below takes several batches.
      await backlogOf(app, 1_200);
      const dump = () => (app.deps.readModels as unknown as { dump(): Record<string, string[]> }).dump();
      const catching = app.deps.projector.catchUp();
      const rebuilt = app.deps.projector.rebuild();
      (await catching)._unsafeUnwrap();
      (await rebuilt)._unsafeUnwrap();
      const together = dump();
      expect(together.documents).toHaveLength(1_200);
      (await app.deps.projector.rebuild())._unsafeUnwrap();
      expect(dump()).toEqual(together);
    });
  });
});

describe('retention, tenant by tenant', () => {
  it('`--tenant` expires that tenant’s documents only, as the system, and erasing lists each person’s own erasure', async () => {
    await withApp(async (app, clock) => {
      const uc = app.useCases;
      for (const tenant of ['school', 'other']) {
        must(await uc.syncDirectory({ tenant, userId: 'sync', scopes: ['directory:write'] }, schoolDirectory));
        const admin = { tenant, userId: 'admin', scopes: [] };
        const category = must(await uc.createCategory(admin, 'Absences')).id;
        must(await uc.setCategoryRetention(admin, category, 30));
        const anne = { tenant, userId: 'anne', scopes: [] };
        const checked = must(await uc.depositDocument.check(anne, { recipients: { users: ['marc'], classes: [] }, categoryId: category }, undefined));
        const stored = await uc.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode('slip'); })(), truncated: () => false });
        if (stored.isErr()) throw new Error(JSON.stringify(stored.error));
      }
      clock.at += 31 * DAY;
      expect(must(await uc.applyRetention({ tenant: 'school' }))).toEqual({ dryRun: false, expired: 1, byTenant: { school: 1 } });
      const expired = must(await app.deps.events.readAll({ limit: 10_000 })).filter((e) => e.type === 'DocumentExpired');
      expect(expired.map((e) => [e.meta.tenant, e.meta.actor])).toEqual([['school', 'system:retention']]);
      expect(must(await uc.myLocker({ tenant: 'other', userId: 'marc', scopes: [] }, {}, { limit: 10 })).items).toHaveLength(1);
      expect(must(await uc.myLocker({ tenant: 'school', userId: 'marc', scopes: [] }, {}, { limit: 10 })).items).toHaveLength(0);

      // Two people leave and are erased: each erasure answers with its own person.
      const leaving = {
        ...schoolDirectory,
        users: schoolDirectory.users.filter((u) => u.id !== 'sophie' && u.id !== 'paul'),
        classes: schoolDirectory.classes.map((c) => ({ ...c, teacherIds: c.teacherIds.filter((t) => t !== 'sophie' && t !== 'paul') })),
      };
      must(await uc.syncDirectory({ tenant: 'school', userId: 'sync', scopes: ['directory:write'] }, leaving as typeof schoolDirectory));
      const admin = { tenant: 'school', userId: 'admin', scopes: [] };
      const first = await uc.erasures.erase(admin, 'sophie');
      if (first.isErr()) throw new Error(JSON.stringify(first.error));
      expect(first.value.userId).toBe('sophie');
      clock.at += 1000;
      expect(must(await uc.erasures.erase(admin, 'paul'))).toMatchObject({ userId: 'paul', actorId: 'admin', reason: 'request' });
      // Asked again, an erasure done before answers with that one, not with the newest.
      clock.at += 1000;
      expect(must(await uc.erasures.erase(admin, 'sophie'))).toMatchObject({ userId: 'sophie', at: first.value.at });
    });
  });
});

describe('whoever listens to the projector', () => {
  it('hears of each batch applied, with the checkpoint reached; nothing when there was nothing to apply; nothing once it stopped listening', async () => {
    await withApp(async (app) => {
      const heard: bigint[] = [];
      const stop = app.deps.projector.onProjected((reached) => heard.push(reached));
      must(await app.deps.projector.catchUp());
      const before = heard.length;
      // Nothing new in the log: no batch, no news.
      must(await app.deps.projector.catchUp());
      expect(heard.length).toBe(before);
      // Past one catch-up batch (500): two batches, each with where it got.
      await depositsInLog(app, 'school', 600);
      must(await app.deps.projector.catchUp());
      expect(heard.length).toBe(before + 2);
      expect(heard.at(-1)).toBe(app.deps.readModels.checkpoint());
      expect(heard.at(-2)!).toBeLessThan(heard.at(-1)!);
      stop();
      await depositsInLog(app, 'other', 1);
      must(await app.deps.projector.catchUp());
      expect(heard.length).toBe(before + 2);
    });
  });
});

describe('a backlog', () => {
  it('is projected 500 events a transaction, with turns of the event loop between them', async () => {
    await withApp(async (app) => {
      must(await app.deps.projector.catchUp());
      const start = app.deps.readModels.checkpoint();
      await depositsInLog(app, 'school', 1_600);
      const heard: bigint[] = [];
      app.deps.projector.onProjected((reached) => heard.push(reached));
      let turns = 0;
      const ticking = setInterval(() => (turns += 1), 0);
      const turnsBefore = turns;
      const caught = app.deps.projector.catchUp();
      let turnsWhileCatchingUp = 0;
      void caught.then(() => (turnsWhileCatchingUp = turns - turnsBefore));
      must(await caught);
      clearInterval(ticking);
      expect(heard.map((p) => Number(p - start))).toEqual([500, 1_000, 1_500, 1_600]);
      // A server catching up keeps its timers (and its sockets) served meanwhile.
      expect(turnsWhileCatchingUp).toBeGreaterThanOrEqual(2);
    });
  });
});

describe('a projector stopping', () => {
  it('answers the catch-up a turn of the event loop away that closing overtook, runs nothing on closed stores, starts nothing after', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'locker-projector-stop-'));
    const rejections: unknown[] = [];
    const onRejection = (e: unknown) => rejections.push(e);
    process.on('unhandledRejection', onRejection);
    try {
      const app = await compose(loadConfig({ LOCKER_DATA_DIR: dir, LOCKER_JWT_SECRET: 'x'.repeat(40), LOCKER_SQLITE_SYNCHRONOUS: 'NORMAL', LOCKER_LOG_LEVEL: 'silent' }));
      await depositsInLog(app, 'school', 10);
      // Asked, not awaited, as the server's poll does: it starts a turn later, after close began.
      const pending = app.deps.projector.catchUp();
      await app.close();
      expect((await pending)._unsafeUnwrapErr()).toMatchObject({ code: 'STORE_UNAVAILABLE', message: expect.stringContaining('stopped') });
      expect((await app.deps.projector.catchUp())._unsafeUnwrapErr()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      expect((await app.deps.projector.rebuild())._unsafeUnwrapErr()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(rejections).toEqual([]);
    } finally {
      process.off('unhandledRejection', onRejection);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers a store that throws with an error value, never a rejected promise', async () => {
    const broken = new Projector(
      { readAll: () => { throw new Error('disk I/O error'); } } as never,
      { checkpoint: () => 0n } as never,
    );
    expect((await broken.catchUp())._unsafeUnwrapErr()).toEqual({ code: 'STORE_UNAVAILABLE', message: 'the read models: disk I/O error' });
  });
});

describe('a listener that throws', () => {
  it('is dropped and leaves the projection, and the other listeners, as they were', async () => {
    await withApp(async (app) => {
      const heard: bigint[] = [];
      let thrown = 0;
      app.deps.projector.onProjected(() => {
        thrown += 1;
        throw new Error('a reader gone wrong');
      });
      app.deps.projector.onProjected((reached) => heard.push(reached));
      await depositsInLog(app, 'school', 1);
      expect(must(await app.deps.projector.catchUp())).toBe(app.deps.readModels.checkpoint());
      await depositsInLog(app, 'other', 1);
      must(await app.deps.projector.catchUp());
      expect(thrown).toBe(1);
      expect(heard).toHaveLength(2);
      expect(heard.at(-1)).toBe(app.deps.readModels.checkpoint());
    });
  });
});

/** A log and read models in memory: what the projector asks of them, and nothing else. */
const inMemory = (count: number) => {
  const log = Array.from({ length: count }, (_, i) => ({ id: `e${i}`, stream: 's', revision: i, position: BigInt(i + 1), type: 'CategoryCreated', data: {}, meta: { actor: 'a', at: '2026-12-01T10:00:00.000Z', tenant: 'school', schemaVersion: 1 } }));
  let checkpoint = 0n;
  const rebuilds: number[] = [];
  const events = { readAll: async ({ after, limit }: { after: bigint; limit: number }) => ok(log.filter((e) => e.position > after).slice(0, limit)) };
  const readModels = {
    checkpoint: () => checkpoint,
    apply: (batch: readonly { position: bigint }[]) => void (checkpoint = batch.at(-1)!.position),
    // Projects what the log held when it started: the rest is the catch-up's.
    rebuild: async (read: (after: bigint, limit: number) => Promise<Result<readonly { position: bigint }[], unknown>>, committed: (applied: number, tenants: ReadonlySet<string>) => void) => {
      // A real one empties the read models before it reads anything.
      rebuilds.push(0);
      const page = (await read(0n, 3))._unsafeUnwrap();
      checkpoint = page.at(-1)!.position;
      committed(page.length, new Set(['school']));
      return ok(page.length);
    },
  };
  return { log, events, readModels, rebuilds };
};

describe('a rebuild, on fakes (issue 37)', () => {
  it('counts what it projected and what was appended meanwhile together, up to the whole log', async () => {
    const { events, readModels } = inMemory(5);
    const projector = new Projector(events as never, readModels as never);
    const seen: number[] = [];
    expect((await projector.rebuild((p) => seen.push(p.applied)))._unsafeUnwrap()).toBe(5n);
    expect(seen).toEqual([3, 5]);
  });

  it('once stopped, leaves the read models untouched', async () => {
    const { events, readModels, rebuilds } = inMemory(5);
    const projector = new Projector(events as never, readModels as never);
    await projector.stop();
    expect((await projector.rebuild())._unsafeUnwrapErr()).toMatchObject({ code: 'STORE_UNAVAILABLE' });
    expect(rebuilds).toEqual([]);
  });
});
