import type { ResultAsync } from 'neverthrow';
import { documentDecider, type DocumentCommand, type DocumentState, type Managing } from '../domain/index.js';
import { fromResult, currentYear, documentView, readableDocument } from './access.js';
import type { Actor, Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import { handle, type CommandOptions, type Handled } from './handle-command.js';
import type { DocumentView } from './ports/read-models.js';

/** Who manages, on which document, in which current year, at what time: what every management command carries. */
export const managing = (deps: Deps, actor: Actor, documentId: string): Managing => ({
  actorId: actor.userId,
  at: deps.clock.now(),
  documentId,
  currentYear: currentYear(deps, actor.tenant),
});

/**
 * A command on one document's stream, by someone who may read it: the one access rule every route
 * goes through (access.ts: the depositor, or a current recipient who has not removed it from their
 * locker; anyone else finds nothing), then the one command path, where the document decider
 * applies every other rule (who manages, who may edit, the year).
 */
export const documentCommand = (
  deps: Deps,
  actor: Actor,
  documentId: string,
  command: (by: Managing) => DocumentCommand,
  options?: CommandOptions,
): ResultAsync<Handled<DocumentState, unknown>, UseCaseError> =>
  fromResult(readableDocument(deps, actor, documentId)).andThen(() =>
    handle(deps, documentDecider, actor.tenant, deps.streams.document(actor.tenant, documentId), command(managing(deps, actor, documentId)), options),
  );

/** The same, answered with the document as the read models now have it. */
export const documentCommandView = (deps: Deps, actor: Actor, documentId: string, command: (by: Managing) => DocumentCommand): ResultAsync<DocumentView, UseCaseError> =>
  documentCommand(deps, actor, documentId, command).andThen(() => documentView(deps, actor.tenant, documentId));
