import Database from 'better-sqlite3';

/** A rebuild's page cache (64 MiB), on whichever connection writes it. */
export const REBUILD_CACHE_KIB = 65536;

/**
 * A connection to the read models, as every writer of them opens it (the service's, and the
 * rebuild's thread): the same durability and the same erasure guarantees whoever writes.
 */
export const openReadModelConnection = (file: string, options: { fileMustExist?: boolean } = {}): Database.Database => {
  const db = new Database(file, options);
  db.pragma('journal_mode = WAL');
  // Rebuildable from the log: losing the last transactions to a crash costs a replay, not data.
  db.pragma('synchronous = NORMAL');
  // Erased names and expired titles must not linger in free pages: deleted rows are zeroed.
  db.pragma('secure_delete = ON');
  // A checkpoint by the server's checkpointing thread (ADR 29) or the CLI beside it is waited for,
  // not failed on: an erasure's truncating checkpoint must happen.
  db.pragma('busy_timeout = 5000');
  return db;
};
