import type { Page, PageRequest } from './page.js';

/** A stored version held from readers: not scanned yet, or found infected. */
export type StoredVersion = { readonly tenant: string; readonly documentId: string; readonly version: number; readonly blobKey: string };

/** A version found infected, as the admins see it: the bytes are kept for them to inspect. */
export type QuarantinedView = {
  readonly documentId: string;
  readonly version: number;
  readonly title: string;
  readonly fileName: string;
  readonly depositorId: string;
  readonly signature: string;
  readonly at: string;
};

/** An upload refused as infected: who tried, which file, what it held, which way, when. */
export type RefusedUploadView = { readonly userId: string; readonly fileName: string; readonly signature: string; readonly via: string; readonly at: string };

/** What the virus scanner has still to look at, and what it found. */
export interface ScanQueries {
  /** Versions accepted while the scanner could not tell, oldest first. */
  pendingScans(limit: number): StoredVersion[];
  /** Live documents' versions stored since `since` (all without it), of one tenant or all, after a row key: what a rescan reads, page by page. */
  storedVersions(filter: { readonly tenant?: string | undefined; readonly since?: string | undefined }, after: number, limit: number): (StoredVersion & { readonly row: number })[];
  quarantine(tenant: string, page: PageRequest): Page<QuarantinedView>;
  refusedUploads(tenant: string, page: PageRequest): Page<RefusedUploadView>;
}
