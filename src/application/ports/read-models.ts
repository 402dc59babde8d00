import type { Category, CloudService, DirectoryUser, DirectoryView, NotificationSettings, People, PersonalPreferences } from '../../domain/index.js';
import type { Result } from 'neverthrow';
import type { RecordedEvent, StoreError } from './event-store.js';

export type DocumentView = {
  readonly id: string;
  readonly year: string;
  readonly title: string;
  readonly fileName: string;
  readonly mediaType: string;
  readonly sizeBytes: number;
  readonly sha256: string;
  readonly version: number;
  readonly categoryId: string;
  readonly memo: string | null;
  readonly depositorId: string;
  readonly recipients: string[];
  readonly recipientsMayEdit: boolean;
  /** Recipients are asked to acknowledge it (the latest version, or since the last non-minor one). */
  readonly acknowledgement: { readonly required: boolean; readonly dueAt: string | null };
  readonly depositedAt: string;
  readonly updatedAt: string;
  readonly deleted: boolean;
};

export type RecipientStatus = {
  readonly userId: string;
  readonly displayName: string | null;
  readonly addedAt: string;
  /** Every version this recipient opened, with the time of the first opening. */
  readonly consultations: { version: number; at: string }[];
  readonly consultedLatest: boolean;
  readonly removedFromLocker: boolean;
  /** The latest version they acknowledged, and when. */
  readonly acknowledged: { version: number; at: string } | null;
};

/** What the depositor knows of each recipient: what they opened, acknowledged, and when they were reminded. */
export type Receipt = {
  readonly userId: string;
  readonly displayName: string | null;
  readonly opened: { version: number; at: string }[];
  readonly acknowledged: { version: number; at: string } | null;
  /** Whether what they acknowledged is what is asked now (the latest non-minor version or later). */
  readonly acknowledgedCurrent: boolean;
  readonly reminders: { at: string; reason: string }[];
};

export type DistributionItem = DocumentView & { readonly recipientStatuses: RecipientStatus[] };
export type LockerItem = DocumentView & {
  readonly consulted: boolean;
  readonly consultedVersion: number | null;
  readonly consultedLatest: boolean;
  /** Asked to acknowledge, and not done yet for what is asked now. */
  readonly toAcknowledge: boolean;
};

export type CollectionSummary = {
  readonly id: string;
  readonly year: string;
  readonly requesterId: string;
  readonly title: string;
  readonly instructions: string | null;
  readonly categoryId: string;
  readonly dueAt: string;
  readonly status: 'draft' | 'open' | 'closed';
  readonly createdAt: string;
};

export type CollectionView = CollectionSummary & {
  /** Per person asked: submitted on time, late, or missing, with what they submitted and how often they were reminded. */
  readonly people: { userId: string; displayName: string | null; status: 'submitted' | 'late' | 'missing'; submittedAt: string | null; documentIds: string[]; reminders: number }[];
};

export type NotificationView = {
  readonly id: string;
  readonly kind: 'deposited' | 'updated' | 'recipient-added' | 'acknowledgement-asked' | 'reminder' | 'collection-requested' | 'collection-reminder' | 'webhook-disabled';
  readonly documentId: string;
  readonly title: string;
  readonly actorId: string;
  readonly at: string;
  readonly read: boolean;
};

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'skipped';

/** One mail to one person about one event, as the outbox holds it. */
export type OutboxItem = {
  readonly tenant: string;
  readonly mailId: string;
  readonly userId: string;
  readonly kind: NotificationView['kind'];
  readonly documentId: string;
  readonly actorId: string;
  readonly at: string;
  readonly status: OutboxStatus;
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly heldUntil: string | null;
  readonly lastError: string | null;
  readonly messageId: string | null;
};

/** The dispatcher's bookkeeping for pending mails (this node's, not the log's). */
export type MailDelivery = {
  readonly attempts?: number | undefined;
  readonly nextAttemptAt?: string | undefined;
  readonly heldUntil?: string | undefined;
  readonly lastError?: string | undefined;
  /** Not to be sent, and why (e-mail turned off, no address, too old). */
  readonly skipped?: string | undefined;
};

export type WebhookView = { readonly id: string; readonly url: string; readonly events: string[]; readonly active: boolean; readonly registeredAt: string };

/** One event for one endpoint: its signed body is `payload`; attempts and the last error say how it went. */
export type WebhookDelivery = {
  readonly tenant: string;
  readonly webhookId: string;
  readonly eventId: string;
  readonly stream: string;
  readonly position: string;
  readonly type: string;
  readonly payload: string;
  readonly status: 'pending' | 'delivered' | 'abandoned';
  readonly attempts: number;
  readonly nextAttemptAt: string | null;
  readonly firstFailedAt: string | null;
  readonly lastError: string | null;
  readonly lastStatus: number | null;
  readonly deliveredAt: string | null;
};

export type OutboxView = Page<OutboxItem> & { readonly counts: Record<OutboxStatus | 'held', number> };

export type Page<T> = { readonly items: T[]; readonly nextCursor: string | null };
/** Someone erased: when, by whom (`system:erasure` after they left), why. */
export type ErasureView = { userId: string; at: string; actorId: string; reason: string };
export type PageRequest = { readonly cursor?: string | undefined; readonly limit: number };

export type TenantSettingsView = { readonly maxDocumentBytes: number | null; readonly currentYear: string | null; readonly clouds: CloudService[] };

/** A page of the log after a position, already upcast: what a rebuild reads, as often as it likes. */
export type LogPages = (after: bigint, limit: number) => Promise<Result<RecordedEvent[], StoreError>>;

/**
 * The projections the queries read, kept on each node's own disk, fed from the event log and
 * rebuildable from it at any time.
 */
export interface ReadModels {
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

  directoryView(tenant: string): DirectoryView;
  user(tenant: string, userId: string): (DirectoryUser & { permissions: string[] }) | undefined;
  lockerHolders(tenant: string): string[];
  /** Users and classes as last synced: what a new directory is compared with. */
  directoryPeople(tenant: string): People;

  categories(tenant: string): Category[];
  settings(tenant: string): TenantSettingsView;

  document(tenant: string, documentId: string): DocumentView | undefined;
  /** Live documents of `fromYear` or later addressed to any of these classes or groups (`class:<id>`, `group:<name>`). */
  documentsAddressedTo(tenant: string, targets: readonly string[], fromYear: string): string[];
  isCurrentRecipient(tenant: string, documentId: string, userId: string): boolean;
  /** Recipients who removed the document from their own locker (and have not restored it). */
  removedBy(tenant: string, documentId: string): string[];
  distribution(tenant: string, depositorId: string, year: string | undefined, page: PageRequest): Page<DistributionItem>;
  /** What was deposited for the user; with `removed`, what they removed from their locker instead. */
  locker(
    tenant: string,
    userId: string,
    filter: { categoryId?: string | undefined; year?: string | undefined; removed?: boolean | undefined; toAcknowledge?: boolean | undefined },
    page: PageRequest,
  ): Page<LockerItem>;
  receipts(tenant: string, documentId: string, page: PageRequest): Page<Receipt>;
  erasures(tenant: string, page: PageRequest): Page<ErasureView>;
  erasure(tenant: string, userId: string): ErasureView | undefined;
  erasePeopleAfterDays(tenant: string): number;
  /** People gone from the directory for longer than their tenant's delay, not yet erased. */
  departedLongAgo(now: string): { tenant: string; userId: string }[];
  /** Live documents whose category's retention has run out. */
  expiredDocuments(now: string, limit: number): { tenant: string; documentId: string; retentionDays: number }[];
  collection(tenant: string, collectionId: string): CollectionView | undefined;
  collections(tenant: string, userId: string, role: 'requester' | 'asked', page: PageRequest): Page<CollectionSummary>;
  collectionSubmitters(tenant: string, collectionId: string): Set<string>;
  /** Live documents whose acknowledgement due date has passed and whose due reminder has not gone yet. */
  /** How many documents a school year has (deleted ones too): a replay's expected total, for its progress. */
  documentsOfYear(tenant: string, year: string): number;
  dueAcknowledgements(now: string): { tenant: string; documentId: string }[];
  notifications(tenant: string, userId: string, page: PageRequest, filter?: { unread?: boolean | undefined }): Page<NotificationView>;
  unreadNotifications(tenant: string, userId: string): { count: number; newest: string | null };
  notificationSettings(tenant: string): NotificationSettings;
  preferences(tenant: string, userId: string): PersonalPreferences;
  /** Pending mails whose time has come (not waiting for a retry or for quiet hours to end), oldest first. */
  dueMail(now: string, limit: number): OutboxItem[];
  outbox(tenant: string, status: OutboxStatus | 'held' | undefined, page: PageRequest, now: string): OutboxView;
  failedMail(tenant: string): { userId: string; mailId: string }[];
  markMail(tenant: string, mailIds: readonly string[], delivery: MailDelivery): void;
  /**
   * Forgets delivery bookkeeping older than `before`: mails sent or skipped, webhook deliveries
   * delivered. Pending and failed ones stay (someone may still act on them); the log keeps what
   * was sent (EmailSent, WebhookProgressed), so nothing is sent again.
   */
  pruneDeliveries(before: string): { mails: number; webhookDeliveries: number };
  webhooks(tenant: string): WebhookView[];
  /** The oldest pending delivery of each (endpoint, stream) whose time has come. */
  dueWebhookDeliveries(now: string, limit: number): WebhookDelivery[];
  nextWebhookDelivery(tenant: string, webhookId: string, stream: string): WebhookDelivery | undefined;
  webhookDeliveries(tenant: string, webhookId: string, page: PageRequest): Page<WebhookDelivery>;
  /** The position up to which every delivery of the endpoint is done. */
  webhookProgress(tenant: string, webhookId: string): string | null;
  /** Whether the endpoint has any delivery still pending. */
  webhookPending(tenant: string, webhookId: string): boolean;
  markWebhookDelivery(delivery: WebhookDelivery): void;
  /** Whether a live document version still refers to these bytes: the blob sweeper keeps them if so. */
  blobInUse(blobKey: string): boolean;
  /** After an erasure or expiry: what was deleted leaves the files (WAL included) now. */
  scrub(): void;
  /** Every tenant this node has seen an event of. */
  tenants(): string[];
  close(): void | Promise<void>;
}
