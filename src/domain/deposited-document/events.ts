import type { Group, Target } from '../directory/groups.js';
import type { DomainEvent } from '../shared/decider.js';

/** One version of a document's bytes. Blobs are content-addressed, so `blobKey` may be shared. */
export type Content = {
  readonly version: number;
  readonly blobKey: string;
  readonly sha256: string;
  readonly sizeBytes: number;
  readonly fileName: string;
  readonly mediaType: string;
  /** Accepted while the virus scanner could not tell: held from readers until a scan clears it. */
  readonly scan?: 'pending' | undefined;
};

/** A class recipient is recorded with the teaching team it meant at the time, so history explains itself. */
export type ClassRecipient = { readonly classId: string; readonly teacherIds: readonly string[] };

export type DocumentDeposited = DomainEvent<
  'DocumentDeposited',
  {
    documentId: string;
    year: string;
    depositorId: string;
    title: string;
    categoryId: string;
    memo: string | null;
    recipientIds: string[];
    /** Those named one by one (schema v3; older events are upcast naming every recipient): they stay whatever their class or group. */
    named: string[];
    classes: ClassRecipient[];
    /** Groups addressed (schema v3), followed like classes. */
    groups: Group[];
    content: Content;
    /** Where the file came from (schema v2; older events are upcast to 'upload'). */
    source: 'upload' | 'cloud';
    /** Set when the deposit came with an Idempotency-Key: a retry with the same request finds this document. */
    idempotency?: { key: string; fingerprint: string } | undefined;
    /** Recipients may upload new versions too (absent in older events: they may not). */
    recipientsMayEdit?: boolean | undefined;
    /** Recipients are asked to acknowledge it, by a date or not (absent: not asked). */
    acknowledgement?: Acknowledgement | undefined;
    /** Submitted to a collection request: this deposit is the submission. */
    collectionId?: string | undefined;
    /** With `source: 'cloud'`: which of the tenant's clouds, where in the account, which revision. */
    cloud?: CloudSource | undefined;
  }
>;

export type CloudSource = { readonly cloudId: string; readonly path: string; readonly etag: string | null };

export type Acknowledgement = { readonly required: boolean; readonly dueAt: string | null };

/** Why someone is reminded: they have not opened the latest version, or not acknowledged it. */
export type ReminderReason = 'manual' | 'due';

/**
 * A live document of a closed year starts again in the next one: a new stream, the latest content
 * as version 1 (the same blob, no copy), the recipients still in the directory.
 */
export type DocumentCarriedOver = DomainEvent<
  'DocumentCarriedOver',
  {
    documentId: string;
    year: string;
    sourceDocumentId: string;
    sourceYear: string;
    depositorId: string;
    title: string;
    categoryId: string;
    memo: string | null;
    recipientIds: string[];
    droppedRecipientIds: string[];
    /** How the carried document is addressed (schema v2; older ones are upcast naming every recipient). */
    named: string[];
    classes: ClassRecipient[];
    groups: Group[];
    recipientsMayEdit?: boolean | undefined;
    content: Content;
  }
>;

/**
 * A carried document follows what changed in its source since it was carried (or last refreshed),
 * while year N+1 is being prepared: a rerun of the rollover converges. Only what changed is set.
 */
export type CarriedDocumentRefreshed = DomainEvent<
  'CarriedDocumentRefreshed',
  {
    documentId: string;
    sourceDocumentId: string;
    content?: Content | undefined;
    memo?: string | null | undefined;
    categoryId?: string | undefined;
    recipientIds: string[];
  }
>;

export type DocumentEvent =
  | DocumentDeposited
  | DocumentCarriedOver
  | CarriedDocumentRefreshed
  | DomainEvent<'RecipientAdded', { documentId: string; recipientIds: string[]; named: string[]; classes: ClassRecipient[]; groups: Group[] }>
  /** Someone joined an addressed class or group after the deposit: they receive the document. */
  | DomainEvent<'RecipientJoined', { documentId: string; userId: string; via: Target }>
  /** Someone left an addressed class or group and is reached no other way: they lose the document. */
  | DomainEvent<'RecipientLeft', { documentId: string; userId: string; from: Target }>
  | DomainEvent<'CategoryChanged', { documentId: string; categoryId: string }>
  | DomainEvent<'MemoChanged', { documentId: string; memo: string | null }>
  | DomainEvent<'RecipientsMayEditSet', { documentId: string; recipientsMayEdit: boolean }>
  /** `minor`: acknowledgements of the previous version still count. */
  | DomainEvent<'DocumentUpdated', { documentId: string; content: Content; minor?: boolean | undefined; cloud?: CloudSource | undefined }>
  /**
   * `ask: false` when only the due date moved, or the ask was lifted: nobody is asked anew, so
   * nobody is told again. Events written before it had none: a required acknowledgement asked.
   */
  | DomainEvent<'AcknowledgementSet', { documentId: string; ask?: boolean } & Acknowledgement>
  | DomainEvent<'DocumentAcknowledged', { documentId: string; userId: string; version: number }>
  | DomainEvent<'ReminderSent', { documentId: string; userIds: string[]; reason: ReminderReason }>
  | DomainEvent<'DocumentConsulted', { documentId: string; userId: string; version: number }>
  | DomainEvent<'DocumentDeletedForAll', { documentId: string }>
  /** Its category's retention ran out: gone from every view, its bytes once nothing else uses them. */
  | DomainEvent<'DocumentExpired', { documentId: string; retentionDays: number }>
  /** A version accepted unscanned was scanned, and is clean: readers get it. */
  | DomainEvent<'ContentCleared', { documentId: string; version: number }>
  /** A stored version was found infected (a pending scan, or signatures that changed): nobody downloads it; its bytes are kept for the admins. */
  | DomainEvent<'ContentQuarantined', { documentId: string; version: number; signature: string }>;
