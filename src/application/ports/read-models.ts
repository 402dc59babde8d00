import type { Result } from 'neverthrow';
import type { RecordedEvent, StoreError } from './event-store.js';
import type { CollectionQueries } from './read-models/collection-queries.js';
import type { DirectoryQueries } from './read-models/directory-queries.js';
import type { DocumentQueries } from './read-models/document-queries.js';
import type { ErasureQueries } from './read-models/erasure-queries.js';
import type { MailQueries } from './read-models/mail-queries.js';
import type { NotificationQueries } from './read-models/notification-queries.js';
import type { ScanQueries } from './read-models/scan-queries.js';
import type { SettingsQueries } from './read-models/settings-queries.js';
import type { WebhookQueries } from './read-models/webhook-queries.js';

export type * from './read-models/collection-queries.js';
export type * from './read-models/directory-queries.js';
export type * from './read-models/document-queries.js';
export type * from './read-models/erasure-queries.js';
export type * from './read-models/mail-queries.js';
export type * from './read-models/notification-queries.js';
export type * from './read-models/page.js';
export type * from './read-models/scan-queries.js';
export type * from './read-models/settings-queries.js';
export type * from './read-models/webhook-queries.js';

/** A page of the log after a position, already upcast: what a rebuild reads, as often as it likes. */
export type LogPages = (after: bigint, limit: number) => Promise<Result<RecordedEvent[], StoreError>>;

/** The projector's side of the read models: what it writes, and where it got. */
export interface ProjectedModels {
  checkpoint(): bigint;
  /** The log position of the tenant's last projected event (0 when none): what a live reader of that tenant waits to see move. */
  tenantPosition(tenant: string): bigint;
  /** Applies events in one transaction together with the new checkpoint. */
  apply(events: readonly RecordedEvent[]): void;
  /**
   * Empties the read models and projects the log again, reading it from `read` until a page comes
   * back short; `committed` hears of each commit (events applied so far, and whose). Resolves with
   * how many events were applied. How it writes (transaction sizes, threads, caches) is the store's
   * business.
   */
  rebuild(read: LogPages, committed: (applied: number, tenants: ReadonlySet<string>) => void): Promise<Result<number, StoreError>>;
}

/**
 * The projections the queries read, kept on each node's own disk, fed from the event log and
 * rebuildable from it at any time: the projector's side, and one query port per feature.
 */
export interface ReadModels
  extends ProjectedModels,
    DirectoryQueries,
    SettingsQueries,
    DocumentQueries,
    CollectionQueries,
    NotificationQueries,
    MailQueries,
    WebhookQueries,
    ErasureQueries,
    ScanQueries {
  /**
   * Forgets delivery bookkeeping older than `before`: mails sent or skipped, webhook deliveries
   * delivered. Pending and failed ones stay (someone may still act on them); the log keeps what
   * was sent (EmailSent, WebhookProgressed), so nothing is sent again.
   */
  pruneDeliveries(before: string): { mails: number; webhookDeliveries: number };
  /** After an erasure or expiry: what was deleted leaves the storage now, not at some later compaction. */
  scrub(): void;
  /** Every tenant this node has seen an event of. */
  tenants(): string[];
  /**
   * A consistent copy of the read models as of their checkpoint, as bytes another node can start
   * from (SnapshotStore), taken while they keep serving. `discard` once it is stored.
   */
  copy(): Promise<ReadModelCopy>;
  close(): void | Promise<void>;
}

export type ReadModelCopy = {
  readonly checkpoint: bigint;
  readonly sizeBytes: number;
  readonly content: () => AsyncIterable<Uint8Array>;
  readonly discard: () => Promise<void>;
};
