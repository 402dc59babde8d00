import { describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/compose.js';
import { CELL } from '../../src/application/streams.js';
import { as, deposited, embeddedApp } from '../support/embedded-app.js';

// The auditors read who did what: what the server's own jobs write is signed by the job, not by
// whoever the job acts for, nor by nobody (issue 37).

const DAY = 24 * 3_600_000;

describe('what the jobs write is signed by the job', () => {
  it('due reminders by the scheduler, expiries by retention, leases by the sweep and the snapshots', async () => {
    const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
    const app = await embeddedApp({ env: { LOCKER_SNAPSHOT_EVERY_MINUTES: '60', LOCKER_NODE_ID: 'node-1' }, overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }) });
    try {
      const uc = app.useCases;
      const categoryId = (await uc.createCategory(as('admin'), 'Absences'))._unsafeUnwrap().id;
      (await uc.setCategoryRetention(as('admin'), categoryId, 2))._unsafeUnwrap();
      const checked = (await uc.depositDocument.check(as('anne'), { recipients: { users: ['marc'], classes: [] }, categoryId, acknowledgement: { required: true, dueAt: new Date(clock.at + DAY).toISOString() } }, undefined))._unsafeUnwrap();
      const asked = (await uc.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: (async function* () { yield new Uint8Array([1]); })(), truncated: () => false }))._unsafeUnwrap().document.id;
      const expiring = await deposited(app, 'anne', { users: ['marc'], classes: [] }, categoryId);
      clock.at += DAY;
      expect((await uc.remindDue())._unsafeUnwrap().reminded).toBe(1);
      clock.at += DAY;
      expect((await uc.applyRetention())._unsafeUnwrap().expired).toBe(2);
      (await uc.sweepBlobs(0, 'node-1'))._unsafeUnwrap();
      (await uc.snapshots.take('node-1'))._unsafeUnwrap();
      const actors = async (stream: string, type: string) => (await app.deps.events.readStream(stream))._unsafeUnwrap().filter((e) => e.type === type).map((e) => e.meta.actor);
      expect(await actors(app.deps.streams.document('school', asked), 'ReminderSent')).toEqual(['system:scheduler']);
      expect(await actors(app.deps.streams.document('school', expiring), 'DocumentExpired')).toEqual(['system:retention']);
      expect(await actors(app.deps.streams.sweepLease('school'), 'MailLeaseTaken')).toEqual(['system:sweep']);
      expect(await actors(app.deps.streams.snapshotLease(), 'MailLeaseTaken')).toEqual(['system:snapshot']);
      expect(app.deps.streams.snapshotLease().startsWith(`${CELL}:`)).toBe(true);
    } finally {
      await app.stop();
    }
  });
});
