import Database from 'better-sqlite3';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { CloudCredentials, CredentialStore } from '../../application/ports/credential-store.js';

/**
 * Cloud credentials in their own SQLite file, the password sealed with AES-256-GCM under
 * LOCKER_SECRETS_KEY (a fresh nonce each time; tenant, person and cloud bound in as associated
 * data, so a row copied to another person does not open). secure_delete and a truncating
 * checkpoint make a deleted row's bytes go from the file and its WAL at once.
 */
export const openSqliteCredentialStore = (file: string, key: Buffer): CredentialStore => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('secure_delete = ON');
  db.exec(`CREATE TABLE IF NOT EXISTS credentials (
    tenant TEXT NOT NULL, user_id TEXT NOT NULL, cloud_id TEXT NOT NULL, username TEXT NOT NULL, sealed BLOB NOT NULL, linked_at TEXT NOT NULL,
    PRIMARY KEY (tenant, user_id, cloud_id))`);
  const sql = {
    put: db.prepare('INSERT INTO credentials VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (tenant, user_id, cloud_id) DO UPDATE SET username = excluded.username, sealed = excluded.sealed, linked_at = excluded.linked_at'),
    get: db.prepare<[string, string, string], { username: string; sealed: Buffer }>('SELECT username, sealed FROM credentials WHERE tenant = ? AND user_id = ? AND cloud_id = ?'),
    list: db.prepare<[string, string], { cloud_id: string; username: string; linked_at: string }>('SELECT cloud_id, username, linked_at FROM credentials WHERE tenant = ? AND user_id = ? ORDER BY cloud_id'),
    delete: db.prepare('DELETE FROM credentials WHERE tenant = ? AND user_id = ? AND cloud_id = ?'),
    deleteAll: db.prepare('DELETE FROM credentials WHERE tenant = ? AND user_id = ?'),
  };
  const aad = (tenant: string, userId: string, cloudId: string) => Buffer.from(JSON.stringify([tenant, userId, cloudId]));
  const seal = (plain: string, data: Buffer): Buffer => {
    const nonce = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', key, nonce).setAAD(data);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([nonce, cipher.getAuthTag(), body]);
  };
  const open = (sealed: Buffer, data: Buffer): string | undefined => {
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, 12)).setAAD(data);
      decipher.setAuthTag(sealed.subarray(12, 28));
      return Buffer.concat([decipher.update(sealed.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      // Another key, or a row moved: unreadable, as if unlinked.
      return undefined;
    }
  };
  return {
    put: async (tenant, userId, cloudId, credentials: CloudCredentials, at) => void sql.put.run(tenant, userId, cloudId, credentials.username, seal(credentials.password, aad(tenant, userId, cloudId)), at),
    get: async (tenant, userId, cloudId) => {
      const row = sql.get.get(tenant, userId, cloudId);
      const password = row && open(row.sealed, aad(tenant, userId, cloudId));
      return row && password !== undefined ? { username: row.username, password } : undefined;
    },
    list: async (tenant, userId) => sql.list.all(tenant, userId).map((r) => ({ cloudId: r.cloud_id, username: r.username, linkedAt: r.linked_at })),
    delete: async (tenant, userId, cloudId) => {
      const gone = sql.delete.run(tenant, userId, cloudId).changes > 0;
      db.pragma('wal_checkpoint(TRUNCATE)');
      return gone;
    },
    deleteAll: async (tenant, userId) => {
      const n = sql.deleteAll.run(tenant, userId).changes;
      db.pragma('wal_checkpoint(TRUNCATE)');
      return n;
    },
    close: () => {
      if (db.open) db.close();
    },
  };
};
