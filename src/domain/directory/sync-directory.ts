import { err, ok, type Result } from 'neverthrow';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';
import { hasLocker } from '../shared/permissions.js';
import type { Directory } from './directory.js';

export type DirectorySynced = DomainEvent<'DirectorySynced', Directory>;
/** The documents addressed to classes and groups have followed the directory synced before it. */
export type DirectoryFollowed = DomainEvent<'DirectoryFollowed', Record<string, never>>;
export type DirectoryEvent = DirectorySynced | DirectoryFollowed;

export type DirectoryProblem = { readonly path: string; readonly message: string };
export type DirectoryError = { readonly code: 'INVALID_DIRECTORY'; readonly problems: readonly DirectoryProblem[] };

export type DirectoryCommand =
  | (CommandContext & { readonly type: 'SyncDirectory'; readonly directory: Directory })
  | (CommandContext & { readonly type: 'MarkFollowed' });

/**
 * A directory is decided on its own, whatever came before; the stream remembers the last two
 * directories and whether documents have followed the change between them, so a sync cut short
 * by a crash is finished at the next start.
 */
export type DirectoryState = { readonly current: Directory | undefined; readonly previous: Directory | undefined; readonly followed: boolean };

const duplicates = (ids: readonly string[]): string[] => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];

/** A directory is accepted whole or not at all: every reference in it must resolve. */
const sync = (command: Extract<DirectoryCommand, { type: 'SyncDirectory' }>): Result<DirectoryEvent[], DirectoryError> => {
  const { profiles, users, classes } = command.directory;
  const problems: DirectoryProblem[] = [];
  for (const id of duplicates(profiles.map((p) => p.id))) problems.push({ path: 'profiles', message: `duplicate profile id ${id}` });
  for (const id of duplicates(users.map((u) => u.id))) problems.push({ path: 'users', message: `duplicate user id ${id}` });
  for (const id of duplicates(classes.map((c) => c.id))) problems.push({ path: 'classes', message: `duplicate class id ${id}` });

  const profileIds = new Set(profiles.map((p) => p.id));
  const byId = new Map(users.map((u) => [u.id, u]));
  users.forEach((u, i) => {
    for (const p of u.profiles) {
      if (!profileIds.has(p)) problems.push({ path: `users[${i}].profiles`, message: `user ${u.id} refers to unknown profile ${p}` });
    }
  });
  classes.forEach((c, i) => {
    for (const t of c.teacherIds) {
      const teacher = byId.get(t);
      if (!teacher) problems.push({ path: `classes[${i}].teacherIds`, message: `class ${c.id} refers to unknown user ${t}` });
      else if (!hasLocker(teacher.kind)) problems.push({ path: `classes[${i}].teacherIds`, message: `class ${c.id} lists student ${t} in its teaching team` });
    }
  });
  if (problems.length > 0) return err({ code: 'INVALID_DIRECTORY', problems });
  return ok([{ type: 'DirectorySynced', data: command.directory, actor: command.actorId, at: command.at }]);
};

const evolve = (state: DirectoryState, event: DirectoryEvent): DirectoryState =>
  event.type === 'DirectorySynced' ? { current: event.data, previous: state.current, followed: false } : { ...state, followed: true };

/** One stream per tenant for its directory. */
export const directoryDecider: Decider<DirectoryCommand, DirectoryState, DirectoryEvent, DirectoryError> = {
  initialState: { current: undefined, previous: undefined, followed: true },
  evolve,
  decide: (state, command) =>
    command.type === 'SyncDirectory'
      ? sync(command)
      : ok(state.followed ? [] : [{ type: 'DirectoryFollowed', data: {}, actor: command.actorId, at: command.at }]),
};

export type LockerReason = 'left-directory' | 'became-student';
export type LockerChanges = { readonly open: string[]; readonly close: { userId: string; reason: LockerReason }[] };

/**
 * Which lockers a new directory opens and closes, given who holds an open locker now: staff who
 * appeared get one; staff who left, or became students, have theirs closed.
 */
export const lockerChanges = (openNow: Iterable<string>, directory: Directory): LockerChanges => {
  const kinds = new Map(directory.users.map((u) => [u.id, u.kind]));
  const open = new Set(openNow);
  const wanted = directory.users.filter((u) => hasLocker(u.kind)).map((u) => u.id);
  const wantedSet = new Set(wanted);
  return {
    open: wanted.filter((id) => !open.has(id)),
    close: [...open]
      .filter((id) => !wantedSet.has(id))
      .map((userId) => ({ userId, reason: kinds.has(userId) ? 'became-student' : 'left-directory' })),
  };
};
