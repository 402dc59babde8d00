import { okAsync, ResultAsync } from 'neverthrow';
import { directoryDecider, lockerChanges, lockerDecider, type Directory, type LockerCommand } from '../../domain/index.js';
import { async, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp, handle } from '../handle-command.js';

export const DIRECTORY_WRITE_SCOPE = 'directory:write';

export type DirectorySyncReport = { users: number; classes: number; profiles: number; lockersOpened: string[]; lockersClosed: string[] };

/**
 * Replaces the tenant's directory and brings the lockers in line (the domain says which open and
 * close). Allowed to admins, and to a directory-sync service whose token carries the
 * directory:write scope: that is how a tenant is bootstrapped.
 */
export const syncDirectory =
  (deps: Deps) =>
  (actor: Actor, directory: Directory): ResultAsync<DirectorySyncReport, UseCaseError> => {
    const allowed = actor.scopes.includes(DIRECTORY_WRITE_SCOPE) ? okAsync(undefined) : async(withPermission(deps, actor, 'locker.admin')).map(() => undefined);
    const at = deps.clock.now();
    const by = { actorId: actor.userId, at };
    return allowed
      .andThen(() => catchUp(deps.projector))
      .andThen(() => handle(deps, directoryDecider, actor.tenant, deps.streams.directory(actor.tenant), { type: 'SyncDirectory', ...by, directory }, { waitForReadModels: false }))
      .andThen(() => {
        const changes = lockerChanges(deps.readModels.lockerHolders(actor.tenant), directory);
        const commands: [string, LockerCommand][] = [
          ...changes.open.map((userId): [string, LockerCommand] => [userId, { type: 'OpenLocker', ...by, userId }]),
          ...changes.close.map(({ userId, reason }): [string, LockerCommand] => [userId, { type: 'CloseLocker', ...by, userId, reason }]),
        ];
        // One locker after another: a school has a few hundred staff, and sequential appends keep
        // the log tidy. The read models catch up once, at the end.
        const sequential = commands.reduce<ResultAsync<unknown, UseCaseError>>(
          (acc, [userId, command]) =>
            acc.andThen(() => handle(deps, lockerDecider, actor.tenant, deps.streams.locker(actor.tenant, userId), command, { waitForReadModels: false })),
          okAsync(null),
        );
        return sequential.andThen(() => catchUp(deps.projector)).map(() => ({
          users: directory.users.length,
          classes: directory.classes.length,
          profiles: directory.profiles.length,
          lockersOpened: changes.open,
          lockersClosed: changes.close.map((c) => c.userId),
        }));
      });
  };
