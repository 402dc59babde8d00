import { ResultAsync } from 'neverthrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { BlobStore } from '../../src/application/ports/blob-store.js';
import { TOKENS } from '../../src/composition/compose.js';
import { sweepGraceMs, UNBOUNDED_UPLOAD_GRACE_MS } from '../../src/application/use-cases/sweep-blobs.js';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

/** Time that moves only when a test says so; the blob store's own file times follow the real one. */
const clock = { at: Date.now(), now: () => new Date(clock.at).toISOString() };
const HOUR = 3_600_000;

const bytes = (text: string) =>
  (async function* () {
    yield new TextEncoder().encode(text);
  })();

describe('the blob sweep at the application layer', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  const keys = async () => {
    const out: string[] = [];
    for await (const b of app.deps.blobs.list('school')) out.push(b.key);
    return out.sort();
  };
  /** Bytes committed with no event pointing at them: what a crash between the two leaves. */
  const orphan = async (text: string) => {
    const staged = (await app.deps.blobs.stage('school', bytes(text), 1_000_000))._unsafeUnwrap();
    (await staged.commit())._unsafeUnwrap();
    return staged.key;
  };

  beforeAll(async () => {
    app = await embeddedApp({ overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }) });
    categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
  });
  afterAll(() => app.stop());

  it('takes the school’s sweep lease as the sweep, for the CLI unless another holder is named', async () => {
    (await app.useCases.sweepBlobs(HOUR))._unsafeUnwrap();
    const taken = (await app.deps.events.readStream(app.deps.streams.sweepLease('school')))._unsafeUnwrap().at(-1)!;
    expect([taken.meta.actor, (taken.data as { holder: string }).holder]).toEqual(['system:sweep', 'cli']);
  });

  it('an orphan younger than the grace period stays; once older, it goes; bytes a live document uses always stay', async () => {
    clock.at = Date.now();
    const lost = await orphan(`orphan ${Math.random()}`);
    const live = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, `live ${Math.random()}`);
    const liveKey = (await app.useCases.getDocument(as('anne'), live))._unsafeUnwrap();
    const young = (await app.useCases.sweepBlobs(HOUR))._unsafeUnwrap();
    expect(young.deleted).not.toContain(lost);
    expect(young.examined).toBe((await keys()).length);
    expect(await keys()).toContain(lost);

    // Two hours on, the orphan is past the grace period of one.
    clock.at = Date.now() + 2 * HOUR;
    const old = (await app.useCases.sweepBlobs(HOUR))._unsafeUnwrap();
    expect(old.deleted).toContain(lost);
    expect(await keys()).not.toContain(lost);
    expect((await keys()).some((k) => k.endsWith(liveKey.sha256))).toBe(true);
    const got = (await app.useCases.downloadDocument(as('marc'), live, {}))._unsafeUnwrap();
    got.stream.destroy();
  });

  it('a deleted document’s bytes go once old enough; a staged upload never committed goes with the staging', async () => {
    clock.at = Date.now();
    const id = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, `deleted ${Math.random()}`);
    const sha = (await app.useCases.getDocument(as('anne'), id))._unsafeUnwrap().sha256;
    (await app.useCases.deleteForAll(as('anne'), id))._unsafeUnwrap();
    (await app.deps.blobs.stage('school', bytes('in flight'), 1_000_000))._unsafeUnwrap();
    clock.at = Date.now() + 2 * HOUR;
    const report = (await app.useCases.sweepBlobs(HOUR))._unsafeUnwrap();
    expect(report.deleted.some((k) => k.endsWith(sha))).toBe(true);
    expect(report.stagingRemoved).toBe(1);
    expect((await keys()).some((k) => k.endsWith(sha))).toBe(false);
  });

  it('a sweep on another node that took the bytes a commit had just found and touched loses nothing: the commit puts them back once its event is in (issue 31)', async () => {
    clock.at = Date.now();
    const text = `shared ${Math.random()}`;
    // Bytes already stored, that no event refers to: an orphan the sweep may take.
    const orphanKey = await orphan(text);
    const blobs = app.deps.blobs as BlobStore & { stage: BlobStore['stage']; sweepStaging: BlobStore['sweepStaging'] };
    const realStage = blobs.stage.bind(blobs);
    let between: (() => Promise<void>) | undefined;
    // Exactly between the deposit's commit (which finds the bytes and touches them) and its event:
    // node B's sweep, whose listing is older than the touch, sets them aside, reads the log to its
    // end (the deposit's event is not there yet) and drops them.
    blobs.stage = (t, c, m) => realStage(t, c, m).map((staged) => ({ ...staged, commit: () => staged.commit().andThen(() => ResultAsync.fromSafePromise((between?.() ?? Promise.resolve()).then(() => undefined))) }));
    let swept: string[] = [];
    between = async () => {
      between = undefined;
      const later = clock.at;
      // Node B's clock is hours ahead: its listing saw the bytes as old, as one taken before the
      // touch would (past the leases the tests before took, too). Its staging sweep is not part of
      // the race, and by that clock would take the upload in flight.
      clock.at = Date.now() + 3 * HOUR;
      const sweepStaging = blobs.sweepStaging;
      blobs.sweepStaging = async () => 0;
      try {
        swept = (await app.useCases.sweepBlobs(HOUR, 'node-b'))._unsafeUnwrap().deleted;
      } finally {
        blobs.sweepStaging = sweepStaging;
        clock.at = later;
      }
    };
    try {
      const id = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, text);
      expect(swept).toContain(orphanKey);
      expect((await app.useCases.getDocument(as('marc'), id))._unsafeUnwrap().sha256).toBe(orphanKey.split('/')[1]);
      const got = (await app.useCases.downloadDocument(as('marc'), id, {}))._unsafeUnwrap();
      let body = '';
      for await (const chunk of got.stream) body += Buffer.from(chunk as Uint8Array).toString('utf8');
      expect(body).toBe(text);
    } finally {
      blobs.stage = realStage;
    }
  });

  it('each school is swept by one node at a time: another node finds the lease taken and leaves it', async () => {
    clock.at = Date.now() + 5 * HOUR;
    const lost = await orphan(`orphan ${Math.random()}`);
    const byA = (await app.useCases.sweepBlobs(HOUR, 'node-a'))._unsafeUnwrap();
    expect(byA.deleted).toContain(lost);
    const again = await orphan(`orphan ${Math.random()}`);
    // node-a holds the lease for ten minutes: node-b sweeps nothing of this school meanwhile.
    const byB = (await app.useCases.sweepBlobs(HOUR, 'node-b'))._unsafeUnwrap();
    expect(byB.deleted).not.toContain(again);
    expect(byB.leftToAnotherNode).toEqual(['school']);
    clock.at += 11 * 60_000;
    expect((await app.useCases.sweepBlobs(HOUR, 'node-b'))._unsafeUnwrap().deleted).toContain(again);
  });

  it('the periodic sweep waits at least as long as the slowest upload the limits allow, a school\'s raised limit included (issue 31)', async () => {
    const bounds = { filesPerRequest: 20, minBytesPerSecond: 1024, idleTimeoutMs: 30_000 };
    const largest = Math.max(app.deps.defaultMaxDocumentBytes, app.deps.readModels.settings('school').maxDocumentBytes ?? 0);
    // 20 files of 50 MiB at 1 KiB/s: days, not the hour that aborted them.
    expect(sweepGraceMs(app.deps, bounds)).toBe(Math.ceil((20 * largest * 1000) / 1024 + 30_000));
    expect(sweepGraceMs(app.deps, { ...bounds, filesPerRequest: 1 })).toBeGreaterThanOrEqual((50 * 1024 * 1024 * 1000) / 1024);
    (await app.useCases.updateSettings(as('admin'), { maxDocumentBytes: 200 * 1024 * 1024 }))._unsafeUnwrap();
    expect(sweepGraceMs(app.deps, { ...bounds, filesPerRequest: 1 })).toBe(Math.ceil((200 * 1024 * 1024 * 1000) / 1024 + 30_000));
    // Fast minimums still wait the hour; no minimum at all, a week.
    expect(sweepGraceMs(app.deps, { ...bounds, filesPerRequest: 1, minBytesPerSecond: 1e9 })).toBe(HOUR);
    expect(sweepGraceMs(app.deps, { ...bounds, minBytesPerSecond: 0 })).toBe(UNBOUNDED_UPLOAD_GRACE_MS);
  });
});
