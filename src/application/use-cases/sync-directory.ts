import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { directoryDecider, directoryMoves, directoryParts, documentDecider, lockerChanges, lockerDecider, viewOf, type Directory, type DirectoryCommand, type DirectoryState, type DocumentEvent, type LockerCommand, type People } from '../../domain/index.js';

import { fromResult, currentYear, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp, handle, handleEach, replay, type Handled } from '../handle-command.js';

export const DIRECTORY_WRITE_SCOPE = 'directory:write';

export type DirectorySyncReport = {
  users: number;
  classes: number;
  profiles: number;
  lockersOpened: string[];
  lockersClosed: string[];
  /** Documents addressed to a class or group that changed, and who joined or left their recipients. */
  followed: { documents: number; joined: number; left: number };
};

/**
 * Who joined and left the classes and groups that changed, on the documents addressed to them
 * (an index, not a scan): joiners receive them, leavers lose them unless named or still reached.
 */
const followDirectory = (deps: Deps, actor: Actor, before: People, directory: Directory, at: string): ResultAsync<DirectorySyncReport['followed'], UseCaseError> => {
  const moves = directoryMoves(before, directory);
  const tally = { documents: 0, joined: 0, left: 0 };
  if (moves.size === 0) return okAsync(tally);
  const year = currentYear(deps, actor.tenant);
  const documentIds = deps.readModels.documentsAddressedTo(actor.tenant, [...moves.keys()], year);
  const view = viewOf(directory);
  const count = (events: DocumentEvent[]) => {
    tally.documents += 1;
    for (const e of events) {
      if (e.type === 'RecipientJoined') tally.joined += 1;
      if (e.type === 'RecipientLeft') tally.left += 1;
    }
  };
  return documentIds
    .reduce<ResultAsync<unknown, UseCaseError>>(
      (acc, documentId) =>
        acc.andThen(() =>
          handle(deps, documentDecider, actor.tenant, deps.streams.document(actor.tenant, documentId), { type: 'FollowDirectory', actorId: actor.userId, at, directory: view, moves, currentYear: year }, { waitForReadModels: false }).map((h) => count(h.events)),
        ),
      okAsync(null),
    )
    .map(() => tally);
};

const EMPTY: People = { users: [], classes: [] };

/**
 * What a new directory changes besides itself: lockers opened and closed, documents addressed to
 * classes and groups following it, then `DirectoryFollowed`. Every step decides on what is there,
 * so running it again (after a crash, at the next start) finishes the job without doing it twice.
 */
const applyDirectory = (deps: Deps, actor: Actor, previous: People | undefined, directory: Directory, at: string): ResultAsync<Omit<DirectorySyncReport, 'users' | 'classes' | 'profiles'>, UseCaseError> => {
  const by = { actorId: actor.userId, at };
  const changes = lockerChanges(deps.readModels.lockerHolders(actor.tenant), directory);
  const commands: [string, LockerCommand][] = [
    ...changes.open.map((userId): [string, LockerCommand] => [userId, { type: 'OpenLocker', ...by, userId }]),
    ...changes.close.map(({ userId, reason }): [string, LockerCommand] => [userId, { type: 'CloseLocker', ...by, userId, reason }]),
  ];
  // One locker after another: a school has a few hundred staff, and sequential appends keep
  // the log tidy. The read models catch up once, at the end.
  const sequential = commands.reduce<ResultAsync<unknown, UseCaseError>>(
    (acc, [userId, command]) => acc.andThen(() => handle(deps, lockerDecider, actor.tenant, deps.streams.locker(actor.tenant, userId), command, { waitForReadModels: false })),
    okAsync(null),
  );
  return sequential
    .andThen(() => followDirectory(deps, actor, previous ?? EMPTY, directory, at))
    .andThen((followed) =>
      handle(deps, directoryDecider, actor.tenant, deps.streams.directory(actor.tenant), { type: 'MarkFollowed', ...by }, { waitForReadModels: false }).map(() => followed),
    )
    .andThen((followed) =>
      catchUp(deps.projector).map(() => ({ lockersOpened: changes.open, lockersClosed: changes.close.map((c) => c.userId), followed })),
    );
};

/**
 * The directory on its stream: one event when it fits, or else its parts staged one append each
 * and then committed (an event store caps an append: EventStoreDB at 1 MiB, about 3,700 people).
 * It is checked whole before anything is staged; a sync cut short leaves staged parts that change
 * nothing, and the next sync stages its own.
 */
const record = (deps: Deps, actor: Actor, directory: Directory, at: string): ResultAsync<Handled<DirectoryState, unknown>, UseCaseError> => {
  const stream = deps.streams.directory(actor.tenant);
  const by = { actorId: actor.userId, at };
  const parts = directoryParts(directory);
  if (parts.length === 1) return handle(deps, directoryDecider, actor.tenant, stream, { type: 'SyncDirectory', ...by, directory }, { waitForReadModels: false });
  const checked = directoryDecider.decide(directoryDecider.initialState, { type: 'SyncDirectory', ...by, directory });
  if (checked.isErr()) return errAsync(checked.error);
  const syncId = deps.ids.newId();
  return handleEach(deps, directoryDecider, actor.tenant, stream, [
    ...parts.map((part, i): DirectoryCommand => ({ type: 'StageDirectoryPart', ...by, syncId, part: i, parts: parts.length, directory: part })),
    { type: 'CommitDirectory', ...by, syncId },
  ]);
};

/**
 * Replaces the tenant's directory, brings the lockers in line, and lets the documents addressed to
 * classes and groups follow it (the domain says which open and close, who joins and who leaves).
 * Allowed to admins, and to a directory-sync service whose token carries the directory:write
 * scope: that is how a tenant is bootstrapped.
 */
export const syncDirectory =
  (deps: Deps) =>
  (actor: Actor, directory: Directory): ResultAsync<DirectorySyncReport, UseCaseError> => {
    const allowed = actor.scopes.includes(DIRECTORY_WRITE_SCOPE) ? okAsync(undefined) : fromResult(withPermission(deps, actor, 'locker.admin')).map(() => undefined);
    const at = deps.clock.now();
    return allowed
      .andThen(() => catchUp(deps.projector))
      .andThen(() => record(deps, actor, directory, at))
      .andThen(({ state }) => catchUp(deps.projector).andThen(() => applyDirectory(deps, actor, state.previous, directory, at)))
      .map((applied) => ({ users: directory.users.length, classes: directory.classes.length, profiles: directory.profiles.length, ...applied }));
  };

/**
 * At start: a sync cut short (the process died after `DirectorySynced`) is finished, from the two
 * directories the stream holds. Nothing happens when the last sync was followed.
 */
export const resumeDirectorySync =
  (deps: Deps) =>
  (tenant: string): ResultAsync<boolean, UseCaseError> =>
    deps.events.readStream(deps.streams.directory(tenant)).andThen((recorded) => {
      const { current, previous, followed } = replay(directoryDecider, recorded);
      if (followed || !current) return okAsync(false);
      const actor: Actor = { tenant, userId: 'system:directory-sync', scopes: [DIRECTORY_WRITE_SCOPE] };
      return catchUp(deps.projector).andThen(() => applyDirectory(deps, actor, previous, current, deps.clock.now()).map(() => true));
    });

/**
 * The directory as last synced, read back from its stream (names opened by the sealing store):
 * an admin, or the sync service, can see what the school's directory holds now.
 */
export const readDirectory =
  (deps: Deps) =>
  (actor: Actor): ResultAsync<Directory, UseCaseError> => {
    const allowed = actor.scopes.includes(DIRECTORY_WRITE_SCOPE) ? okAsync(undefined) : fromResult(withPermission(deps, actor, 'locker.admin')).map(() => undefined);
    return allowed
      .andThen(() => deps.events.readStream(deps.streams.directory(actor.tenant)))
      .map((recorded) => replay(directoryDecider, recorded).current ?? { profiles: [], users: [], classes: [] });
  };
