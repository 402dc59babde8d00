import { errAsync, ResultAsync } from 'neverthrow';
import { updateContent as decideUpdate } from '../domain/index.js';
import { currentYear, managedDocument, maxDocumentBytes } from './access.js';
import type { Actor, Deps } from './deps.js';
import type { IncomingFile } from './deposit-document.js';
import { currentView, documentCommand } from './document-command.js';
import type { UseCaseError } from './errors.js';
import type { DocumentView } from './ports/read-models.js';

/** A new version of the same document: recipients keep it in their locker and are told it changed. */
export const updateContent = (deps: Deps) => ({
  check: (actor: Actor, documentId: string) => managedDocument(deps, actor, documentId).map(() => maxDocumentBytes(deps, actor.tenant)),

  store(actor: Actor, documentId: string, limit: number, file: IncomingFile): ResultAsync<DocumentView, UseCaseError> {
    return deps.blobs.stage(actor.tenant, file.content, limit).andThen((staged) => {
      let committed = false;
      const discard = () => (committed ? Promise.resolve() : staged.discard());
      if (file.truncated()) {
        return ResultAsync.fromSafePromise(discard()).andThen(() => errAsync<DocumentView, UseCaseError>({ code: 'FILE_TOO_LARGE', maxDocumentBytes: limit }));
      }
      const stored = { blobKey: staged.key, sha256: staged.sha256, sizeBytes: staged.sizeBytes, fileName: file.fileName, mediaType: file.mediaType };
      return documentCommand(deps, actor, documentId, (state, at) =>
        decideUpdate(state, limit, { actorId: actor.userId, at, documentId, file: stored, currentYear: currentYear(deps, actor.tenant) }).asyncAndThen((events) =>
          // Committed before the append, never after: an event must not point at bytes that are not there.
          (committed ? staged.commit() : staged.commit().map(() => void (committed = true))).map(() => ({ events, value: null })),
        ),
      )
        .orElse((e) => ResultAsync.fromSafePromise(discard()).andThen(() => errAsync<null, UseCaseError>(e)))
        .andThen(() => currentView(deps, actor, documentId));
    });
  },
});
