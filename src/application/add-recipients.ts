import type { ResultAsync } from 'neverthrow';
import { addRecipients as decideAdd, type RecipientChoice } from '../domain/index.js';
import { currentYear, managedDocument } from './access.js';
import type { Actor, Deps } from './deps.js';
import { currentView, documentCommand, eventsOnly } from './document-command.js';
import type { UseCaseError } from './errors.js';
import type { DocumentView } from './ports/read-models.js';

export const addRecipients =
  (deps: Deps) =>
  (actor: Actor, documentId: string, recipients: RecipientChoice): ResultAsync<DocumentView, UseCaseError> =>
    managedDocument(deps, actor, documentId)
      .asyncAndThen(() =>
        documentCommand(deps, actor, documentId, (state, at) =>
          eventsOnly(decideAdd(state, deps.readModels.directoryView(actor.tenant), { actorId: actor.userId, at, documentId, recipients, currentYear: currentYear(deps, actor.tenant) })),
        ),
      )
      .andThen(() => currentView(deps, actor, documentId));
