import { ResultAsync, okAsync } from 'neverthrow';
import type { UseCaseError } from './errors.js';
import type { StagedBlob } from './ports/blob-store.js';

/** A file as it arrives from a client or a cloud drive: streamed, read once, by the use case. */
export type IncomingFile = {
  readonly fileName: string;
  readonly mediaType: string;
  readonly content: AsyncIterable<Uint8Array>;
  /** The transport cut the file at the size limit (multipart parsers do that rather than failing). */
  readonly truncated: () => boolean;
  /** Why the transport cut the upload, if it did (too slow, more than the file): asked after a failed stage. */
  readonly refusal?: () => UseCaseError | undefined;
};

/**
 * An upload request as the use cases read it, whatever carries it (multipart over HTTP): opened
 * once the size limit is known, because it is the school's and the caller must be known first;
 * then its parts in order, since they arrive on one socket.
 */
export type Upload<Meta> = {
  /** A body the transport already knows is past the limit (a declared length) is refused here, before a byte of it is read. */
  readonly open: (maxFileBytes: number) => UseCaseError | undefined;
  /** The metadata that comes first (a deposit's), checked at the edge. */
  readonly meta: () => Promise<Meta | UseCaseError>;
  /** The next file; undefined once the body ends, an error if it ends before any. */
  readonly nextFile: () => Promise<IncomingFile | UseCaseError | undefined>;
  /** The body's one file, and nothing after it (a new version). */
  readonly file: () => Promise<IncomingFile | UseCaseError>;
};

/** A failed stage explained by the transport when it cut the upload itself, else by the store. */
export const whyNotStaged = (file: IncomingFile) => (e: UseCaseError): UseCaseError => file.refusal?.() ?? e;

/** One file handed over as the whole body, the way a cloud file or a single upload is. */
export const oneFile = (file: IncomingFile) => {
  let given = false;
  return async (): Promise<IncomingFile | undefined> => (given ? undefined : ((given = true), file));
};

/**
 * Commits staged bytes once, however many times the command path retries, and discards them if
 * the request ends without an event pointing at them. Committed, they are settled: made sure to be
 * at their address (a sweep may have set them aside after the commit found them there).
 */
export const stagedOnce = (staged: StagedBlob) => {
  let committed = false;
  return {
    commit: (): ResultAsync<void, UseCaseError> => (committed ? okAsync(undefined) : staged.commit().map(() => void (committed = true))),
    release: (): ResultAsync<void, UseCaseError> =>
      committed
        ? ResultAsync.fromPromise(staged.settle(), (e): UseCaseError => ({ code: 'BLOB_STORE_UNAVAILABLE', message: (e as Error).message }))
        : ResultAsync.fromSafePromise(staged.discard()),
  };
};
