/**
 * Data keys, one per subject (`person:<id>`, `doc:<id>`, `collection:<id>`): the personal and
 * descriptive fields of events are sealed with them. Deleting a key makes those fields unreadable
 * everywhere at once: in the log, its backups and its exports (crypto-shredding).
 */
export interface KeyStore {
  /** The subject's key, made on first use (writes). */
  keyFor(subject: string): Buffer;
  /** The subject's key if it still exists (reads). */
  find(subject: string): Buffer | undefined;
  delete(subject: string): boolean;
  close(): void;
}
