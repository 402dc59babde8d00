import type { ResultAsync } from 'neverthrow';
import { documentDecider } from '../../domain/index.js';
import { async, currentYear, lockerHolder } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { handle } from '../handle-command.js';

/**
 * Gone from every locker at once. The bytes stay until the blob sweeper finds no live version that
 * refers to them (another document may share them); the events stay for auditors.
 */
export const deleteForAll =
  (deps: Deps) =>
  (actor: Actor, documentId: string): ResultAsync<null, UseCaseError> =>
    async(lockerHolder(deps, actor))
      .andThen(() =>
        handle(deps, documentDecider, actor.tenant, deps.streams.document(actor.tenant, documentId), {
          type: 'DeleteForAll',
          actorId: actor.userId,
          at: deps.clock.now(),
          documentId,
          currentYear: currentYear(deps, actor.tenant),
        }),
      )
      .map(() => null);
