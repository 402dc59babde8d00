import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handle } from '../../src/application/handle-command.js';
import { TOKENS } from '../../src/composition/compose.js';
import { documentDecider } from '../../src/domain/index.js';
import { as, deposited, embeddedApp, type EmbeddedApp } from '../support/embedded-app.js';

/** Time that moves only when a test says so; the blob store's own file times follow the real one. */
const clock = { at: Date.now(), now: () => new Date(clock.at).toISOString() };
const DAY = 86_400_000;

describe('quarantined bytes (issue 34)', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  const keys = async () => {
    const out: string[] = [];
    for await (const b of app.deps.blobs.list('school')) out.push(b.key);
    return out;
  };

  beforeAll(async () => {
    app = await embeddedApp({ overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }) });
    categoryId = (await app.useCases.createCategory(as('admin'), 'Minutes'))._unsafeUnwrap().id;
  });
  afterAll(() => app.stop());

  it('are kept for the admins until the retention they set has passed, then swept; the version stays quarantined', async () => {
    clock.at = Date.now();
    const id = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, `infected ${Math.random()}`);
    const key = (await app.deps.events.readStream(app.deps.streams.document('school', id)))._unsafeUnwrap()[0]!.data as { content: { blobKey: string } };
    (await handle(app.deps, documentDecider, 'school', app.deps.streams.document('school', id), { type: 'RecordScan', actorId: 'system:scanner', at: clock.now(), documentId: id, version: 1, verdict: { infected: true, signature: 'Eicar-Test-Signature' } }))._unsafeUnwrap();

    // Kept by default, whatever the time.
    clock.at += 400 * DAY;
    (await app.useCases.sweepBlobs(0))._unsafeUnwrap();
    expect(await keys()).toContain(key.content.blobKey);

    // An admin keeps such bytes 30 days: refused outside 1..3650, then set.
    expect((await app.useCases.updateSettings(as('admin'), { quarantineRetentionDays: 0 }))._unsafeUnwrapErr()).toMatchObject({ code: 'INVALID_RETENTION' });
    expect((await app.useCases.updateSettings(as('admin'), { quarantineRetentionDays: 30 }))._unsafeUnwrap()).toMatchObject({ quarantineRetentionDays: 30 });
    // 400 days after the scan found it: past the retention, the bytes go.
    (await app.useCases.sweepBlobs(0))._unsafeUnwrap();
    expect(await keys()).not.toContain(key.content.blobKey);
    const download = await app.useCases.downloadDocument(as('marc'), id, {});
    expect(download._unsafeUnwrapErr()).toMatchObject({ code: 'QUARANTINED' });
    expect((await app.useCases.scans.quarantine(as('admin'), { limit: 10 }))._unsafeUnwrap().items.map((q) => q.documentId)).toEqual([id]);
  });

  it('within the retention, the bytes stay', async () => {
    clock.at = Date.now();
    const id = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId, `recent ${Math.random()}`);
    const key = ((await app.deps.events.readStream(app.deps.streams.document('school', id)))._unsafeUnwrap()[0]!.data as { content: { blobKey: string } }).content.blobKey;
    (await handle(app.deps, documentDecider, 'school', app.deps.streams.document('school', id), { type: 'RecordScan', actorId: 'system:scanner', at: clock.now(), documentId: id, version: 1, verdict: { infected: true, signature: 'X' } }))._unsafeUnwrap();
    clock.at += 29 * DAY;
    (await app.useCases.sweepBlobs(0))._unsafeUnwrap();
    expect(await keys()).toContain(key);
  });
});
