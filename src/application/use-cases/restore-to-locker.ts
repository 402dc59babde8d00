import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { lockerDecider } from '../../domain/index.js';
import { fromResult, lockerHolder } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { notFound, type UseCaseError } from '../errors.js';
import { catchUp, handle } from '../handle-command.js';

/** A recipient brings back a document they removed from their own locker. */
export const restoreToLocker =
  (deps: Deps) =>
  (actor: Actor, documentId: string): ResultAsync<null, UseCaseError> =>
    fromResult(lockerHolder(deps, actor))
      .andThen(() => {
        const doc = deps.readModels.document(actor.tenant, documentId);
        const removed = doc && !doc.deleted && deps.readModels.removedBy(actor.tenant, documentId).includes(actor.userId);
        const current = doc && !doc.deleted && deps.readModels.isCurrentRecipient(actor.tenant, documentId, actor.userId);
        // Someone who never had it learns nothing; someone who has it back already is done.
        if (current) return okAsync(null);
        if (!removed) return errAsync<null, UseCaseError>(notFound('document'));
        return handle(deps, lockerDecider, actor.tenant, deps.streams.locker(actor.tenant, actor.userId), {
          type: 'RestoreToLocker',
          actorId: actor.userId,
          at: deps.clock.now(),
          holderId: actor.userId,
          documentId,
          by: 'holder',
        }).map(() => null);
      });

/**
 * Being addressed again by the depositor brings a removed document back into those lockers: the
 * depositor means them to have it. One locker after another, caught up once at the end.
 */
export const restoreForReaddressed = (deps: Deps, actor: Actor, documentId: string, addressed: readonly string[]): ResultAsync<null, UseCaseError> => {
  const removed = new Set(deps.readModels.removedBy(actor.tenant, documentId));
  const back = addressed.filter((id) => removed.has(id));
  return back
    .reduce<ResultAsync<unknown, UseCaseError>>(
      (acc, holderId) =>
        acc.andThen(() =>
          handle(
            deps,
            lockerDecider,
            actor.tenant,
            deps.streams.locker(actor.tenant, holderId),
            { type: 'RestoreToLocker', actorId: actor.userId, at: deps.clock.now(), holderId, documentId, by: 'depositor' },
            { waitForReadModels: false },
          ),
        ),
      okAsync(null),
    )
    .andThen(() => (back.length > 0 ? catchUp(deps.projector) : okAsync(undefined)))
    .map(() => null);
};
