import Database from 'better-sqlite3';
import { randomBytes, randomUUID } from 'node:crypto';
import { tenantKeyId, type KeyStore } from '../../application/ports/key-store.js';

/**
 * Keys made in one durable transaction: one fsync for this many new subjects. A tenant's first
 * batch is small and each next one doubles up to the most, so a process serving many schools does
 * not hold a thousand unused keys for each.
 */
const FIRST_BATCH = 16;
const BATCH = 1024;

/**
 * Keys in their own SQLite file in the data folder, so a backup of the log holds no key. Fresh keys
 * are made `BATCH` at a time in one transaction at synchronous=FULL: a key is on disk before any
 * event sealed with it can be, and a new subject costs no fsync of its own (ADR 24). Keys made and
 * never handed out are deleted at close; after a crash, a few unused keys stay behind, sealing nothing.
 * Found keys are cached per process (one node per embedded deployment). secure_delete and a
 * truncating checkpoint make a deleted key's bytes leave the file and its WAL.
 */
export const openSqliteKeyStore = (file: string): KeyStore => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.pragma('secure_delete = ON');
  // `subject` is the key's id: before ADR 24 keys were named after their subject.
  db.exec('CREATE TABLE IF NOT EXISTS keys (subject TEXT PRIMARY KEY, key BLOB NOT NULL, created_at TEXT NOT NULL)');
  const sql = {
    many: db.prepare<[string], { subject: string; key: Buffer }>('SELECT subject, key FROM keys WHERE subject IN (SELECT value FROM json_each(?))'),
    // A whole batch in one statement, the nth id taking the nth 32 bytes of the material: a call
    // per key cost more than the rest of a refill (the fsync included).
    putBatch: db.prepare<{ ids: string; at: string; material: Buffer }>(
      'INSERT INTO keys SELECT j.value, substr(@material, j.key * 32 + 1, 32), @at FROM json_each(@ids) j',
    ),
    delete: db.prepare('DELETE FROM keys WHERE subject = ?'),
    one: db.prepare<[string], { key: Buffer }>('SELECT key FROM keys WHERE subject = ?'),
    put: db.prepare('INSERT INTO keys (subject, key, created_at) VALUES (?, ?, ?)'),
  };
  const cache = new Map<string, Buffer>();
  /** Keys made ahead, per tenant (ADR 37), and the size of each tenant's next batch. */
  const pools = new Map<string, { keys: { id: string; key: Buffer }[]; next: number }>();
  const refill = db.transaction((tenant: string) => {
    let pool = pools.get(tenant);
    if (!pool) pools.set(tenant, (pool = { keys: [], next: FIRST_BATCH }));
    const size = pool.next;
    pool.next = Math.min(BATCH, size * 2);
    const at = new Date().toISOString();
    // One draw from the system's generator for the whole batch (a draw costs microseconds of its own),
    // each key a view of it: nothing to copy.
    const material = randomBytes(32 * size);
    // Ids in increasing order (time, then a batch nonce, then the index) go in at the end of the
    // tenant's part of the table's index, where a random id would cost a page search and split each.
    const prefix = tenantKeyId(tenant, `${Date.now().toString(16).padStart(12, '0')}${randomUUID().slice(0, 8)}`);
    const made = Array.from({ length: size }, (_, i) => ({ id: `${prefix}${i.toString(16).padStart(3, '0')}`, key: material.subarray(32 * i, 32 * (i + 1)) }));
    sql.putBatch.run({ ids: JSON.stringify(made.map((k) => k.id)), at, material });
    pool.keys.push(...made);
    return pool;
  });
  // Bounded: a server making a key per new document would otherwise grow this for ever.
  const remember = (id: string, key: Buffer) => {
    if (cache.size >= 100_000) cache.clear();
    cache.set(id, key);
  };
  const take = (tenant: string) => {
    let pool = pools.get(tenant);
    if (!pool || pool.keys.length === 0) pool = refill(tenant);
    const next = pool.keys.pop()!;
    remember(next.id, next.key);
    return next;
  };
  return {
    fresh: async (tenant) => take(tenant),
    // A batch is written synchronously when the pool is empty: a key is always at hand.
    ready: take,
    findAll: async (ids) => {
      const out = new Map<string, Buffer>();
      const asked: string[] = [];
      for (const id of ids) {
        const cached = cache.get(id);
        if (cached) out.set(id, cached);
        else asked.push(id);
      }
      // One statement per thousand ids instead of a lookup each.
      for (let i = 0; i < asked.length; i += 1000) {
        for (const row of sql.many.all(JSON.stringify(asked.slice(i, i + 1000)))) {
          remember(row.subject, row.key);
          out.set(row.subject, row.key);
        }
      }
      return out;
    },
    put: async (keys) => {
      const at = new Date().toISOString();
      db.transaction(() => {
        for (const { id, key } of keys) {
          if (key.length !== 32) throw new Error(`key ${id} has ${key.length} bytes, not 32`);
          const held = sql.one.get(id)?.key;
          if (held === undefined) sql.put.run(id, key, at);
          else if (!held.equals(key)) throw new Error(`key ${id} is already here with other bytes: it is never replaced`);
        }
      })();
    },
    delete: async (ids) => {
      let gone = 0;
      db.transaction(() => {
        for (const id of ids) {
          cache.delete(id);
          gone += sql.delete.run(id).changes;
        }
      })();
      db.pragma('wal_checkpoint(TRUNCATE)');
      return gone;
    },
    close: () => {
      if (!db.open) return;
      db.transaction(() => {
        for (const pool of pools.values()) for (const k of pool.keys.splice(0)) sql.delete.run(k.id);
      })();
      db.close();
    },
  };
};
