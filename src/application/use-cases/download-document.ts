import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import type { Readable } from 'node:stream';
import { documentDecider, versionOf, type Content } from '../../domain/index.js';
import { fromResult, readableDocument } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { notFound, type UseCaseError } from '../errors.js';
import { handle, replay } from '../handle-command.js';
import type { BlobRange } from '../ports/blob-store.js';

export type Download = { readonly content: Content; readonly stream: Readable; readonly sizeBytes: number; readonly range: BlobRange | undefined };

export type DownloadRequest = {
  readonly version?: number | undefined;
  /** The byte range asked for, once the size is known. */
  readonly range?: ((size: number) => BlobRange | undefined) | undefined;
  /** A HEAD sends no body: it reads the metadata of the content without opening it. */
  readonly bodyless?: boolean | undefined;
};

/** Only a request that sends the body's first byte opens the document: not a HEAD, not a Range past byte 0. */
const opens = (request: DownloadRequest, range: BlobRange | undefined): boolean => !request.bodyless && (range === undefined || range.start === 0);

/**
 * Opening a document records the recipient's first consultation of that version before the bytes
 * leave, so the depositor's distribution view never misses an opening; reading without opening
 * (HEAD, a later range) records nothing.
 */
export const downloadDocument =
  (deps: Deps) =>
  (actor: Actor, documentId: string, request: DownloadRequest): ResultAsync<Download, UseCaseError> => {
    const tenant = actor.tenant;
    const stream = deps.streams.document(tenant, documentId);
    const consult = { type: 'Consult' as const, actorId: actor.userId, at: deps.clock.now(), documentId, version: request.version };
    return fromResult(readableDocument(deps, actor, documentId))
      .andThen(() => deps.events.readStream(stream))
      .andThen((recorded) => {
        const state = replay(documentDecider, recorded);
        const decided = documentDecider.decide(state, consult);
        if (decided.isErr()) return errAsync<Download, UseCaseError>(decided.error);
        const content = state.status === 'none' ? undefined : versionOf(state, request.version);
        if (!content) return errAsync<Download, UseCaseError>(notFound('document'));
        const wanted = request.range?.(content.sizeBytes);
        const recordOpening = decided.value.length > 0 && opens(request, wanted) ? handle(deps, documentDecider, tenant, stream, consult).map(() => undefined) : okAsync(undefined);
        return recordOpening.andThen(() => deps.blobs.get(content.blobKey, wanted).map(({ stream: bytes, sizeBytes }) => ({ content, stream: bytes, sizeBytes, range: wanted })));
      });
  };
