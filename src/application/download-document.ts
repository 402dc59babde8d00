import type { ResultAsync } from 'neverthrow';
import type { Readable } from 'node:stream';
import { consult, type Content } from '../domain/index.js';
import { visibleDocument } from './access.js';
import type { Actor, Deps } from './deps.js';
import { documentCommand } from './document-command.js';
import type { UseCaseError } from './errors.js';
import type { BlobRange } from './ports/blob-store.js';

export type Download = { readonly content: Content; readonly stream: Readable; readonly sizeBytes: number; readonly range: BlobRange | undefined };

/**
 * Opening a document records the recipient's first consultation of that version before the bytes
 * leave, so the depositor's distribution view never misses an opening.
 */
export const downloadDocument =
  (deps: Deps) =>
  (actor: Actor, documentId: string, version: number | undefined, range?: (size: number) => BlobRange | undefined): ResultAsync<Download, UseCaseError> =>
    visibleDocument(deps, actor, documentId)
      .asyncAndThen(() =>
        documentCommand<Content>(deps, actor, documentId, (state, at) => consult(state, { actorId: actor.userId, at, documentId, version }).map((r) => ({ events: r.events, value: r.content }))),
      )
      .andThen((content) => {
        const wanted = range?.(content.sizeBytes);
        return deps.blobs.get(content.blobKey, wanted).map(({ stream, sizeBytes }) => ({ content, stream, sizeBytes, range: wanted }));
      });
