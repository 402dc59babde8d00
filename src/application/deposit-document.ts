import { err, errAsync, ok, okAsync, ResultAsync, type Result } from 'neverthrow';
import {
  checkDeposit,
  deposit,
  evolveDocument,
  initialDocument,
  type DepositContext,
  type DepositRequest,
  type DocumentEvent,
  type RecipientChoice,
} from '../domain/index.js';
import { currentYear, maxDocumentBytes, staffMember, tenantSettingsOf } from './access.js';
import { catchUp } from './command-runner.js';
import type { Actor, Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import { envelope, toDomain } from './event-envelope.js';
import type { StagedBlob } from './ports/blob-store.js';
import type { DocumentView } from './ports/read-models.js';

export type DepositMeta = {
  readonly recipients: RecipientChoice;
  readonly categoryId: string;
  readonly title?: string | undefined;
  readonly memo?: string | undefined;
};

export type IncomingFile = {
  readonly fileName: string;
  readonly mediaType: string;
  readonly content: AsyncIterable<Uint8Array>;
  /** The transport cut the file at the size limit (multipart parsers do that rather than failing). */
  readonly truncated: () => boolean;
};

export type CheckedDeposit = {
  readonly actor: Actor;
  readonly ctx: DepositContext;
  readonly request: DepositRequest;
  readonly idempotencyKey: string | undefined;
};

export type DepositOutcome = { readonly document: DocumentView; readonly replayed: boolean };

/**
 * A deposit in two steps, because the file arrives after the metadata on the same socket: first
 * everything that can be refused without the bytes, then the bytes, then one event.
 */
export const depositDocument = (deps: Deps) => ({
  check(actor: Actor, meta: DepositMeta, idempotencyKey: string | undefined): ResultAsync<CheckedDeposit, UseCaseError> {
    return catchUp(deps.projector).andThen(() =>
      staffMember(deps, actor).andThen((): Result<CheckedDeposit, UseCaseError> => {
        const ctx: DepositContext = {
          directory: deps.readModels.directoryView(actor.tenant),
          settings: tenantSettingsOf(deps, actor.tenant),
          maxDocumentBytes: maxDocumentBytes(deps, actor.tenant),
          year: currentYear(deps, actor.tenant),
        };
        const documentId =
          idempotencyKey === undefined ? deps.ids.newId() : deps.ids.derive('deposit', actor.tenant, actor.userId, idempotencyKey);
        const request: DepositRequest = {
          actorId: actor.userId,
          at: deps.clock.now(),
          documentId,
          recipients: meta.recipients,
          categoryId: meta.categoryId,
          title: meta.title?.trim() || null,
          memo: meta.memo?.trim() || null,
        };
        return checkDeposit(ctx, request).map(() => ({ actor, ctx, request, idempotencyKey }));
      }),
    );
  },

  store(checked: CheckedDeposit, file: IncomingFile): ResultAsync<DepositOutcome, UseCaseError> {
    const { actor, ctx, request } = checked;
    const tenant = actor.tenant;
    const stream = deps.streams.document(tenant, request.documentId);
    return deps.blobs.stage(tenant, file.content, ctx.maxDocumentBytes).andThen((staged) => {
      const refuse = (e: UseCaseError) => ResultAsync.fromSafePromise(staged.discard()).andThen(() => errAsync(e));
      if (file.truncated()) return refuse({ code: 'FILE_TOO_LARGE', maxDocumentBytes: ctx.maxDocumentBytes });
      const fingerprint =
        checked.idempotencyKey === undefined
          ? undefined
          : deps.ids.derive('deposit-fingerprint', JSON.stringify([request.recipients, request.categoryId, request.title, request.memo]), staged.sha256, file.fileName);
      const withFile = {
        ...request,
        idempotency: checked.idempotencyKey && fingerprint ? { key: checked.idempotencyKey, fingerprint } : undefined,
        file: { blobKey: staged.key, sha256: staged.sha256, sizeBytes: staged.sizeBytes, fileName: file.fileName, mediaType: file.mediaType },
      };
      return existing(stream).andThen((previous) => {
        if (previous) return refuseOrReplay(previous, fingerprint, checked.idempotencyKey, staged);
        const decided = deposit(initialDocument, ctx, withFile);
        if (decided.isErr()) return refuse(decided.error);
        return staged
          .commit()
          .andThen(() => deps.events.append(stream, decided.value.map(envelope(tenant, deps.ids)), 'no-stream'))
          .map(() => false)
          .orElse((e) =>
            // Same key at the same moment from another request: the first one wins, this one replays it.
            e.code === 'WRONG_EXPECTED_VERSION'
              ? existing(stream).andThen((winner) => (winner ? refuseOrReplay(winner, fingerprint, checked.idempotencyKey, undefined) : errAsync(e)))
              : errAsync(e),
          );
      });
    })
      .andThen((replayed) => catchUp(deps.projector).map(() => replayed))
      .andThen((replayed) => {
        const document = deps.readModels.document(tenant, request.documentId);
        return document ? ok({ document, replayed }) : err<DepositOutcome, UseCaseError>({ code: 'NOT_FOUND', resource: 'document' });
      });

    function existing(stream: string) {
      return deps.events.readStream(stream).map((recorded) =>
        recorded.length === 0 ? undefined : recorded.map((r) => toDomain<DocumentEvent>(r)).reduce(evolveDocument, initialDocument),
      );
    }

    function refuseOrReplay(
      previous: ReturnType<typeof evolveDocument>,
      fingerprint: string | undefined,
      key: string | undefined,
      staged: StagedBlob | undefined,
    ): ResultAsync<boolean, UseCaseError> {
      const discard = staged ? ResultAsync.fromSafePromise(staged.discard()) : okAsync(undefined);
      const same = previous.status !== 'none' && previous.idempotency?.fingerprint === fingerprint;
      return discard.andThen(() => (same ? okAsync(true) : errAsync<boolean, UseCaseError>({ code: 'IDEMPOTENCY_KEY_REUSED', key: key ?? '' })));
    }
  },
});
