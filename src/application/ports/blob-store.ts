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
  /**
   * Once the event that points at the bytes is appended: makes sure they are at their address
   * (a sweep may have set aside the copy a commit found there and touched), putting them back from
   * the staged copy kept until now, then lets the staged copy go (issue 31).
   */
  settle(): Promise<void>;
  discard(): Promise<void>;
};

/** What setting a blob aside found: moved aside, modified after the bound (in use again), or gone. */
export type SetAside = 'set-aside' | 'young' | 'gone';

export type BlobRange = { readonly start: number; readonly end: number };

export interface BlobStore {
  /** Streams the content in, hashing and counting on the way; more than `maxBytes` fails and keeps nothing. */
  stage(tenant: string, content: AsyncIterable<Uint8Array>, maxBytes: number): ResultAsync<StagedBlob, BlobError>;
  get(key: string, range?: BlobRange): ResultAsync<{ stream: Readable; sizeBytes: number }, BlobError>;
  exists(key: string): ResultAsync<boolean, BlobError>;
  delete(key: string): ResultAsync<void, BlobError>;
  /** Keys of one tenant, for the sweeper that removes blobs no document refers to. */
  list(tenant: string): AsyncIterable<{ key: string; modifiedAt: Date }>;
  /**
   * The sweep in two phases (issue 31): a blob older than the grace and unreferenced is first moved
   * out of its address (unless modified after `notAfter`: a commit just touched it), then, once the
   * log has been read to its end, put back if an event now refers to it, or dropped. A commit that
   * touched it in between finds it gone at `settle` and puts its own copy back.
   */
  setAside(key: string, notAfter: Date): ResultAsync<SetAside, BlobError>;
  putBack(key: string): ResultAsync<void, BlobError>;
  dropSetAside(key: string): ResultAsync<void, BlobError>;
  /** Removes staged uploads older than `before` that nobody committed or discarded (a crash mid-upload); returns how many. */
  sweepStaging(before: Date): Promise<number>;
  ping(): ResultAsync<void, BlobError>;
}
