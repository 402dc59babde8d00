import { errAsync, okAsync, ResultAsync } from 'neverthrow';
import { checkDeposit, documentDecider, type DepositContext, type DepositRequest, type RecipientChoice } from '../../domain/index.js';
import { async, currentYear, documentView, lockerHolder, maxDocumentBytes, tenantSettingsOf } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp, handle } from '../handle-command.js';
import type { StagedBlob } from '../ports/blob-store.js';
import type { DocumentView } from '../ports/read-models.js';

export type DepositMeta = {
  readonly recipients: RecipientChoice;
  readonly categoryId: string;
  readonly title?: string | undefined;
  readonly memo?: string | undefined;
  readonly recipientsMayEdit?: boolean | undefined;
};

export type IncomingFile = {
  readonly fileName: string;
  readonly mediaType: string;
  readonly content: AsyncIterable<Uint8Array>;
  /** The transport cut the file at the size limit (multipart parsers do that rather than failing). */
  readonly truncated: () => boolean;
  /** Why the transport cut the upload, if it did (too slow, more than the file): asked after a failed stage. */
  readonly refusal?: () => UseCaseError | undefined;
};

/** A failed stage explained by the transport when it cut the upload itself, else by the store. */
export const whyNotStaged = (file: IncomingFile) => (e: UseCaseError): UseCaseError => file.refusal?.() ?? e;

export type CheckedDeposit = {
  readonly actor: Actor;
  readonly context: DepositContext;
  readonly request: DepositRequest;
  readonly idempotencyKey: string | undefined;
};

export type DepositOutcome = { readonly document: DocumentView; readonly replayed: boolean };

/**
 * Commits staged bytes once, however many times the command path retries, and discards them if
 * the request ends without an event pointing at them.
 */
export const stagedOnce = (staged: StagedBlob) => {
  let committed = false;
  return {
    commit: (): ResultAsync<void, UseCaseError> => (committed ? okAsync(undefined) : staged.commit().map(() => void (committed = true))),
    release: (): ResultAsync<void, never> => (committed ? okAsync(undefined) : ResultAsync.fromSafePromise(staged.discard())),
  };
};

/**
 * A deposit in two steps, because the file arrives after the metadata on the same socket: first
 * everything that can be refused without the bytes, then the bytes, then one event.
 */
export const depositDocument = (deps: Deps) => ({
  check(actor: Actor, meta: DepositMeta, idempotencyKey: string | undefined): ResultAsync<CheckedDeposit, UseCaseError> {
    return catchUp(deps.projector)
      .andThen(() => async(lockerHolder(deps, actor)))
      .andThen(() => {
        const context: DepositContext = {
          directory: deps.readModels.directoryView(actor.tenant),
          settings: tenantSettingsOf(deps, actor.tenant),
          maxDocumentBytes: maxDocumentBytes(deps, actor.tenant),
          year: currentYear(deps, actor.tenant),
        };
        const documentId = idempotencyKey === undefined ? deps.ids.newId() : deps.ids.derive('deposit', actor.tenant, actor.userId, idempotencyKey);
        const request: DepositRequest = {
          actorId: actor.userId,
          at: deps.clock.now(),
          documentId,
          recipients: meta.recipients,
          categoryId: meta.categoryId,
          title: meta.title ?? null,
          memo: meta.memo ?? null,
          recipientsMayEdit: meta.recipientsMayEdit,
        };
        return async(checkDeposit(context, request)).map(() => ({ actor, context, request, idempotencyKey }));
      });
  },

  store(checked: CheckedDeposit, file: IncomingFile): ResultAsync<DepositOutcome, UseCaseError> {
    const { actor, context, request } = checked;
    const tenant = actor.tenant;
    return deps.blobs.stage(tenant, file.content, context.maxDocumentBytes).mapErr(whyNotStaged(file)).andThen((staged) => {
      const bytes = stagedOnce(staged);
      if (file.truncated()) return bytes.release().andThen(() => errAsync<DepositOutcome, UseCaseError>({ code: 'FILE_TOO_LARGE', maxDocumentBytes: context.maxDocumentBytes }));
      const stored = { blobKey: staged.key, sha256: staged.sha256, sizeBytes: staged.sizeBytes, fileName: file.fileName, mediaType: file.mediaType };
      // The whole request is in the fingerprint: the same key with other recipients, category,
      // title, memo or bytes is another request, refused rather than silently replayed.
      const idempotency =
        checked.idempotencyKey === undefined
          ? undefined
          : {
              key: checked.idempotencyKey,
              fingerprint: deps.ids.derive('deposit-fingerprint', JSON.stringify([request.recipients, request.categoryId, request.title, request.memo, request.recipientsMayEdit === true]), staged.sha256, file.fileName),
            };
      return handle(
        deps,
        documentDecider,
        tenant,
        deps.streams.document(tenant, request.documentId),
        { type: 'Deposit', ...request, idempotency, context, file: stored },
        // A fresh id is a new stream. A key's id may already hold the first request: read it before
        // committing any bytes, so a refused replay leaves none behind.
        { expectNew: idempotency === undefined, beforeAppend: bytes.commit },
      )
        .andThen((outcome) => bytes.release().map(() => outcome.events.length === 0))
        .orElse((e) => bytes.release().andThen(() => errAsync<boolean, UseCaseError>(e)))
        .andThen((replayed) => async(documentView(deps, tenant, request.documentId)).map((document) => ({ document, replayed })));
    });
  },
});
