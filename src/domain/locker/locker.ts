import { err, ok, type Result } from 'neverthrow';
import type { CommandContext, DomainEvent } from '../shared/decider.js';

/** One stream per staff member: the locker exists while its holder is staff in the directory. */
export type LockerEvent =
  | DomainEvent<'LockerOpened', { userId: string }>
  | DomainEvent<'LockerClosed', { userId: string; reason: 'left-directory' | 'became-student' }>
  | DomainEvent<'DocumentRemovedFromLocker', { userId: string; documentId: string }>;

export type Locker = {
  readonly userId: string | undefined;
  readonly open: boolean;
  readonly removed: ReadonlySet<string>;
};

export const initialLocker: Locker = { userId: undefined, open: false, removed: new Set() };

export const evolveLocker = (state: Locker, event: LockerEvent): Locker => {
  switch (event.type) {
    case 'LockerOpened':
      return { ...state, userId: event.data.userId, open: true };
    case 'LockerClosed':
      return { ...state, open: false };
    case 'DocumentRemovedFromLocker':
      return { ...state, removed: new Set([...state.removed, event.data.documentId]) };
  }
};

export type LockerError =
  | { readonly code: 'LOCKER_CLOSED'; readonly userId: string }
  | { readonly code: 'NOT_IN_LOCKER'; readonly documentId: string };

export const openLocker = (state: Locker, cmd: CommandContext & { userId: string }): LockerEvent[] =>
  state.open ? [] : [{ type: 'LockerOpened', data: { userId: cmd.userId }, actor: cmd.actorId, at: cmd.at }];

export const closeLocker = (
  state: Locker,
  cmd: CommandContext & { userId: string; reason: 'left-directory' | 'became-student' },
): LockerEvent[] =>
  state.open ? [{ type: 'LockerClosed', data: { userId: cmd.userId, reason: cmd.reason }, actor: cmd.actorId, at: cmd.at }] : [];

/**
 * A recipient tidies their own locker. Whether the document was deposited for them is known to the
 * document, not the locker, so the caller says so.
 */
export const removeFromLocker = (
  state: Locker,
  cmd: CommandContext & { documentId: string; isRecipient: boolean },
): Result<LockerEvent[], LockerError> => {
  if (!state.open || state.userId !== cmd.actorId) return err({ code: 'LOCKER_CLOSED', userId: cmd.actorId });
  if (!cmd.isRecipient) return err({ code: 'NOT_IN_LOCKER', documentId: cmd.documentId });
  if (state.removed.has(cmd.documentId)) return ok([]);
  return ok([{ type: 'DocumentRemovedFromLocker', data: { userId: cmd.actorId, documentId: cmd.documentId }, actor: cmd.actorId, at: cmd.at }]);
};
