import type { ResultAsync } from 'neverthrow';
import type { BlobError } from './blob-store.js';

/**
 * One copy of a node's read models: as of `checkpoint` (the log position they had projected),
 * taken at `takenAt`, its bytes hashed.
 */
export type SnapshotInfo = { readonly checkpoint: bigint; readonly takenAt: string; readonly sizeBytes: number; readonly sha256: string };

/**
 * Where the deployment keeps copies of the read models, for a new or wiped node to start from
 * instead of projecting the whole log (issue 35). Shared by every node: the blob store's bucket in
 * hosted mode. Outside every school's blobs: the sweep never sees them.
 */
export interface SnapshotStore {
  /** Streams a copy in; it is listed only once whole, with the hash its bytes had on the way. */
  put(snapshot: Omit<SnapshotInfo, 'sha256'>, content: AsyncIterable<Uint8Array>): ResultAsync<SnapshotInfo, BlobError>;
  /** Every copy kept, oldest checkpoint first. */
  list(): ResultAsync<SnapshotInfo[], BlobError>;
  get(snapshot: SnapshotInfo): ResultAsync<AsyncIterable<Uint8Array>, BlobError>;
  delete(snapshot: SnapshotInfo): ResultAsync<void, BlobError>;
}
