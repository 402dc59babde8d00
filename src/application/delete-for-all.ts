import type { ResultAsync } from 'neverthrow';
import { deleteForAll as decideDelete } from '../domain/index.js';
import { currentYear, managedDocument } from './access.js';
import type { Actor, Deps } from './deps.js';
import { documentCommand, eventsOnly } from './document-command.js';
import type { UseCaseError } from './errors.js';

/**
 * Gone from every locker at once. The bytes stay until the blob sweeper finds no live version that
 * refers to them (another document may share them); the events stay for auditors.
 */
export const deleteForAll =
  (deps: Deps) =>
  (actor: Actor, documentId: string): ResultAsync<null, UseCaseError> =>
    managedDocument(deps, actor, documentId).asyncAndThen(() =>
      documentCommand(deps, actor, documentId, (state, at) => eventsOnly(decideDelete(state, { actorId: actor.userId, at, documentId, currentYear: currentYear(deps, actor.tenant) }))),
    );
