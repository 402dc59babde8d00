import { err, ok, type Result } from 'neverthrow';

export const LOCALES = ['fr', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

/** A daily window, in the tenant's time zone, when mails wait; `start` after `end` crosses midnight. */
export type QuietHours = { readonly start: string; readonly end: string };

/** A tenant's defaults for everyone (`PATCH /v1/settings {notifications}`). */
export type NotificationSettings = {
  readonly email: boolean;
  readonly quietHours: QuietHours | null;
  readonly timeZone: string;
  readonly locale: Locale;
};

/** What a person chose for themselves; what they left unset follows the tenant. */
export type PersonalPreferences = { readonly email?: boolean | undefined; readonly quietHours?: QuietHours | null | undefined };

export const DEFAULT_NOTIFICATION_SETTINGS: NotificationSettings = { email: true, quietHours: null, timeZone: 'Europe/Paris', locale: 'fr' };

export type PreferenceError = { readonly code: 'INVALID_PREFERENCE'; readonly field: string; readonly reason: string };

const CLOCK_TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

export const isClockTime = (value: string): boolean => CLOCK_TIME.test(value);

/** An IANA zone this runtime knows (its tz database decides, as it does for every conversion). */
export const isTimeZone = (value: string): boolean => {
  try {
    new Intl.DateTimeFormat('en', { timeZone: value });
    return value.length > 0;
  } catch {
    return false;
  }
};

export const checkQuietHours = (quietHours: QuietHours | null | undefined, field: string): Result<void, PreferenceError> => {
  if (!quietHours) return ok(undefined);
  for (const part of ['start', 'end'] as const) {
    if (!isClockTime(quietHours[part])) return err({ code: 'INVALID_PREFERENCE', field: `${field}.${part}`, reason: 'expected a time like 22:00' });
  }
  if (quietHours.start === quietHours.end) return err({ code: 'INVALID_PREFERENCE', field, reason: 'start and end are the same time' });
  return ok(undefined);
};

export const checkNotificationSettings = (patch: Partial<NotificationSettings>): Result<void, PreferenceError> => {
  if (patch.timeZone !== undefined && !isTimeZone(patch.timeZone)) return err({ code: 'INVALID_PREFERENCE', field: 'notifications.timeZone', reason: `unknown time zone ${patch.timeZone}` });
  if (patch.locale !== undefined && !(LOCALES as readonly string[]).includes(patch.locale)) return err({ code: 'INVALID_PREFERENCE', field: 'notifications.locale', reason: 'expected fr or en' });
  return checkQuietHours(patch.quietHours, 'notifications.quietHours');
};

/** What applies to one person: their own choices over the tenant's defaults. */
export const effectivePreferences = (tenant: NotificationSettings, person: PersonalPreferences | undefined): NotificationSettings => ({
  ...tenant,
  email: person?.email ?? tenant.email,
  quietHours: person?.quietHours === undefined ? tenant.quietHours : person.quietHours,
});

const minutes = (clock: string): number => Number(clock.slice(0, 2)) * 60 + Number(clock.slice(3, 5));

/** The wall-clock time of an instant in a zone, as minutes since local midnight, and the zone's offset then. */
const local = (instant: number, timeZone: string): { minutes: number; seconds: number; offsetMs: number } => {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-GB', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' })
      .formatToParts(new Date(instant))
      .map((p) => [p.type, p.value]),
  );
  const asUtc = Date.UTC(Number(parts.year), Number(parts.month) - 1, Number(parts.day), Number(parts.hour), Number(parts.minute), Number(parts.second));
  return { minutes: Number(parts.hour) * 60 + Number(parts.minute), seconds: Number(parts.second), offsetMs: asUtc - Math.floor(instant / 1000) * 1000 };
};

/**
 * When the quiet hours that `at` falls in end (an instant, ISO), or undefined when `at` is outside
 * them. Windows may cross midnight (22:00–07:00). A change of offset overnight (summer time) moves
 * the end by the change, so it still falls on the local wall-clock time.
 */
export const quietUntil = (at: string, quietHours: QuietHours | null, timeZone: string): string | undefined => {
  if (!quietHours) return undefined;
  const instant = Date.parse(at);
  const now = local(instant, timeZone);
  const start = minutes(quietHours.start);
  const end = minutes(quietHours.end);
  const inside = start < end ? now.minutes >= start && now.minutes < end : now.minutes >= start || now.minutes < end;
  if (!inside) return undefined;
  const ahead = (end - now.minutes + 1440) % 1440;
  const naive = instant - (instant % 60_000) + ahead * 60_000;
  return new Date(naive + now.offsetMs - local(naive, timeZone).offsetMs).toISOString();
};
