import { errAsync, ResultAsync } from 'neverthrow';
import { checkEditing, documentDecider, type CloudSource } from '../../domain/index.js';
import { fromResult, documentView, maxDocumentBytes, readableDocument } from '../access.js';
import { documentCommand, managing } from '../document-command.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { replay } from '../handle-command.js';
import type { DocumentView } from '../ports/read-models.js';
import { stageScanned, storedFile } from '../scan-upload.js';
import { stagedOnce, whyNotStaged, type IncomingFile, type Upload } from '../incoming-file.js';
import { clouds, type CloudSourceRequest } from './clouds.js';

/** A new version of the same document: recipients keep it in their locker and are told it changed. */
export const updateContent = (deps: Deps) => {
  const api = {
    /** A request whose body carries the new version: refused before a byte is read if the caller may not edit, or if its declared length is past the limit. */
    upload: (actor: Actor, documentId: string, minor: boolean, upload: Pick<Upload<never>, 'open' | 'file'>): ResultAsync<DocumentView, UseCaseError> =>
      api.check(actor, documentId, minor).andThen((limit) => {
        const refused = upload.open(limit);
        if (refused) return errAsync<DocumentView, UseCaseError>(refused);
        return ResultAsync.fromSafePromise(upload.file()).andThen((file) => ('code' in file ? errAsync<DocumentView, UseCaseError>(file) : api.store(actor, documentId, limit, file, minor)));
      }),

    /** A new version read from the caller's cloud account, recorded with where it came from. */
    fromCloud: (actor: Actor, documentId: string, minor: boolean, source: CloudSourceRequest): ResultAsync<DocumentView, UseCaseError> =>
      api.check(actor, documentId, minor).andThen((limit) =>
        clouds(deps)
          .fileFrom(actor, source)
          .andThen(({ file, etag, path }) => api.store(actor, documentId, limit, file, minor, { cloudId: source.cloudId, path, etag })),
      ),

    /** Refused before a byte is read when the caller may not read (access.ts) or edit (the domain's rule, on the stream) the document. */
    check: (actor: Actor, documentId: string, minor = false): ResultAsync<number, UseCaseError> =>
      fromResult(readableDocument(deps, actor, documentId))
        .andThen(() => deps.events.readStream(deps.streams.document(actor.tenant, documentId)))
        .andThen((recorded) => fromResult(checkEditing(replay(documentDecider, recorded), managing(deps, actor, documentId), minor)))
        .map(() => maxDocumentBytes(deps, actor.tenant)),

    /** `minor`: acknowledgements of the previous version still count. */
    store(actor: Actor, documentId: string, limit: number, file: IncomingFile, minor = false, cloud?: CloudSource): ResultAsync<DocumentView, UseCaseError> {
      return stageScanned(deps, actor, file, limit, cloud ? 'cloud' : 'version').mapErr(whyNotStaged(file)).andThen((staged) => {
        const bytes = stagedOnce(staged);
        if (file.truncated()) return bytes.release().andThen(() => errAsync<DocumentView, UseCaseError>({ code: 'FILE_TOO_LARGE', maxDocumentBytes: limit }));
        const stored = storedFile(file, staged);
        return documentCommand(deps, actor, documentId, (by) => ({ type: 'UpdateContent', ...by, maxDocumentBytes: limit, file: stored, minor, cloud }), {
          // Access is read again once the bytes are in: a removal during the upload refuses it.
          beforeAppend: () => fromResult(readableDocument(deps, actor, documentId)).andThen(bytes.commit),
        })
          .andThen(() => bytes.release())
          .orElse((e) => bytes.release().andThen(() => errAsync<void, UseCaseError>(e)))
          .andThen(() => fromResult(documentView(deps, actor.tenant, documentId)));
      });
    },
  };
  return api;
};
