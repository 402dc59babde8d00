import { errAsync, okAsync, Result, ResultAsync } from 'neverthrow';
import { checkDeposit, documentDecider, type DepositContext, type DepositRequest, type DocumentCommand, type RecipientChoice } from '../../domain/index.js';
import { fromResult, currentYear, documentView, lockerHolder, maxDocumentBytes, tenantSettingsOf } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp, handleMany } from '../handle-command.js';
import { clouds, type CloudSourceRequest } from './clouds.js';
import { oneFile, stagedOnce, whyNotStaged, type IncomingFile, type Upload } from '../incoming-file.js';
import type { DocumentView } from '../ports/read-models.js';
import { stageScanned, storedFile, type ScannedBlob } from '../scan-upload.js';

export type DepositMeta = {
  readonly recipients: RecipientChoice;
  readonly categoryId: string;
  readonly title?: string | undefined;
  readonly memo?: string | undefined;
  readonly recipientsMayEdit?: boolean | undefined;
  readonly acknowledgement?: { readonly required: boolean; readonly dueAt?: string | undefined } | undefined;
  /** Set by a submission to a collection request, never by a client's meta. */
  readonly collectionId?: string | undefined;
  /** The file is one of the depositor's cloud account's, not in the request. */
  readonly source?: CloudSourceRequest | undefined;
};

export type CheckedDeposit = {
  readonly actor: Actor;
  readonly context: DepositContext;
  readonly request: DepositRequest;
  readonly idempotencyKey: string | undefined;
};

export type DepositOutcome = { readonly document: DocumentView; readonly replayed: boolean };
export type DepositsOutcome = { readonly documents: DocumentView[]; readonly replayed: boolean };

/**
 * A deposit in two steps, because the file arrives after the metadata on the same socket: first
 * everything that can be refused without the bytes, then the bytes, then one event. `upload` and
 * `fromCloud` take a request whole; `check` and `storeAll` are its two steps, for those who hold
 * the metadata apart from the files (a collection's submission).
 */
export const depositDocument = (deps: Deps) => {
  /** Everything refusable without the bytes, on the read models as they are now (the caller caught them up). */
  const checkNow = (actor: Actor, meta: DepositMeta, idempotencyKey: string | undefined): ResultAsync<CheckedDeposit, UseCaseError> =>
    fromResult(lockerHolder(deps, actor)).andThen(() => {
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
        acknowledgement: meta.acknowledgement,
        collectionId: meta.collectionId,
      };
      return fromResult(checkDeposit(context, request)).map(() => ({ actor, context, request, idempotencyKey }));
    });

  const api = {
    /**
     * A request whose body carries the deposit: the school's size limit opens it (a declared length
     * past it is refused before a byte is read), then its metadata, then its files. Metadata naming
     * a cloud file deposits that file and reads no file part.
     */
    upload(actor: Actor, upload: Upload<DepositMeta>, idempotencyKey: string | undefined): ResultAsync<DepositsOutcome, UseCaseError> {
      return catchUp(deps.projector)
        .andThen(() => {
          const refused = upload.open(maxDocumentBytes(deps, actor.tenant));
          return refused ? errAsync(refused) : ResultAsync.fromSafePromise(upload.meta());
        })
        .andThen((meta) => {
          if ('code' in meta) return errAsync(meta);
          if (meta.source) return api.fromCloud(actor, meta, meta.source, idempotencyKey);
          // Caught up already, before the limit was read: the checks go on from there.
          return checkNow(actor, meta, idempotencyKey).andThen((checked) => api.storeAll(checked, upload.nextFile));
        });
    },

    /** A deposit whose file comes from the depositor's cloud account, recorded with where it came from. */
    fromCloud(actor: Actor, meta: DepositMeta, source: CloudSourceRequest, idempotencyKey: string | undefined): ResultAsync<DepositsOutcome, UseCaseError> {
      return api.check(actor, meta, idempotencyKey).andThen((checked) =>
        clouds(deps)
          .fileFrom(actor, source)
          .andThen(({ file, etag, path }) => api.storeAll({ ...checked, request: { ...checked.request, cloud: { cloudId: source.cloudId, path, etag } } }, oneFile(file))),
      );
    },

    check(actor: Actor, meta: DepositMeta, idempotencyKey: string | undefined): ResultAsync<CheckedDeposit, UseCaseError> {
      return catchUp(deps.projector).andThen(() => checkNow(actor, meta, idempotencyKey));
    },

    /** One file: the deposit as most clients send it. */
    store(checked: CheckedDeposit, file: IncomingFile): ResultAsync<DepositOutcome, UseCaseError> {
      return api.storeAll(checked, oneFile(file)).map((outcome) => ({ document: outcome.documents[0] as DocumentView, replayed: outcome.replayed }));
    },

    /**
     * Several files with the same metadata, one document each, all or none: every file is staged
     * (each under the size limit, as it streams in) and every decision taken before anything is
     * appended, so a refused file refuses the request and leaves no bytes. One Idempotency-Key
     * covers the request: the documents' ids derive from it and their position, and the
     * fingerprint holds every file, so a retry after a failure part-way completes the rest.
     */
    storeAll(
      checked: CheckedDeposit,
      nextFile: () => Promise<IncomingFile | UseCaseError | undefined>,
      /** Decided once the bytes are in, right before the documents are recorded: a refusal leaves no bytes and no document. */
      beforeRecording?: (documentIds: readonly string[]) => ResultAsync<unknown, UseCaseError>,
    ): ResultAsync<DepositsOutcome, UseCaseError> {
      const { actor, context, request } = checked;
      const tenant = actor.tenant;
      const staged: { file: IncomingFile; blob: ScannedBlob; bytes: ReturnType<typeof stagedOnce> }[] = [];
      const releaseAll = () => ResultAsync.combine(staged.map((s) => s.bytes.release())).map(() => undefined);
      const failWith = <T>(e: UseCaseError) => releaseAll().andThen(() => errAsync<T, UseCaseError>(e));

      const receive = (): ResultAsync<void, UseCaseError> =>
        ResultAsync.fromSafePromise(nextFile()).andThen((file): ResultAsync<void, UseCaseError> => {
          if (file === undefined) return okAsync(undefined);
          if ('code' in file) return errAsync(file);
          return stageScanned(deps, actor, file, context.maxDocumentBytes, request.collectionId ? 'submission' : request.cloud ? 'cloud' : 'deposit')
            .mapErr(whyNotStaged(file))
            .andThen((blob) => {
              staged.push({ file, blob, bytes: stagedOnce(blob) });
              if (file.truncated()) return errAsync<void, UseCaseError>({ code: 'FILE_TOO_LARGE', maxDocumentBytes: context.maxDocumentBytes });
              return receive();
            });
        });

      return receive()
        .orElse((e) => failWith<void>(e))
        .andThen(() => {
          if (staged.length === 0) return errAsync<DepositsOutcome, UseCaseError>({ code: 'INVALID_INPUT', detail: 'expected a part named file holding the document' });
          const stored = staged.map(({ file, blob }) => storedFile(file, blob));
          // The whole request is in the fingerprint: the same key with other recipients, category,
          // title, memo or files is another request, refused rather than silently replayed.
          const idempotency =
            checked.idempotencyKey === undefined
              ? undefined
              : {
                  key: checked.idempotencyKey,
                  fingerprint: deps.ids.derive(
                    'deposit-fingerprint',
                    JSON.stringify([request.recipients, request.categoryId, request.title, request.memo, request.recipientsMayEdit === true, ...(request.acknowledgement ? [request.acknowledgement] : [])]),
                    ...stored.flatMap((f) => [f.sha256, f.fileName]),
                  ),
                };
          const commands = stored.map((file, i): Extract<DocumentCommand, { type: 'Deposit' }> => ({
            type: 'Deposit',
            ...request,
            documentId: i === 0 ? request.documentId : checked.idempotencyKey === undefined ? deps.ids.newId() : deps.ids.derive('deposit', tenant, actor.userId, checked.idempotencyKey, String(i)),
            idempotency,
            context,
            file,
          }));
          // All or none, decided once each: a file the rules refuse (empty, a name too long) refuses
          // them all, before any bytes are committed or any document recorded. A fresh id is a new
          // stream; a key's id may already hold the first request, so it is read first and a
          // refused replay leaves no bytes behind.
          return handleMany(
            deps,
            documentDecider,
            tenant,
            commands.map((command) => ({ stream: deps.streams.document(tenant, command.documentId), command, known: idempotency === undefined ? [] : undefined })),
            {
              allOrNone: true,
              beforeAppend: (appending) =>
                (beforeRecording ? beforeRecording(commands.map((c) => c.documentId)) : okAsync(undefined)).andThen(() =>
                  ResultAsync.combine(appending.map((i) => staged[i]!.bytes.commit())).map(() => undefined),
                ),
              waitForReadModels: false,
            },
          )
            .andThen((outcomes) => fromResult(Result.combine(outcomes)).map((handled) => handled.every((h) => h.events.length === 0)))
            .andThen((replayed) => catchUp(deps.projector).map(() => replayed))
            .andThen((replayed) => releaseAll().map(() => replayed))
            .orElse((e) => failWith<boolean>(e))
            .andThen((replayed) =>
              fromResult(Result.combine(commands.map((c) => documentView(deps, tenant, c.documentId)))).map((documents) => ({ documents, replayed })),
            );
        });
    },
  };
  return api;
};
