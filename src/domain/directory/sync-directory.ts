import { err, ok, type Result } from 'neverthrow';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';
import { hasLocker } from '../shared/permissions.js';
import type { Directory, DirectoryUser, Profile, SchoolClass } from './directory.js';

export type DirectorySynced = DomainEvent<'DirectorySynced', Directory>;
/**
 * One part of a directory too large for one event (an event store caps an append: EventStoreDB at
 * 1 MiB by default): staged on the stream, it changes nothing until the sync is committed.
 */
export type DirectoryPartStaged = DomainEvent<'DirectoryPartStaged', Directory & { readonly syncId: string; readonly part: number; readonly parts: number }>;
/** The staged parts of one sync, put together, are the directory now. */
export type DirectoryCommitted = DomainEvent<'DirectoryCommitted', { readonly syncId: string; readonly parts: number }>;
/** The documents addressed to classes and groups have followed the directory synced before it. */
export type DirectoryFollowed = DomainEvent<'DirectoryFollowed', Record<string, never>>;
export type DirectoryEvent = DirectorySynced | DirectoryPartStaged | DirectoryCommitted | DirectoryFollowed;

export type DirectoryProblem = { readonly path: string; readonly message: string };
export type DirectoryError = { readonly code: 'INVALID_DIRECTORY'; readonly problems: readonly DirectoryProblem[] };

export type DirectoryCommand =
  | (CommandContext & { readonly type: 'SyncDirectory'; readonly directory: Directory })
  | (CommandContext & { readonly type: 'StageDirectoryPart'; readonly syncId: string; readonly part: number; readonly parts: number; readonly directory: Directory })
  | (CommandContext & { readonly type: 'CommitDirectory'; readonly syncId: string })
  | (CommandContext & { readonly type: 'MarkFollowed' });

/**
 * A directory is decided on its own, whatever came before; the stream remembers the last two
 * directories and whether documents have followed the change between them, so a sync cut short
 * by a crash is finished at the next start.
 */
export type DirectoryState = {
  readonly current: Directory | undefined;
  readonly previous: Directory | undefined;
  readonly followed: boolean;
  /** The parts of a sync staged and not committed yet (the last sync's only). */
  readonly staging?: { readonly syncId: string; readonly parts: readonly (Directory | undefined)[] } | undefined;
};

/** The clear JSON a part may hold: sealed, a person's name and address take about 2.8 times theirs, so a part stays near 700 KiB. */
export const DIRECTORY_PART_BYTES = 256 * 1024;

/**
 * A directory in parts of at most `budget` bytes of JSON each (profiles in the first), in order;
 * one part when it fits. Someone alone larger than the budget still gets a part of their own.
 */
export const directoryParts = (directory: Directory, budget = DIRECTORY_PART_BYTES): Directory[] => {
  type Part = { profiles: Profile[]; users: DirectoryUser[]; classes: SchoolClass[]; bytes: number };
  const parts: Part[] = [];
  let current: Part = { profiles: [...directory.profiles], users: [], classes: [], bytes: JSON.stringify(directory.profiles).length };
  const add = (size: number, put: (p: Part) => void) => {
    if (current.bytes + size > budget && (current.users.length > 0 || current.classes.length > 0)) {
      parts.push(current);
      current = { profiles: [], users: [], classes: [], bytes: 0 };
    }
    put(current);
    current.bytes += size + 1;
  };
  for (const u of directory.users) add(JSON.stringify(u).length, (p) => p.users.push(u));
  for (const c of directory.classes) add(JSON.stringify(c).length, (p) => p.classes.push(c));
  parts.push(current);
  return parts.map(({ profiles, users, classes }) => ({ profiles, users, classes }));
};

/** Parts put back together, in order. */
const assembled = (parts: readonly (Directory | undefined)[]): Directory => ({
  profiles: parts.flatMap((p) => p?.profiles ?? []),
  users: parts.flatMap((p) => p?.users ?? []),
  classes: parts.flatMap((p) => p?.classes ?? []),
});

const duplicates = (ids: readonly string[]): string[] => [...new Set(ids.filter((id, i) => ids.indexOf(id) !== i))];

/** A directory is accepted whole or not at all: every reference in it must resolve. */
const validate = (directory: Directory): DirectoryProblem[] => {
  const { profiles, users, classes } = directory;
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
  return problems;
};

const sync = (command: Extract<DirectoryCommand, { type: 'SyncDirectory' }>): Result<DirectoryEvent[], DirectoryError> => {
  const problems = validate(command.directory);
  if (problems.length > 0) return err({ code: 'INVALID_DIRECTORY', problems });
  return ok([{ type: 'DirectorySynced', data: command.directory, actor: command.actorId, at: command.at }]);
};

/** A part is staged once: staged again (a retry), it is already there. */
const stage = (state: DirectoryState, command: Extract<DirectoryCommand, { type: 'StageDirectoryPart' }>): Result<DirectoryEvent[], DirectoryError> => {
  // A whole part number from 0 to parts - 1 (so there is at least one part).
  if (!Number.isInteger(command.parts) || !Number.isInteger(command.part) || command.part < 0 || command.part >= command.parts) {
    return err({ code: 'INVALID_DIRECTORY', problems: [{ path: 'parts', message: `part ${command.part} of ${command.parts} does not exist` }] });
  }
  if (state.staging?.syncId === command.syncId && state.staging.parts[command.part] !== undefined) return ok([]);
  const { syncId, part, parts, directory } = command;
  return ok([{ type: 'DirectoryPartStaged', data: { syncId, part, parts, profiles: directory.profiles, users: directory.users, classes: directory.classes }, actor: command.actorId, at: command.at }]);
};

/** The staged parts, all there, make a directory accepted whole or not at all, as one sync's. */
const commit = (state: DirectoryState, command: Extract<DirectoryCommand, { type: 'CommitDirectory' }>): Result<DirectoryEvent[], DirectoryError> => {
  const staging = state.staging?.syncId === command.syncId ? state.staging : undefined;
  if (!staging) return err({ code: 'INVALID_DIRECTORY', problems: [{ path: 'parts', message: `nothing is staged for sync ${command.syncId}` }] });
  const missing = staging.parts.flatMap((p, i) => (p === undefined ? [i] : []));
  if (missing.length > 0) return err({ code: 'INVALID_DIRECTORY', problems: missing.map((i) => ({ path: 'parts', message: `part ${i} of ${staging.parts.length} was never staged` })) });
  const problems = validate(assembled(staging.parts));
  if (problems.length > 0) return err({ code: 'INVALID_DIRECTORY', problems });
  return ok([{ type: 'DirectoryCommitted', data: { syncId: command.syncId, parts: staging.parts.length }, actor: command.actorId, at: command.at }]);
};

const evolve = (state: DirectoryState, event: DirectoryEvent): DirectoryState => {
  switch (event.type) {
    case 'DirectorySynced':
      return { current: event.data, previous: state.current, followed: false };
    case 'DirectoryPartStaged': {
      const { syncId, part, parts, profiles, users, classes } = event.data;
      const staged = state.staging?.syncId === syncId ? [...state.staging.parts] : Array.from<Directory | undefined>({ length: parts });
      staged[part] = { profiles, users, classes };
      return { ...state, staging: { syncId, parts: staged } };
    }
    case 'DirectoryCommitted':
      return state.staging?.syncId === event.data.syncId ? { current: assembled(state.staging.parts), previous: state.current, followed: false } : state;
    case 'DirectoryFollowed':
      return { ...state, followed: true };
  }
};

/** One stream per tenant for its directory. */
export const directoryDecider: Decider<DirectoryCommand, DirectoryState, DirectoryEvent, DirectoryError> = {
  initialState: { current: undefined, previous: undefined, followed: true },
  evolve,
  decide: (state, command) => {
    switch (command.type) {
      case 'SyncDirectory':
        return sync(command);
      case 'StageDirectoryPart':
        return stage(state, command);
      case 'CommitDirectory':
        return commit(state, command);
      case 'MarkFollowed':
        return ok(state.followed ? [] : [{ type: 'DirectoryFollowed', data: {}, actor: command.actorId, at: command.at }]);
    }
  },
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
