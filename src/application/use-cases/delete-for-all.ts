import type { ResultAsync } from 'neverthrow';
import type { Actor, Deps } from '../deps.js';
import { documentCommand } from '../document-command.js';
import type { UseCaseError } from '../errors.js';

/**
 * Gone from every locker at once. The bytes stay until the blob sweeper finds no live version that
 * refers to them (another document may share them); the events stay for auditors.
 */
export const deleteForAll =
  (deps: Deps) =>
  (actor: Actor, documentId: string): ResultAsync<null, UseCaseError> =>
    documentCommand(deps, actor, documentId, (by) => ({ type: 'DeleteForAll', ...by })).map(() => null);
