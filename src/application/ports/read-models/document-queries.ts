import type { Page, PageRequest } from './page.js';

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

/** Documents, who has them, what they opened and acknowledged: the lockers and distributions. */
export interface DocumentQueries {
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
  /** How many documents a school year has (deleted ones too): a replay's expected total, for its progress. */
  documentsOfYear(tenant: string, year: string): number;
  /** Live documents whose acknowledgement due date has passed and whose due reminder has not gone yet. */
  dueAcknowledgements(now: string): { tenant: string; documentId: string }[];
  /** Live documents whose category's retention has run out. */
  expiredDocuments(now: string, limit: number): { tenant: string; documentId: string; retentionDays: number }[];
  /** Whether a live document version still refers to these bytes: the blob sweeper keeps them if so. */
  blobInUse(blobKey: string, now: string): boolean;
}
