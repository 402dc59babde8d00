import type { DirectoryError, DocumentError, LockerError, TenantSettingsError } from '../domain/index.js';
import type { BlobError } from './ports/blob-store.js';
import type { StoreError } from './ports/event-store.js';

export type AppError =
  | { readonly code: 'FORBIDDEN'; readonly reason: string }
  | { readonly code: 'NOT_FOUND'; readonly resource: string }
  | { readonly code: 'CONCURRENCY_CONFLICT'; readonly stream: string }
  | { readonly code: 'INVALID_INPUT'; readonly detail: string };

export type UseCaseError = AppError | DocumentError | TenantSettingsError | DirectoryError | LockerError | StoreError | BlobError;

export const forbidden = (reason: string): AppError => ({ code: 'FORBIDDEN', reason });
export const notFound = (resource: string): AppError => ({ code: 'NOT_FOUND', resource });
