import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TOKENS } from '../../src/composition/compose.js';
import { as, embeddedApp, textFile, type EmbeddedApp } from '../support/embedded-app.js';

/** Time that moves only when a test says so. */
const clock = { at: Date.parse('2026-12-01T10:00:00.000Z'), now: () => new Date(clock.at).toISOString() };
const DAY = 24 * 3_600_000;

describe('acknowledgements, receipts, reminders and mail preferences at the application layer', () => {
  let app: EmbeddedApp;
  let categoryId: string;
  const uc = () => app.useCases;
  /** A document Anne asks Marc and Paul to acknowledge, by `dueAt` if given. */
  const asked = async (dueAt?: string) => {
    const checked = (await uc().depositDocument.check(as('anne'), { recipients: { users: ['marc', 'paul'], classes: [] }, categoryId, acknowledgement: { required: true, dueAt } }, undefined))._unsafeUnwrap();
    return (await uc().depositDocument.store(checked, textFile('please sign')))._unsafeUnwrap().document.id;
  };
  const open = async (who: string, id: string) => {
    const got = (await uc().downloadDocument(as(who), id, {}))._unsafeUnwrap();
    got.stream.destroy();
  };

  beforeAll(async () => {
    app = await embeddedApp({ overrides: (c) => c.register(TOKENS.Clock, { useValue: clock }) });
    categoryId = (await app.useCases.createCategory(as('admin'), 'Circulars'))._unsafeUnwrap().id;
  });
  afterAll(() => app.stop());

  it('a recipient acknowledges the latest version once opened; once is enough; others may not', async () => {
    const id = await asked();
    expect((await uc().acknowledgeDocument(as('marc'), id))._unsafeUnwrapErr()).toEqual({ code: 'NOT_OPENED', documentId: id, version: 1 });
    await open('marc', id);
    expect((await uc().acknowledgeDocument(as('marc'), id))._unsafeUnwrap()).toEqual({ acknowledgedVersion: 1 });
    expect((await uc().acknowledgeDocument(as('marc'), id))._unsafeUnwrap()).toEqual({ acknowledgedVersion: 1 });
    const acks = (await app.deps.events.readStream(app.deps.streams.document('school', id)))._unsafeUnwrap().filter((e) => e.type === 'DocumentAcknowledged');
    expect(acks).toHaveLength(1);
    expect((await uc().acknowledgeDocument(as('anne'), id))._unsafeUnwrapErr()).toEqual({ code: 'NOT_A_RECIPIENT', documentId: id });
    expect((await uc().acknowledgeDocument(as('sophie'), id)).isErr()).toBe(true);
  });

  it('receipts: per recipient, what they opened and acknowledged, and their reminders; for the depositor only', async () => {
    const id = await asked();
    await open('marc', id);
    (await uc().acknowledgeDocument(as('marc'), id))._unsafeUnwrap();
    const reminded = (await uc().remindRecipients(as('anne'), id))._unsafeUnwrap();
    expect(reminded).toEqual({ reminded: ['paul'] });
    // Not twice the same day.
    expect((await uc().remindRecipients(as('anne'), id))._unsafeUnwrapErr()).toMatchObject({ code: 'REMINDER_TOO_SOON' });
    const receipts = (await uc().documentReceipts(as('anne'), id, { limit: 100 }))._unsafeUnwrap().items;
    const byUser = Object.fromEntries(receipts.map((r) => [r.userId, r]));
    expect(byUser.marc).toMatchObject({ displayName: 'Marc Petit', opened: [{ version: 1, at: clock.now() }], acknowledged: { version: 1, at: clock.now() }, acknowledgedCurrent: true, reminders: [] });
    expect(byUser.paul).toMatchObject({ displayName: 'Paul Durand', opened: [], acknowledged: null, acknowledgedCurrent: false, reminders: [{ at: clock.now(), reason: 'manual' }] });
    expect((await uc().documentReceipts(as('marc'), id, { limit: 100 }))._unsafeUnwrapErr()).toEqual({ code: 'NOT_DEPOSITOR', documentId: id });
    expect((await uc().documentReceipts(as('sophie'), id, { limit: 100 })).isErr()).toBe(true);
    expect((await uc().documentReceipts(as('leo'), id, { limit: 100 }))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
  });

  it('the scheduler reminds those who owe an acknowledgement once it is due, and only once', async () => {
    const id = await asked(new Date(clock.at + DAY).toISOString());
    await open('paul', id);
    (await uc().acknowledgeDocument(as('paul'), id))._unsafeUnwrap();
    const reminders = async () => (await app.deps.events.readStream(app.deps.streams.document('school', id)))._unsafeUnwrap().filter((e) => e.type === 'ReminderSent').map((e) => e.data);
    (await uc().remindDue())._unsafeUnwrap();
    expect(await reminders()).toEqual([]);
    clock.at += DAY;
    expect((await uc().remindDue())._unsafeUnwrap().reminded).toBeGreaterThanOrEqual(1);
    expect(await reminders()).toEqual([{ documentId: id, userIds: ['marc'], reason: 'due' }]);
    clock.at += DAY;
    (await uc().remindDue())._unsafeUnwrap();
    expect(await reminders()).toHaveLength(1);
  });

  it('mail preferences: a person’s own choices over the tenant’s defaults, theirs alone', async () => {
    const before = (await uc().myPreferences(as('sophie')))._unsafeUnwrap();
    expect(before.own).toEqual({});
    expect(before.effective.email).toBe(true);
    const quiet = { start: '20:00', end: '07:00' };
    const after = (await uc().setMyPreferences(as('sophie'), { email: false, quietHours: quiet }))._unsafeUnwrap();
    expect(after.own).toEqual({ email: false, quietHours: quiet });
    expect(after.effective).toMatchObject({ email: false, quietHours: quiet });
    expect((await uc().myPreferences(as('sophie')))._unsafeUnwrap()).toEqual(after);
    expect((await uc().myPreferences(as('marc')))._unsafeUnwrap().own).toEqual({});
    const cleared = (await uc().setMyPreferences(as('sophie'), { quietHours: null }))._unsafeUnwrap();
    // null says "no quiet hours of my own" (the tenant's apply), which is kept as said.
    expect(cleared.own).toEqual({ email: false, quietHours: null });
    expect(cleared.effective.quietHours).toEqual(before.effective.quietHours);
    expect((await uc().myPreferences(as('leo')))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    expect((await uc().setMyPreferences(as('nobody'), { email: true }))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
  });

  it('the outbox is the admins’; a server without SMTP says mail is off; limits and lag are read from the models', async () => {
    expect((await uc().mailOutbox(as('anne'), undefined, { limit: 10 }))._unsafeUnwrapErr().code).toBe('FORBIDDEN');
    const outbox = (await uc().mailOutbox(as('admin'), undefined, { limit: 10 }))._unsafeUnwrap();
    expect(outbox.mailEnabled).toBe(false);
    const preview = (await uc().checkDeposit(as('anne'), { recipients: { users: ['marc'], classes: [] }, categoryId }))._unsafeUnwrap();
    expect(preview.maxDocumentBytes).toBe((await uc().getSettings(as('admin')))._unsafeUnwrap().maxDocumentBytes);
    (await uc().catchUp())._unsafeUnwrap();
    expect((await uc().projectorLag())._unsafeUnwrap()).toEqual({ events: 0, seconds: 0 });
  });
});
