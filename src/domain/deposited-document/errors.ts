export type RefusedRecipient = {
  readonly kind: 'user' | 'class' | 'group';
  readonly id: string;
  readonly reason: 'unknown' | 'student' | 'no-teaching-team' | 'no-members';
};

/** Why the rollover leaves a document of the closed year behind. */
export type CarrySkipReason = 'deleted' | 'category-excluded' | 'depositor-left' | 'no-recipient-left';

/** Codes with the data a caller needs to explain the refusal; the HTTP edge alone maps them to statuses. */
export type DocumentError =
  | { readonly code: 'NOT_ALLOWED_TO_DEPOSIT'; readonly userId: string }
  | { readonly code: 'RECIPIENTS_REFUSED'; readonly refused: readonly RefusedRecipient[] }
  | { readonly code: 'NO_RECIPIENTS' }
  | { readonly code: 'CATEGORY_NOT_FOUND'; readonly categoryId: string }
  | { readonly code: 'CATEGORY_RETIRED'; readonly categoryId: string }
  | { readonly code: 'EMPTY_FILE' }
  | { readonly code: 'FILE_TOO_LARGE'; readonly maxDocumentBytes: number }
  | { readonly code: 'TEXT_TOO_LONG'; readonly field: 'title' | 'memo' | 'fileName'; readonly max: number }
  | { readonly code: 'DOCUMENT_NOT_FOUND'; readonly documentId: string }
  | { readonly code: 'DOCUMENT_DELETED'; readonly documentId: string }
  | { readonly code: 'NOT_DEPOSITOR'; readonly documentId: string }
  | { readonly code: 'VERSION_NOT_FOUND'; readonly documentId: string; readonly version: number }
  | { readonly code: 'ALREADY_DEPOSITED'; readonly documentId: string }
  | { readonly code: 'IDEMPOTENCY_KEY_REUSED'; readonly key: string }
  | { readonly code: 'YEAR_CLOSED'; readonly documentId: string; readonly year: string }
  | { readonly code: 'YEAR_NOT_OPEN'; readonly documentId: string; readonly year: string }
  | { readonly code: 'NOT_CARRIED'; readonly reason: CarrySkipReason }
  /** Acknowledging a version one has not opened: open the latest version first. */
  | { readonly code: 'NOT_OPENED'; readonly documentId: string; readonly version: number }
  | { readonly code: 'ACKNOWLEDGEMENT_NOT_ASKED'; readonly documentId: string }
  | { readonly code: 'NOT_A_RECIPIENT'; readonly documentId: string }
  | { readonly code: 'INVALID_DUE_DATE'; readonly dueAt: string }
  /** Everyone still to remind was reminded less than a day ago. */
  | { readonly code: 'REMINDER_TOO_SOON'; readonly retryAfterSeconds: number }
  /** The version was accepted while the virus scanner could not tell: held until a scan clears it. */
  | { readonly code: 'SCAN_PENDING'; readonly documentId: string; readonly version: number }
  /** The version was found infected: nobody downloads it. */
  | { readonly code: 'QUARANTINED'; readonly documentId: string; readonly version: number; readonly signature: string };
