import type { ResultAsync } from 'neverthrow';
import type { RecipientChoice } from '../../domain/index.js';
import type { Actor, Deps } from '../deps.js';
import { documentCommandView } from '../document-command.js';
import type { UseCaseError } from '../errors.js';
import type { DocumentView } from '../ports/read-models.js';

/** The depositor adds users or classes; those already there are not added twice. */
export const addRecipients =
  (deps: Deps) =>
  (actor: Actor, documentId: string, recipients: RecipientChoice): ResultAsync<DocumentView, UseCaseError> =>
    documentCommandView(deps, actor, documentId, (by) => ({ type: 'AddRecipients', ...by, directory: deps.readModels.directoryView(actor.tenant), recipients }));
