/**
 * Data keys, one per subject (`person:<id>`, `doc:<id>`, `collection:<id>`): the personal and
 * descriptive fields of events are sealed with them. Deleting a key makes those fields unreadable
 * everywhere at once: in the log, its backups and its exports (crypto-shredding). Every node of a
 * deployment must see the same keys: a key the store cannot be asked about now is an error, never
 * an erasure.
 */
export interface KeyStore {
  /** The subject's key, made on first use (writes). */
  keyFor(subject: string): Promise<Buffer>;
  /** The subject's key if it still exists (reads). */
  find(subject: string): Promise<Buffer | undefined>;
  delete(subject: string): Promise<boolean>;
  close(): void;
}
