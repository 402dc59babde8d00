import type { ResultAsync } from 'neverthrow';
import { lockerDecider } from '../../domain/index.js';
import { fromResult, readableDocument } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { handle } from '../handle-command.js';

/** A recipient tidies their own locker; the document stays for everyone else. */
export const removeFromLocker =
  (deps: Deps) =>
  (actor: Actor, documentId: string): ResultAsync<null, UseCaseError> =>
    fromResult(readableDocument(deps, actor, documentId))
      .andThen((doc) =>
        handle(deps, lockerDecider, actor.tenant, deps.streams.locker(actor.tenant, actor.userId), {
          type: 'RemoveFromLocker',
          actorId: actor.userId,
          at: deps.clock.now(),
          documentId,
          // The depositor reads their document too, but it was never in their own locker.
          isRecipient: doc.depositorId !== actor.userId,
        }),
      )
      .map(() => null);
