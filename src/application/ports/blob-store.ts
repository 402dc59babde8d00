import type { ResultAsync } from 'neverthrow';
import type { Readable } from 'node:stream';

export type BlobError =
  | { readonly code: 'BLOB_TOO_LARGE'; readonly maxBytes: number }
  | { readonly code: 'BLOB_NOT_FOUND'; readonly key: string }
  | { readonly code: 'UPLOAD_ABORTED'; readonly message: string }
  | { readonly code: 'BLOB_STORE_UNAVAILABLE'; readonly message: string };

/**
 * Bytes received and hashed but not yet visible under their content address. Only a commit makes
 * them reachable, so a refused upload is discarded without touching bytes other documents share.
 */
export type StagedBlob = {
  readonly key: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  commit(): ResultAsync<void, BlobError>;
  discard(): Promise<void>;
};

export type BlobRange = { readonly start: number; readonly end: number };

export interface BlobStore {
  /** Streams the content in, hashing and counting on the way; more than `maxBytes` fails and keeps nothing. */
  stage(tenant: string, content: AsyncIterable<Uint8Array>, maxBytes: number): ResultAsync<StagedBlob, BlobError>;
  get(key: string, range?: BlobRange): ResultAsync<{ stream: Readable; sizeBytes: number }, BlobError>;
  exists(key: string): ResultAsync<boolean, BlobError>;
  delete(key: string): ResultAsync<void, BlobError>;
  /** Keys of one tenant, for the sweeper that removes blobs no document refers to. */
  list(tenant: string): AsyncIterable<{ key: string; modifiedAt: Date }>;
  /** Removes staged uploads older than `before` that nobody committed or discarded (a crash mid-upload); returns how many. */
  sweepStaging(before: Date): Promise<number>;
  ping(): ResultAsync<void, BlobError>;
}
