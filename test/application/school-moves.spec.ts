import { okAsync } from 'neverthrow';
import { describe, expect, it } from 'vitest';
import type { Mailer, OutgoingMail } from '../../src/application/ports/mailer.js';
import type { Directory } from '../../src/domain/index.js';
import { TOKENS } from '../../src/composition/compose.js';
import { schoolDirectory } from '../support/fixtures.js';
import { as, embeddedApp } from '../support/embedded-app.js';

// A school being imported into a running cell (ADR 54): the cell's jobs write nothing to it until
// the import is finished, since each would put an event in its history that its archive does not
// have. Two schools share user ids; only the one being imported is left alone.

const DAY = 24 * 3_600_000;
const directory: Directory = { ...schoolDirectory, users: schoolDirectory.users.map((u) => ({ ...u, email: `${u.id}@school.test` })) };

describe('a school being imported is left alone by the cell’s jobs', () => {
  it('reminders, retention, the sweep and the mail dispatch write nothing to it until the import is finished; the other school is served', async () => {
    const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
    const sent: OutgoingMail[] = [];
    const mailer: Mailer = { send: (mail) => (sent.push(mail), okAsync(undefined)), close: () => undefined };
    const app = await embeddedApp({
      tenants: [],
      env: { LOCKER_MAIL_FROM: 'casier@school.test' },
      overrides: (c) => (c.register(TOKENS.Clock, { useValue: clock }), c.register(TOKENS.Mailer, { useValue: mailer })),
    });
    try {
      const uc = app.useCases;
      for (const tenant of ['moving', 'staying']) {
        (await uc.syncDirectory(as('s', tenant, ['directory:write']), directory))._unsafeUnwrap();
        const categoryId = (await uc.createCategory(as('admin', tenant), 'Absences'))._unsafeUnwrap().id;
        (await uc.setCategoryRetention(as('admin', tenant), categoryId, 2))._unsafeUnwrap();
        const checked = (await uc.depositDocument.check(as('anne', tenant), { recipients: { users: ['marc'], classes: [] }, categoryId, acknowledgement: { required: true, dueAt: new Date(clock.at + DAY).toISOString() } }, undefined))._unsafeUnwrap();
        (await uc.depositDocument.store(checked, { fileName: 'a.txt', mediaType: 'text/plain', content: (async function* () { yield new TextEncoder().encode(tenant); })(), truncated: () => false }))._unsafeUnwrap();
      }
      (await uc.schoolMoves.started('moving'))._unsafeUnwrap();
      expect([...(await uc.schoolMoves.importing())._unsafeUnwrap()]).toEqual(['moving']);
      const events = async (tenant: string) => (await app.deps.events.readAll({ tenant, limit: 100_000 }))._unsafeUnwrap().length;
      const before = { moving: await events('moving'), staying: await events('staying') };

      const runAll = async () => {
        const mail = (await app.mail!.tick())._unsafeUnwrap();
        clock.at += DAY;
        const reminded = (await uc.remindDue())._unsafeUnwrap().reminded;
        clock.at += DAY;
        const expired = (await uc.applyRetention())._unsafeUnwrap();
        const swept = (await uc.sweepBlobs(0, 'node-1'))._unsafeUnwrap();
        return { mail, reminded, expired, swept };
      };
      const held = await runAll();
      expect(await events('moving')).toBe(before.moving);
      expect(await events('staying')).toBeGreaterThan(before.staying);
      expect(held.reminded).toBe(1);
      expect(held.expired.byTenant).toEqual({ staying: 1 });
      // The sweep took the staying school's lease only.
      const leases = async (tenant: string) => (await app.deps.events.readStream(app.deps.streams.sweepLease(tenant)))._unsafeUnwrap().length;
      expect([await leases('moving'), await leases('staying')]).toEqual([0, 1]);
      expect(held.swept.leftToAnotherNode).toEqual([]);
      expect(sent.map((m) => m.to.address)).toEqual(['marc@school.test']);
      expect(held.mail.sent).toBe(1);

      // Here whole: the jobs take it on at their next run (its mail is old news by now, and skipped).
      (await uc.schoolMoves.finished('moving'))._unsafeUnwrap();
      expect([...(await uc.schoolMoves.importing())._unsafeUnwrap()]).toEqual([]);
      const after = await runAll();
      expect(await events('moving')).toBeGreaterThan(before.moving);
      expect(after.expired.byTenant).toEqual({ moving: 1 });
      // The reminder that fell due while it was held goes now, once.
      expect(after.reminded).toBe(1);
    } finally {
      await app.stop();
    }
  });
});
