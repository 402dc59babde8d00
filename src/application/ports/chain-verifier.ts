import type { Result } from 'neverthrow';
import type { StoreError } from './event-store.js';

/** What a verification found: the first broken event, if any, and each signed checkpoint held or not. */
export type ChainVerdict = {
  readonly eventsChecked: number;
  readonly broken: { readonly id: string; readonly stream: string; readonly revision: number; readonly type: string; readonly reason: string } | null;
  readonly checkpoints: readonly { readonly seq: number; readonly at: string; readonly verified: boolean; readonly reason?: string | undefined }[];
};

/**
 * Recomputes a school's chains from the log as stored and holds them to the notary's record and
 * its latest signed checkpoint (what `locker audit verify --tenant` does), telling how far it got.
 */
export interface ChainVerifier {
  verify(tenant: string, onProgress: (eventsChecked: number) => void): Promise<Result<ChainVerdict, StoreError>>;
}
