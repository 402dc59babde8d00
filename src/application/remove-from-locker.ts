import { errAsync, type ResultAsync } from 'neverthrow';
import { evolveLocker, initialLocker, removeFromLocker as decideRemove, type Locker, type LockerEvent } from '../domain/index.js';
import { staffMember } from './access.js';
import { runCommand } from './command-runner.js';
import type { Actor, Deps } from './deps.js';
import { notFound, type UseCaseError } from './errors.js';

/** A recipient tidies their own locker; the document stays for everyone else. */
export const removeFromLocker =
  (deps: Deps) =>
  (actor: Actor, documentId: string): ResultAsync<null, UseCaseError> =>
    staffMember(deps, actor).asyncAndThen(() => {
      const isRecipient = deps.readModels.isCurrentRecipient(actor.tenant, documentId, actor.userId);
      const doc = deps.readModels.document(actor.tenant, documentId);
      if (!doc || doc.deleted || !isRecipient) return errAsync<null, UseCaseError>(notFound('document'));
      const at = deps.clock.now();
      return runCommand<Locker, LockerEvent, null, UseCaseError>(
        deps,
        actor.tenant,
        deps.streams.locker(actor.tenant, actor.userId),
        { initial: initialLocker, evolve: evolveLocker },
        (state) => decideRemove(state, { actorId: actor.userId, at, documentId, isRecipient }).map((events) => ({ events, value: null })),
      );
    });
