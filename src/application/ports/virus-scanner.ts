import type { ResultAsync } from 'neverthrow';

/** What a scan found: nothing, or the signature of what it found. */
export type ScanVerdict = { readonly infected: false } | { readonly infected: true; readonly signature: string };

/**
 * The scanner could not tell: it did not answer in time, refused the stream (too long for it), or
 * failed. Never read as clean.
 */
export type ScanError = { readonly code: 'SCANNER_UNAVAILABLE'; readonly message: string };

/** One file's scan, fed its bytes as they go to the blob store, so that they are read once. */
export interface ScanSession {
  /** Resolves when the scanner has taken the chunk (its backpressure is the upload's). */
  write(chunk: Uint8Array): Promise<void>;
  /** The verdict, once every byte is written. */
  finish(): ResultAsync<ScanVerdict, ScanError>;
  /** The upload failed or was refused: the scan is dropped. */
  abort(): void;
}

/** Scans files for viruses; the only adapter speaks to ClamAV's daemon. Absent when none is configured. */
export interface VirusScanner {
  begin(): ScanSession;
  /** Whether the scanner answers: `/ready` reports it. */
  ping(): ResultAsync<void, ScanError>;
}
