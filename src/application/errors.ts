import type { CollectionError, DirectoryError, DocumentError, ErasureError, LockerError, MailLeaseError, TenantSettingsError, WebhookError } from '../domain/index.js';
import type { BlobError } from './ports/blob-store.js';
import type { StoreError } from './ports/event-store.js';
import type { CloudError } from './ports/cloud-drive.js';
import type { ScanError } from './ports/virus-scanner.js';

export type AppError =
  | { readonly code: 'FORBIDDEN'; readonly reason: string }
  | { readonly code: 'NOT_FOUND'; readonly resource: string }
  | { readonly code: 'CONCURRENCY_CONFLICT'; readonly stream: string }
  | { readonly code: 'INVALID_INPUT'; readonly detail: string }
  /** More parts than the request may carry (a second file while deposits carry one). */
  | { readonly code: 'TOO_MANY_FILES'; readonly detail: string }
  /** The body stopped arriving, or trickled below the minimum rate: the upload was cut. */
  | { readonly code: 'UPLOAD_TOO_SLOW'; readonly detail: string }
  /** As many uploads as this node takes at once are under way: try again shortly. */
  | { readonly code: 'TOO_MANY_UPLOADS'; readonly retryAfterSeconds: number }
  /** Cloud deposits need the tenant to have the cloud and the person to have linked it. */
  | { readonly code: 'CLOUD_NOT_LINKED'; readonly cloudId: string }
  /** The virus scanner found something in the file: refused, nothing kept. */
  | { readonly code: 'INFECTED'; readonly fileName: string; readonly signature: string };

export type UseCaseError = AppError | DocumentError | TenantSettingsError | DirectoryError | LockerError | MailLeaseError | CollectionError | CloudError | WebhookError | ErasureError | StoreError | BlobError | ScanError;

export const forbidden = (reason: string): AppError => ({ code: 'FORBIDDEN', reason });
export const notFound = (resource: string): AppError => ({ code: 'NOT_FOUND', resource });
