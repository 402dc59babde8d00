import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { CollectionEvent, DirectoryEvent, DocumentEvent, ErasureEvent, LockerEvent, MailLeaseEvent, ScanEvent, TenantSettingsEvent, WebhookEvent } from '../../domain/index.js';

export type AnyEvent = DocumentEvent | LockerEvent | TenantSettingsEvent | DirectoryEvent | MailLeaseEvent | CollectionEvent | WebhookEvent | ErasureEvent | ScanEvent;

/**
 * `mail`: whether this deployment sends e-mail (an SMTP server is configured). Without it, or for
 * someone the directory gives no address, no mail is queued: a queue nobody will send is a false
 * alarm in the outbox and in `/metrics`, and a burst of stale mail once SMTP is set up later.
 */
export type ProjectionOptions = { readonly mail: boolean };

/** One event as a projection sees it: typed, with its tenant and its number in the read models (`seq`, which orders rows). */
export type Projected = { readonly recorded: RecordedEvent; readonly event: AnyEvent; readonly tenant: string; readonly seq: number };

/**
 * One read model's projection: the events it writes rows for, and how. Its statements are prepared
 * once, beside it; the runner (read-model-projection.ts) calls it in log order, inside the batch's
 * transaction.
 */
export type Projection = {
  readonly canHandle: (type: string) => boolean;
  readonly apply: (e: Projected) => void;
  /** A new batch starts: what a projection remembers within one batch is forgotten. */
  readonly startBatch?: () => void;
};

export const handles = (...types: readonly AnyEvent['type'][]) => {
  const set = new Set<string>(types);
  return (type: string) => set.has(type);
};

/** Store positions as text that sorts like the numbers (EventStoreDB's do not fit an SQLite integer). */
export const padded = (position: bigint): string => position.toString().padStart(40, '0');
