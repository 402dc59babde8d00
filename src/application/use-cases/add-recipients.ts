import type { ResultAsync } from 'neverthrow';
import { resolveRecipients, type RecipientChoice } from '../../domain/index.js';
import { fromResult, documentView } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { documentCommand } from '../document-command.js';
import type { UseCaseError } from '../errors.js';
import type { DocumentView } from '../ports/read-models.js';
import { restoreForReaddressed } from './restore-to-locker.js';

/**
 * The depositor adds users or classes; those already there are not added twice, and those who had
 * removed it from their locker get it back.
 */
export const addRecipients =
  (deps: Deps) =>
  (actor: Actor, documentId: string, recipients: RecipientChoice): ResultAsync<DocumentView, UseCaseError> => {
    const directory = deps.readModels.directoryView(actor.tenant);
    return documentCommand(deps, actor, documentId, (by) => ({ type: 'AddRecipients', ...by, directory, recipients }))
      .andThen(() => {
        // The decision held, so the choice resolves: the same people the document now names.
        const addressed = resolveRecipients(directory, recipients, actor.userId).map((r) => r.recipientIds).unwrapOr([]);
        return restoreForReaddressed(deps, actor, documentId, addressed);
      })
      .andThen(() => fromResult(documentView(deps, actor.tenant, documentId)));
  };
