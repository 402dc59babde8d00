import { err, ok, type Result } from 'neverthrow';
import type { LockerReason } from '../directory/sync-directory.js';
import { checkQuietHours, type PersonalPreferences, type PreferenceError, type QuietHours } from '../notification/preferences.js';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';

/** One stream per staff member: the locker exists while its holder is staff in the directory. */
export type LockerEvent =
  | DomainEvent<'LockerOpened', { userId: string }>
  | DomainEvent<'LockerClosed', { userId: string; reason: LockerReason }>
  | DomainEvent<'DocumentRemovedFromLocker', { userId: string; documentId: string }>
  | DomainEvent<'DocumentRestoredToLocker', { userId: string; documentId: string; by: 'holder' | 'depositor' }>
  /** The holder read notifications: these ones, or every one up to a point (`upTo`, a notification id). */
  | DomainEvent<'NotificationsRead', { userId: string; ids: string[]; upTo?: string | undefined }>
  /** The holder's own choices for mails; what is absent follows the tenant's defaults. */
  | DomainEvent<'PreferencesSet', { userId: string; email?: boolean | undefined; quietHours?: QuietHours | null | undefined }>
  /** A mail (or a digest of several) accepted by the SMTP server, with its stable Message-ID. */
  | DomainEvent<'EmailSent', { userId: string; mailIds: string[]; messageId: string }>
  /** Given up after the last retry; `locker outbox retry` requeues it. */
  | DomainEvent<'EmailFailed', { userId: string; mailIds: string[]; error: string }>
  | DomainEvent<'EmailRequeued', { userId: string; mailIds: string[] }>
  /** A cloud account linked (its credentials are kept encrypted outside the log) or unlinked. */
  | DomainEvent<'CloudLinked', { userId: string; cloudId: string }>
  | DomainEvent<'CloudUnlinked', { userId: string; cloudId: string }>;

export type Locker = {
  readonly userId: string | undefined;
  readonly open: boolean;
  readonly removed: ReadonlySet<string>;
  readonly preferences: PersonalPreferences;
  /** Mails recorded as sent: recording one again (a retried append) records nothing. */
  readonly sent: ReadonlySet<string>;
};

export type LockerCommand =
  | (CommandContext & { readonly type: 'OpenLocker'; readonly userId: string })
  | (CommandContext & { readonly type: 'CloseLocker'; readonly userId: string; readonly reason: LockerReason })
  /** Whether the document was deposited for them is known to the document, not the locker: the caller says so. */
  | (CommandContext & { readonly type: 'RemoveFromLocker'; readonly documentId: string; readonly isRecipient: boolean })
  /**
   * A removed document comes back: the holder restores it, or its depositor addresses them again.
   * `holderId` is whose locker; the actor is the holder or the depositor.
   */
  | (CommandContext & { readonly type: 'RestoreToLocker'; readonly holderId: string; readonly documentId: string; readonly by: 'holder' | 'depositor' })
  | (CommandContext & { readonly type: 'MarkNotificationsRead'; readonly ids: readonly string[]; readonly upTo?: string | undefined })
  | (CommandContext & { readonly type: 'SetPreferences'; readonly email?: boolean | undefined; readonly quietHours?: QuietHours | null | undefined })
  /** The mail dispatcher's records, on the addressee's locker: `holderId` is whose. */
  | (CommandContext & { readonly type: 'RecordEmailSent'; readonly holderId: string; readonly mailIds: readonly string[]; readonly messageId: string })
  | (CommandContext & { readonly type: 'RecordEmailFailed'; readonly holderId: string; readonly mailIds: readonly string[]; readonly error: string })
  | (CommandContext & { readonly type: 'RequeueEmail'; readonly holderId: string; readonly mailIds: readonly string[] })
  | (CommandContext & { readonly type: 'LinkCloud' | 'UnlinkCloud'; readonly cloudId: string });

export type LockerError =
  | { readonly code: 'LOCKER_CLOSED'; readonly userId: string }
  | { readonly code: 'NOT_IN_LOCKER'; readonly documentId: string }
  | PreferenceError;

const evolve = (state: Locker, event: LockerEvent): Locker => {
  switch (event.type) {
    case 'LockerOpened':
      return { ...state, userId: event.data.userId, open: true };
    case 'LockerClosed':
      return { ...state, open: false };
    case 'DocumentRemovedFromLocker':
      return { ...state, removed: new Set([...state.removed, event.data.documentId]) };
    case 'NotificationsRead':
    case 'EmailFailed':
    case 'EmailRequeued':
    case 'CloudLinked':
    case 'CloudUnlinked':
      return state;
    case 'PreferencesSet': {
      const { userId: _, ...chosen } = event.data;
      return { ...state, preferences: { ...state.preferences, ...chosen } };
    }
    case 'EmailSent':
      return { ...state, sent: new Set([...state.sent, ...event.data.mailIds]) };
    case 'DocumentRestoredToLocker': {
      const removed = new Set(state.removed);
      removed.delete(event.data.documentId);
      return { ...state, removed };
    }
  }
};

const decide = (state: Locker, cmd: LockerCommand): Result<LockerEvent[], LockerError> => {
  switch (cmd.type) {
    case 'OpenLocker':
      return ok(state.open ? [] : [{ type: 'LockerOpened', data: { userId: cmd.userId }, actor: cmd.actorId, at: cmd.at }]);
    case 'CloseLocker':
      return ok(state.open ? [{ type: 'LockerClosed', data: { userId: cmd.userId, reason: cmd.reason }, actor: cmd.actorId, at: cmd.at }] : []);
    case 'RemoveFromLocker':
      // A recipient tidies their own locker; the document stays for everyone else.
      if (!state.open || state.userId !== cmd.actorId) return err({ code: 'LOCKER_CLOSED', userId: cmd.actorId });
      if (!cmd.isRecipient) return err({ code: 'NOT_IN_LOCKER', documentId: cmd.documentId });
      if (state.removed.has(cmd.documentId)) return ok([]);
      return ok([{ type: 'DocumentRemovedFromLocker', data: { userId: cmd.actorId, documentId: cmd.documentId }, actor: cmd.actorId, at: cmd.at }]);
    case 'RestoreToLocker':
      if (!state.open || state.userId !== cmd.holderId) return err({ code: 'LOCKER_CLOSED', userId: cmd.holderId });
      // Only what was removed comes back: restoring anything else changes nothing.
      if (!state.removed.has(cmd.documentId)) return ok([]);
      return ok([{ type: 'DocumentRestoredToLocker', data: { userId: cmd.holderId, documentId: cmd.documentId, by: cmd.by }, actor: cmd.actorId, at: cmd.at }]);
    case 'MarkNotificationsRead':
      // Read state is the holder's own: marking nothing records nothing.
      if (!state.open || state.userId !== cmd.actorId) return err({ code: 'LOCKER_CLOSED', userId: cmd.actorId });
      if (cmd.ids.length === 0 && cmd.upTo === undefined) return ok([]);
      return ok([
        {
          type: 'NotificationsRead',
          data: { userId: cmd.actorId, ids: [...new Set(cmd.ids)], ...(cmd.upTo === undefined ? {} : { upTo: cmd.upTo }) },
          actor: cmd.actorId,
          at: cmd.at,
        },
      ]);
    case 'SetPreferences': {
      if (!state.open || state.userId !== cmd.actorId) return err({ code: 'LOCKER_CLOSED', userId: cmd.actorId });
      const valid = checkQuietHours(cmd.quietHours, 'quietHours');
      if (valid.isErr()) return err(valid.error);
      const changed: { email?: boolean; quietHours?: QuietHours | null } = {};
      if (cmd.email !== undefined && cmd.email !== state.preferences.email) changed.email = cmd.email;
      if (cmd.quietHours !== undefined && JSON.stringify(cmd.quietHours) !== JSON.stringify(state.preferences.quietHours)) changed.quietHours = cmd.quietHours;
      if (Object.keys(changed).length === 0) return ok([]);
      return ok([{ type: 'PreferencesSet', data: { userId: cmd.actorId, ...changed }, actor: cmd.actorId, at: cmd.at }]);
    }
    case 'RecordEmailSent': {
      // A closed locker still records what was sent before it closed: the mail went out.
      const fresh = cmd.mailIds.filter((id) => !state.sent.has(id));
      if (fresh.length === 0) return ok([]);
      return ok([{ type: 'EmailSent', data: { userId: cmd.holderId, mailIds: fresh, messageId: cmd.messageId }, actor: cmd.actorId, at: cmd.at }]);
    }
    case 'RecordEmailFailed':
      return ok([{ type: 'EmailFailed', data: { userId: cmd.holderId, mailIds: [...cmd.mailIds], error: cmd.error }, actor: cmd.actorId, at: cmd.at }]);
    case 'LinkCloud':
    case 'UnlinkCloud':
      if (!state.open || state.userId !== cmd.actorId) return err({ code: 'LOCKER_CLOSED', userId: cmd.actorId });
      return ok([{ type: cmd.type === 'LinkCloud' ? 'CloudLinked' : 'CloudUnlinked', data: { userId: cmd.actorId, cloudId: cmd.cloudId }, actor: cmd.actorId, at: cmd.at }]);
    case 'RequeueEmail':
      if (cmd.mailIds.length === 0) return ok([]);
      return ok([{ type: 'EmailRequeued', data: { userId: cmd.holderId, mailIds: [...cmd.mailIds] }, actor: cmd.actorId, at: cmd.at }]);
  }
};

export const lockerDecider: Decider<LockerCommand, Locker, LockerEvent, LockerError> = {
  initialState: { userId: undefined, open: false, removed: new Set(), preferences: {}, sent: new Set() },
  evolve,
  decide,
};
