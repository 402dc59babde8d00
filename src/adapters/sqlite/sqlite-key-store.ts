import Database from 'better-sqlite3';
import { randomBytes } from 'node:crypto';
import type { KeyStore } from '../../application/ports/key-store.js';

/**
 * Keys in their own SQLite file in the data folder, cached per process (a cache entry of a key
 * deleted by another process lives on until this one restarts; one node per embedded deployment).
 * secure_delete and a truncating checkpoint make a deleted key's bytes leave the file and its WAL.
 */
export const openSqliteKeyStore = (file: string): KeyStore => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('secure_delete = ON');
  db.exec('CREATE TABLE IF NOT EXISTS keys (subject TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL)');
  const sql = {
    get: db.prepare<[string], { key: Buffer }>('SELECT key FROM keys WHERE subject = ?'),
    put: db.prepare('INSERT OR IGNORE INTO keys VALUES (?, ?, ?)'),
    delete: db.prepare('DELETE FROM keys WHERE subject = ?'),
  };
  const cache = new Map<string, Buffer>();
  const find = (subject: string): Buffer | undefined => {
    const cached = cache.get(subject);
    if (cached) return cached;
    const row = sql.get.get(subject);
    if (row) cache.set(subject, row.key);
    return row?.key;
  };
  return {
    keyFor: async (subject) => {
      const known = find(subject);
      if (known) return known;
      sql.put.run(subject, randomBytes(32), new Date().toISOString());
      return find(subject)!;
    },
    find: async (subject) => find(subject),
    delete: async (subject) => {
      cache.delete(subject);
      const gone = sql.delete.run(subject).changes > 0;
      db.pragma('wal_checkpoint(TRUNCATE)');
      return gone;
    },
    close: () => {
      if (db.open) db.close();
    },
  };
};
