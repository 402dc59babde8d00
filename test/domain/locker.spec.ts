import { describe, expect, it } from 'vitest';
import { lockerDecider, type LockerEvent } from '../../src/domain/index.js';
import { AT, given } from './given.js';

const locker = (history: LockerEvent[]) => given(lockerDecider, history);
const by = { actorId: 'admin', at: AT };
const opened: LockerEvent = { type: 'LockerOpened', data: { userId: 'marc' }, actor: 'admin', at: AT };
const closed: LockerEvent = { type: 'LockerClosed', data: { userId: 'marc', reason: 'left-directory' }, actor: 'admin', at: AT };
const removed: LockerEvent = { type: 'DocumentRemovedFromLocker', data: { userId: 'marc', documentId: 'd' }, actor: 'marc', at: AT };
const tidy = (over: { actorId?: string; isRecipient?: boolean } = {}) =>
  ({ type: 'RemoveFromLocker', actorId: 'marc', at: AT, documentId: 'd', isRecipient: true, ...over }) as const;

describe('a locker', () => {
  it('opens once', () => {
    locker([]).when({ type: 'OpenLocker', ...by, userId: 'marc' }).then([opened]);
    locker([opened]).when({ type: 'OpenLocker', ...by, userId: 'marc' }).then([]);
  });

  it('closes once, with the reason', () => {
    locker([opened]).when({ type: 'CloseLocker', ...by, userId: 'marc', reason: 'left-directory' }).then([closed]);
    locker([opened, closed]).when({ type: 'CloseLocker', ...by, userId: 'marc', reason: 'left-directory' }).then([]);
    locker([]).when({ type: 'CloseLocker', ...by, userId: 'marc', reason: 'became-student' }).then([]);
  });

  it('is tidied by its holder only, of documents deposited for them, once', () => {
    locker([opened]).when(tidy()).then([removed]);
    locker([opened, removed]).when(tidy()).then([]);
    locker([opened]).when(tidy({ isRecipient: false })).thenError('NOT_IN_LOCKER', { documentId: 'd' });
    locker([opened]).when(tidy({ actorId: 'paul' })).thenError('LOCKER_CLOSED', { userId: 'paul' });
  });

  it('a closed or never opened locker is not tidied', () => {
    locker([opened, closed]).when(tidy()).thenError('LOCKER_CLOSED', { userId: 'marc' });
    locker([]).when(tidy()).thenError('LOCKER_CLOSED', { userId: 'marc' });
  });

  it('brings back a removed document, once, for its holder or by its depositor', () => {
    const restore = (by: 'holder' | 'depositor', actorId = by === 'holder' ? 'marc' : 'anne') =>
      ({ type: 'RestoreToLocker', actorId, at: AT, holderId: 'marc', documentId: 'd', by }) as const;
    const restored: LockerEvent = { type: 'DocumentRestoredToLocker', data: { userId: 'marc', documentId: 'd', by: 'holder' }, actor: 'marc', at: AT };
    locker([opened, removed]).when(restore('holder')).then([restored]);
    locker([opened, removed]).when(restore('depositor')).then([{ ...restored, data: { ...restored.data, by: 'depositor' }, actor: 'anne' }]);
    locker([opened, removed, restored]).when(restore('holder')).then([]);
    locker([opened]).when(restore('holder')).then([]);
    locker([opened, removed, closed]).when(restore('holder')).thenError('LOCKER_CLOSED', { userId: 'marc' });
    // Removed again after coming back: the last word counts.
    locker([opened, removed, restored]).when(tidy()).then([removed]);
  });

  it('records its holder reading notifications, by id or up to one, and nothing for nothing', () => {
    const read = (ids: string[], upTo?: string) => ({ type: 'MarkNotificationsRead', actorId: 'marc', at: AT, ids, upTo }) as const;
    locker([opened]).when(read(['3', '3', '5'])).then([{ type: 'NotificationsRead', data: { userId: 'marc', ids: ['3', '5'] }, actor: 'marc', at: AT }]);
    locker([opened]).when(read([], '9')).then([{ type: 'NotificationsRead', data: { userId: 'marc', ids: [], upTo: '9' }, actor: 'marc', at: AT }]);
    locker([opened]).when(read([])).then([]);
    locker([opened, closed]).when(read(['1'])).thenError('LOCKER_CLOSED', { userId: 'marc' });
  });

  it('links and unlinks a cloud for its holder only, while open', () => {
    const as = { actorId: 'marc', at: AT };
    locker([opened]).when({ type: 'LinkCloud', ...as, cloudId: 'nuage' }).then([{ type: 'CloudLinked', data: { userId: 'marc', cloudId: 'nuage' }, actor: 'marc', at: AT }]);
    locker([opened]).when({ type: 'UnlinkCloud', ...as, cloudId: 'nuage' }).then([{ type: 'CloudUnlinked', data: { userId: 'marc', cloudId: 'nuage' }, actor: 'marc', at: AT }]);
    locker([opened, closed]).when({ type: 'LinkCloud', ...as, cloudId: 'nuage' }).thenError('LOCKER_CLOSED', { userId: 'marc' });
    locker([opened]).when({ type: 'LinkCloud', actorId: 'anne', at: AT, cloudId: 'nuage' }).thenError('LOCKER_CLOSED', { userId: 'anne' });
    locker([]).when({ type: 'UnlinkCloud', ...as, cloudId: 'nuage' }).thenError('LOCKER_CLOSED', { userId: 'marc' });
  });

  it('records a failed mail as it was told, and requeues mails unless there are none', () => {
    const system = { actorId: 'system:mailer', at: AT };
    locker([opened]).when({ type: 'RecordEmailFailed', ...system, holderId: 'marc', mailIds: ['m1', 'm2'], error: '550 no such mailbox' }).then([
      { type: 'EmailFailed', data: { userId: 'marc', mailIds: ['m1', 'm2'], error: '550 no such mailbox' }, actor: 'system:mailer', at: AT },
    ]);
    locker([opened]).when({ type: 'RequeueEmail', ...system, holderId: 'marc', mailIds: ['m1'] }).then([{ type: 'EmailRequeued', data: { userId: 'marc', mailIds: ['m1'] }, actor: 'system:mailer', at: AT }]);
    locker([opened]).when({ type: 'RequeueEmail', ...system, holderId: 'marc', mailIds: [] }).then([]);
  });

  it('sets its holder’s own mail choices, only what changed, and refuses quiet hours that are not times', () => {
    const as = { actorId: 'marc', at: AT };
    const set = (data: Record<string, unknown>): LockerEvent => ({ type: 'PreferencesSet', data: { userId: 'marc', ...data }, actor: 'marc', at: AT }) as LockerEvent;
    locker([opened]).when({ type: 'SetPreferences', ...as, email: false }).then([set({ email: false })]);
    locker([opened, set({ email: false })]).when({ type: 'SetPreferences', ...as, email: false }).then([]);
    locker([opened, set({ email: false })]).when({ type: 'SetPreferences', ...as, email: false, quietHours: { start: '22:00', end: '07:00' } }).then([set({ quietHours: { start: '22:00', end: '07:00' } })]);
    locker([opened, set({ quietHours: { start: '22:00', end: '07:00' } })]).when({ type: 'SetPreferences', ...as, quietHours: { start: '22:00', end: '07:00' } }).then([]);
    locker([opened, set({ quietHours: { start: '22:00', end: '07:00' } })]).when({ type: 'SetPreferences', ...as, quietHours: null }).then([set({ quietHours: null })]);
    locker([opened]).when({ type: 'SetPreferences', ...as }).then([]);
    locker([opened]).when({ type: 'SetPreferences', ...as, quietHours: { start: '25:00', end: '07:00' } }).thenError('INVALID_PREFERENCE');
    locker([opened, closed]).when({ type: 'SetPreferences', ...as, email: true }).thenError('LOCKER_CLOSED', { userId: 'marc' });
    locker([opened]).when({ type: 'SetPreferences', actorId: 'anne', at: AT, email: true }).thenError('LOCKER_CLOSED', { userId: 'anne' });
    locker([opened]).when({ type: 'SetPreferences', ...as, quietHours: { start: '22:00', end: '07:60' } }).thenError('INVALID_PREFERENCE', { field: 'quietHours.end', reason: 'expected a time like 22:00' });
    // What is not given is not written at all, not even as undefined: it would undo a choice when folded.
    const state = [opened, set({ email: false, quietHours: { start: '22:00', end: '07:00' } })].reduce(lockerDecider.evolve, lockerDecider.initialState);
    expect(lockerDecider.decide(state, { type: 'SetPreferences', ...as, quietHours: null })._unsafeUnwrap()[0]!.data).toStrictEqual({ userId: 'marc', quietHours: null });
    expect(lockerDecider.decide(state, { type: 'SetPreferences', ...as, email: true })._unsafeUnwrap()[0]!.data).toStrictEqual({ userId: 'marc', email: true });
  });

  it('is restored, and its notifications read, in its own holder’s name only', () => {
    locker([opened, removed]).when({ type: 'RestoreToLocker', actorId: 'anne', at: AT, holderId: 'paul', documentId: 'd', by: 'depositor' }).thenError('LOCKER_CLOSED', { userId: 'paul' });
    locker([opened]).when({ type: 'MarkNotificationsRead', actorId: 'paul', at: AT, ids: ['1'] }).thenError('LOCKER_CLOSED', { userId: 'paul' });
  });
});
