import { err, ok, type Result } from 'neverthrow';
import type { LockerReason } from '../directory/sync-directory.js';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';

/** One stream per staff member: the locker exists while its holder is staff in the directory. */
export type LockerEvent =
  | DomainEvent<'LockerOpened', { userId: string }>
  | DomainEvent<'LockerClosed', { userId: string; reason: LockerReason }>
  | DomainEvent<'DocumentRemovedFromLocker', { userId: string; documentId: string }>
  | DomainEvent<'DocumentRestoredToLocker', { userId: string; documentId: string; by: 'holder' | 'depositor' }>
  /** The holder read notifications: these ones, or every one up to a point (`upTo`, a notification id). */
  | DomainEvent<'NotificationsRead', { userId: string; ids: string[]; upTo?: string | undefined }>;

export type Locker = {
  readonly userId: string | undefined;
  readonly open: boolean;
  readonly removed: ReadonlySet<string>;
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
  | (CommandContext & { readonly type: 'MarkNotificationsRead'; readonly ids: readonly string[]; readonly upTo?: string | undefined });

export type LockerError =
  | { readonly code: 'LOCKER_CLOSED'; readonly userId: string }
  | { readonly code: 'NOT_IN_LOCKER'; readonly documentId: string };

const evolve = (state: Locker, event: LockerEvent): Locker => {
  switch (event.type) {
    case 'LockerOpened':
      return { ...state, userId: event.data.userId, open: true };
    case 'LockerClosed':
      return { ...state, open: false };
    case 'DocumentRemovedFromLocker':
      return { ...state, removed: new Set([...state.removed, event.data.documentId]) };
    case 'NotificationsRead':
      return state;
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
  }
};

export const lockerDecider: Decider<LockerCommand, Locker, LockerEvent, LockerError> = {
  initialState: { userId: undefined, open: false, removed: new Set() },
  evolve,
  decide,
};
