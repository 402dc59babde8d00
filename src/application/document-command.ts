import { err, ok, type Result, type ResultAsync } from 'neverthrow';
import { evolveDocument, initialDocument, type DocumentError, type DocumentEvent, type DocumentState } from '../domain/index.js';
import { runCommand, type Decision } from './command-runner.js';
import type { Actor, Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import type { DocumentView } from './ports/read-models.js';

export const documentAggregate = { initial: initialDocument, evolve: evolveDocument };

/** Runs a decision on one document's stream, then answers with the document as the read model now has it. */
export const documentCommand = <Value = null>(
  deps: Deps,
  actor: Actor,
  documentId: string,
  decide: (state: DocumentState, at: string) => Result<Decision<DocumentEvent, Value>, UseCaseError> | ResultAsync<Decision<DocumentEvent, Value>, UseCaseError>,
): ResultAsync<Value, UseCaseError> => {
  const at = deps.clock.now();
  return runCommand<DocumentState, DocumentEvent, Value, UseCaseError>(
    deps,
    actor.tenant,
    deps.streams.document(actor.tenant, documentId),
    documentAggregate,
    (state) => decide(state, at),
  );
};

export const eventsOnly = (r: Result<DocumentEvent[], DocumentError>): Result<Decision<DocumentEvent, null>, UseCaseError> =>
  r.map((events) => ({ events, value: null }));

export const currentView = (deps: Deps, actor: Actor, documentId: string): Result<DocumentView, UseCaseError> => {
  const doc = deps.readModels.document(actor.tenant, documentId);
  return doc ? ok(doc) : err({ code: 'NOT_FOUND', resource: 'document' });
};
