import { describe, expect, it } from 'vitest';
import { fc, test } from '@fast-check/vitest';
import {
  checkNotificationSettings,
  DEFAULT_NOTIFICATION_SETTINGS,
  effectivePreferences,
  lockerDecider,
  mailLeaseDecider,
  quietUntil,
  tenantSettingsDecider,
  type LockerEvent,
} from '../../src/domain/index.js';
import { AT, given } from './given.js';

describe('quiet hours', () => {
  const night = { start: '22:00', end: '07:00' };
  it('a window crossing midnight holds from its start until its end, in the zone’s wall-clock time', () => {
    expect(quietUntil('2026-12-02T21:30:00.000Z', night, 'Europe/Paris')).toBe('2026-12-03T06:00:00.000Z'); // 22:30 Paris
    expect(quietUntil('2026-12-03T03:10:20.000Z', night, 'Europe/Paris')).toBe('2026-12-03T06:00:00.000Z'); // 04:10 Paris
    expect(quietUntil('2026-12-03T06:00:00.000Z', night, 'Europe/Paris')).toBeUndefined(); // 07:00: over
    expect(quietUntil('2026-12-02T20:59:59.000Z', night, 'Europe/Paris')).toBeUndefined(); // 21:59
  });

  it('a window within a day, and no window at all', () => {
    const lunch = { start: '12:00', end: '14:00' };
    expect(quietUntil('2026-07-01T10:30:00.000Z', lunch, 'Europe/Paris')).toBe('2026-07-01T12:00:00.000Z'); // 12:30 summer time
    expect(quietUntil('2026-07-01T12:00:00.000Z', lunch, 'Europe/Paris')).toBeUndefined();
    expect(quietUntil('2026-07-01T10:30:00.000Z', null, 'Europe/Paris')).toBeUndefined();
  });

  it('a night when the clocks go back still ends at 07:00 local time', () => {
    // 25 October 2026: Paris goes from UTC+2 to UTC+1 at 03:00.
    expect(quietUntil('2026-10-24T21:00:00.000Z', night, 'Europe/Paris')).toBe('2026-10-25T06:00:00.000Z');
  });

  test.prop([fc.integer({ min: Date.parse('2026-01-01'), max: Date.parse('2027-12-31') }), fc.integer({ min: 0, max: 1439 }), fc.integer({ min: 0, max: 1439 })])(
    'the end is never before the moment, is at most a day later, and falls outside the window',
    (instant, s, e) => {
      fc.pre(s !== e);
      const clock = (m: number) => `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
      const window = { start: clock(s), end: clock(e) };
      const at = new Date(instant).toISOString();
      const until = quietUntil(at, window, 'America/New_York');
      if (until === undefined) return;
      expect(Date.parse(until)).toBeGreaterThan(instant - 60_000);
      expect(Date.parse(until) - instant).toBeLessThanOrEqual(25 * 3600_000);
      expect(quietUntil(until, window, 'America/New_York')).toBeUndefined();
    },
  );
});

describe('preferences', () => {
  it('a person’s own choices win over the tenant’s; what they leave unset follows it', () => {
    const tenant = { ...DEFAULT_NOTIFICATION_SETTINGS, quietHours: { start: '20:00', end: '08:00' } };
    expect(effectivePreferences(tenant, {})).toEqual(tenant);
    expect(effectivePreferences(tenant, { email: false, quietHours: null })).toEqual({ ...tenant, email: false, quietHours: null });
  });

  it('bad settings are refused naming the field', () => {
    expect(checkNotificationSettings({ timeZone: 'Mars/Olympus' })._unsafeUnwrapErr()).toMatchObject({ field: 'notifications.timeZone' });
    expect(checkNotificationSettings({ quietHours: { start: '25:00', end: '07:00' } })._unsafeUnwrapErr()).toMatchObject({ field: 'notifications.quietHours.start' });
    expect(checkNotificationSettings({ quietHours: { start: '07:00', end: '07:00' } })._unsafeUnwrapErr()).toMatchObject({ field: 'notifications.quietHours' });
    expect(checkNotificationSettings({ timeZone: 'Europe/Paris', locale: 'en' }).isOk()).toBe(true);
  });

  it('the tenant’s defaults change whole, once, and not again when nothing changes', () => {
    const set = given(tenantSettingsDecider, [])
      .when({ type: 'ChangeSettings', actorId: 'admin', at: AT, notifications: { locale: 'en' } })
      .then([{ type: 'NotificationSettingsSet', data: { ...DEFAULT_NOTIFICATION_SETTINGS, locale: 'en' }, actor: 'admin', at: AT }]);
    expect(tenantSettingsDecider.decide(set, { type: 'ChangeSettings', actorId: 'admin', at: AT, notifications: { locale: 'en' } })._unsafeUnwrap()).toEqual([]);
    given(tenantSettingsDecider, []).when({ type: 'ChangeSettings', actorId: 'admin', at: AT, notifications: { timeZone: 'Nowhere/Land' } }).thenError('INVALID_PREFERENCE');
  });

  it('a holder sets their own, only what changed is recorded', () => {
    const opened: LockerEvent = { type: 'LockerOpened', data: { userId: 'marc' }, actor: 'sync', at: AT };
    const state = given(lockerDecider, [opened])
      .when({ type: 'SetPreferences', actorId: 'marc', at: AT, email: false })
      .then([{ type: 'PreferencesSet', data: { userId: 'marc', email: false }, actor: 'marc', at: AT }]);
    expect(lockerDecider.decide(state, { type: 'SetPreferences', actorId: 'marc', at: AT, email: false })._unsafeUnwrap()).toEqual([]);
    given(lockerDecider, [opened]).when({ type: 'SetPreferences', actorId: 'marc', at: AT, quietHours: { start: '24:00', end: '07:00' } }).thenError('INVALID_PREFERENCE');
    given(lockerDecider, []).when({ type: 'SetPreferences', actorId: 'marc', at: AT, email: false }).thenError('LOCKER_CLOSED');
  });

  it('a mail recorded as sent is not recorded twice', () => {
    const sent: LockerEvent = { type: 'EmailSent', data: { userId: 'marc', mailIds: ['e1:marc'], messageId: '<m@x>' }, actor: 'system:mailer', at: AT };
    given(lockerDecider, [sent]).when({ type: 'RecordEmailSent', actorId: 'system:mailer', at: AT, holderId: 'marc', mailIds: ['e1:marc'], messageId: '<m@x>' }).then([]);
  });
});

describe('the mail lease', () => {
  const take = (holder: string, at: string, until: string) => ({ type: 'TakeMailLease' as const, actorId: 'system:mailer', at, holder, until });
  const taken = (holder: string, until: string, at = '2026-12-01T10:00:00.000Z') => ({ type: 'MailLeaseTaken' as const, data: { holder, until }, actor: 'system:mailer', at });
  it('one holder at a time; another takes over once it has expired', () => {
    given(mailLeaseDecider, []).when(take('a', '2026-12-01T10:00:00.000Z', '2026-12-01T10:01:00.000Z')).then([taken('a', '2026-12-01T10:01:00.000Z')]);
    given(mailLeaseDecider, [taken('a', '2026-12-01T10:01:00.000Z')]).when(take('b', '2026-12-01T10:00:30.000Z', '2026-12-01T10:01:30.000Z')).thenError('MAIL_LEASE_HELD');
    given(mailLeaseDecider, [taken('a', '2026-12-01T10:01:00.000Z')])
      .when(take('b', '2026-12-01T10:01:00.000Z', '2026-12-01T10:02:00.000Z'))
      .then([taken('b', '2026-12-01T10:02:00.000Z', '2026-12-01T10:01:00.000Z')]);
  });

  it('the holder renews once half of it has run, not before', () => {
    given(mailLeaseDecider, [taken('a', '2026-12-01T10:01:00.000Z')]).when(take('a', '2026-12-01T10:00:20.000Z', '2026-12-01T10:01:20.000Z')).then([]);
    given(mailLeaseDecider, [taken('a', '2026-12-01T10:01:00.000Z')])
      .when(take('a', '2026-12-01T10:00:40.000Z', '2026-12-01T10:01:40.000Z'))
      .then([taken('a', '2026-12-01T10:01:40.000Z', '2026-12-01T10:00:40.000Z')]);
    // Exactly half run: renewed.
    given(mailLeaseDecider, [taken('a', '2026-12-01T10:01:00.000Z')])
      .when(take('a', '2026-12-01T10:00:30.000Z', '2026-12-01T10:01:30.000Z'))
      .then([taken('a', '2026-12-01T10:01:30.000Z', '2026-12-01T10:00:30.000Z')]);
  });
});

describe('preferences refused, each with its reason', () => {
  it('an empty or unknown zone, an unknown locale, a bad or empty window', () => {
    const refused = (patch: Parameters<typeof checkNotificationSettings>[0]) => checkNotificationSettings(patch)._unsafeUnwrapErr();
    expect(refused({ timeZone: '' })).toEqual({ code: 'INVALID_PREFERENCE', field: 'notifications.timeZone', reason: 'unknown time zone ' });
    expect(refused({ timeZone: 'Mars/Olympus' })).toEqual({ code: 'INVALID_PREFERENCE', field: 'notifications.timeZone', reason: 'unknown time zone Mars/Olympus' });
    expect(refused({ locale: 'de' as never })).toEqual({ code: 'INVALID_PREFERENCE', field: 'notifications.locale', reason: 'expected fr or en' });
    expect(refused({ quietHours: { start: '22:00', end: '7h' } })).toEqual({ code: 'INVALID_PREFERENCE', field: 'notifications.quietHours.end', reason: 'expected a time like 22:00' });
    expect(refused({ quietHours: { start: '07:00', end: '07:00' } })).toEqual({ code: 'INVALID_PREFERENCE', field: 'notifications.quietHours', reason: 'start and end are the same time' });
    expect(checkNotificationSettings({ locale: 'fr', quietHours: null }).isOk()).toBe(true);
  });
});

describe('quiet hours at their edges', () => {
  it('hold from their first minute, counting the minutes of the hour', () => {
    const window = { start: '22:30', end: '06:45' };
    expect(quietUntil('2026-12-02T22:30:00.000Z', window, 'UTC')).toBe('2026-12-03T06:45:00.000Z');
    expect(quietUntil('2026-12-02T22:29:59.000Z', window, 'UTC')).toBeUndefined();
    expect(quietUntil('2026-12-03T06:44:00.000Z', window, 'UTC')).toBe('2026-12-03T06:45:00.000Z');
    const day = { start: '12:15', end: '13:50' };
    expect(quietUntil('2026-12-02T12:15:00.000Z', day, 'UTC')).toBe('2026-12-02T13:50:00.000Z');
    expect(quietUntil('2026-12-02T12:14:00.000Z', day, 'UTC')).toBeUndefined();
  });

  it('a night that crosses the end of a short month ends on the first of the next', () => {
    expect(quietUntil('2027-02-28T23:00:00.000Z', { start: '22:00', end: '07:00' }, 'UTC')).toBe('2027-03-01T07:00:00.000Z');
    expect(quietUntil('2027-02-28T22:00:00.000Z', { start: '22:00', end: '07:00' }, 'Europe/Paris')).toBe('2027-03-01T06:00:00.000Z');
  });
});
