import type { RecordedEvent } from './event-store.js';

/** One event in its tenant's chain: the tenant's n-th event (`seq`), its place in the log, and the link. */
export type NotaryLink = {
  readonly tenant: string;
  readonly seq: number;
  readonly position: string;
  readonly eventId: string;
  readonly stream: string;
  readonly revision: number;
  readonly eventHash: string;
  readonly link: string;
};

/** A tenant chain's head at a moment, signed: what auditors keep outside the service. */
export type SignedCheckpoint = {
  readonly tenant: string;
  readonly seq: number;
  readonly position: string;
  readonly head: string;
  readonly at: string;
  readonly keyId: string;
  readonly signature: string;
};

/**
 * The notary's own record, beside the log: each tenant's chain over its events in the log's
 * global order, and the checkpoints signed over it. Written after the append, never on its path.
 */
export interface NotaryLedger {
  /** How far in the global log the chains go. */
  position(): bigint;
  /** Extends the chains with these events (in log order) and moves the position, all at once. */
  extend(events: readonly RecordedEvent[]): void;
  heads(): { tenant: string; seq: number; position: string; link: string }[];
  link(tenant: string, seq: number): NotaryLink | undefined;
  lastCheckpoint(tenant: string): SignedCheckpoint | undefined;
  saveCheckpoint(checkpoint: SignedCheckpoint): void;
  /** Newest first. */
  checkpoints(tenant: string, limit: number): SignedCheckpoint[];
  close(): void;
}

/** Signs checkpoints (Ed25519): a key generated into the data folder, or the operator's own. */
export interface CheckpointSigner {
  readonly keyId: string;
  readonly publicKeyPem: string;
  sign(text: string): string;
}
