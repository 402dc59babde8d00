import type { ResultAsync } from 'neverthrow';
import { documentDecider, type RecipientChoice } from '../../domain/index.js';
import { async, currentYear, documentView, lockerHolder } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { handle } from '../handle-command.js';
import type { DocumentView } from '../ports/read-models.js';

/** The depositor adds users or classes; those already there are not added twice. */
export const addRecipients =
  (deps: Deps) =>
  (actor: Actor, documentId: string, recipients: RecipientChoice): ResultAsync<DocumentView, UseCaseError> =>
    async(lockerHolder(deps, actor))
      .andThen(() =>
        handle(deps, documentDecider, actor.tenant, deps.streams.document(actor.tenant, documentId), {
          type: 'AddRecipients',
          actorId: actor.userId,
          at: deps.clock.now(),
          documentId,
          currentYear: currentYear(deps, actor.tenant),
          directory: deps.readModels.directoryView(actor.tenant),
          recipients,
        }),
      )
      .andThen(() => documentView(deps, actor.tenant, documentId));
