import { okAsync, ResultAsync } from 'neverthrow';
import {
  closeLocker,
  evolveLocker,
  hasLocker,
  initialLocker,
  lockerHolders,
  openLocker,
  syncDirectory as decideSync,
  type Directory,
  type DirectoryEvent,
  type LockerEvent,
} from '../domain/index.js';
import { withPermission } from './access.js';
import { catchUp, decideAndAppend, runCommand } from './command-runner.js';
import type { Actor, Deps } from './deps.js';
import type { UseCaseError } from './errors.js';

export const DIRECTORY_WRITE_SCOPE = 'directory:write';

export type DirectorySyncReport = { users: number; classes: number; profiles: number; lockersOpened: string[]; lockersClosed: string[] };

/**
 * Replaces the tenant's directory and brings the lockers in line: staff who appeared get a locker,
 * staff who left or became students have theirs closed. Allowed to admins, and to a directory-sync
 * service whose token carries the directory:write scope (that is how a tenant is bootstrapped).
 */
export const syncDirectory =
  (deps: Deps) =>
  (actor: Actor, directory: Directory): ResultAsync<DirectorySyncReport, UseCaseError> => {
    const allowed = actor.scopes.includes(DIRECTORY_WRITE_SCOPE) ? okAsync(undefined) : withPermission(deps, actor, 'locker.admin').asyncMap(async () => undefined);
    const at = deps.clock.now();
    const stream = deps.streams.directory(actor.tenant);
    return allowed
      .andThen(() => catchUp(deps.projector))
      .andThen(() =>
        runCommand<null, DirectoryEvent, null, UseCaseError>(
          deps,
          actor.tenant,
          stream,
          { initial: null, evolve: () => null },
          () => decideSync({ actorId: actor.userId, at, directory }).map((events) => ({ events, value: null })),
        ),
      )
      .andThen(() => {
        const wanted = new Set(lockerHolders(directory));
        const open = new Set(deps.readModels.lockerHolders(actor.tenant));
        const kinds = new Map(directory.users.map((u) => [u.id, u.kind]));
        const toOpen = [...wanted].filter((id) => !open.has(id));
        const toClose = [...open].filter((id) => !wanted.has(id));
        return lockerChanges(deps, actor, at, toOpen, toClose, (id) => (kinds.has(id) && !hasLocker(kinds.get(id)!) ? 'became-student' : 'left-directory'))
          .map(() => ({
            users: directory.users.length,
            classes: directory.classes.length,
            profiles: directory.profiles.length,
            lockersOpened: toOpen,
            lockersClosed: toClose,
          }));
      });
  };

const lockerChanges = (
  deps: Deps,
  actor: Actor,
  at: string,
  toOpen: string[],
  toClose: string[],
  reasonFor: (id: string) => 'left-directory' | 'became-student',
): ResultAsync<void, UseCaseError> => {
  const change = (userId: string, decide: (state: typeof initialLocker) => LockerEvent[]) =>
    decideAndAppend<typeof initialLocker, LockerEvent, null, UseCaseError>(
      deps,
      actor.tenant,
      deps.streams.locker(actor.tenant, userId),
      { initial: initialLocker, evolve: evolveLocker },
      (state) => okAsync({ events: decide(state), value: null }),
    );
  const jobs = [
    ...toOpen.map((userId) => () => change(userId, (s) => openLocker(s, { actorId: actor.userId, at, userId }))),
    ...toClose.map((userId) => () => change(userId, (s) => closeLocker(s, { actorId: actor.userId, at, userId, reason: reasonFor(userId) }))),
  ];
  // One locker after another: a school has a few hundred staff, and sequential appends keep the log tidy.
  const sequential = jobs.reduce<ResultAsync<null, UseCaseError>>((acc, job) => acc.andThen(job), okAsync(null));
  // Caught up once at the end, not after each locker.
  return sequential.andThen(() => catchUp(deps.projector));
};
