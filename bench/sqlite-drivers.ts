import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';

/**
 * better-sqlite3 (the driver the adapters use) beside Node's built-in `node:sqlite`, on the same
 * SQL and pragmas, for the three workloads the bench follows: appends of 10 events in one
 * transaction at synchronous=FULL, a listing page read again and again, and a rebuild's bulk
 * inserts. `ratio` is node:sqlite's throughput over better-sqlite3's (ADR 40).
 */
type Driver = {
  exec(sql: string): void;
  prepare(sql: string): { run(...params: unknown[]): unknown; all(...params: unknown[]): unknown[] };
  close(): void;
};

const open = (kind: 'better-sqlite3' | 'node:sqlite', file: string): Driver => {
  const db = kind === 'better-sqlite3' ? new Database(file) : new DatabaseSync(file);
  db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL;');
  return db as unknown as Driver;
};

const inTransaction = (db: Driver, work: () => void) => {
  db.exec('BEGIN IMMEDIATE');
  try {
    work();
    db.exec('COMMIT');
  } catch (e) {
    db.exec('ROLLBACK');
    throw e;
  }
};

const EVENTS = `CREATE TABLE events (position INTEGER PRIMARY KEY AUTOINCREMENT, event_id TEXT NOT NULL UNIQUE, stream TEXT NOT NULL,
  revision INTEGER NOT NULL, tenant TEXT NOT NULL, type TEXT NOT NULL, data TEXT NOT NULL, meta TEXT NOT NULL,
  prev_hash TEXT NOT NULL, hash TEXT NOT NULL, UNIQUE (stream, revision));
  CREATE INDEX events_by_tenant_type ON events (tenant, position, type);`;
const READ_MODEL = `CREATE TABLE documents (tenant TEXT NOT NULL, document_id TEXT NOT NULL, seq INTEGER NOT NULL, title TEXT NOT NULL,
  depositor_id TEXT NOT NULL, deposited_at TEXT NOT NULL, deleted INTEGER NOT NULL DEFAULT 0, PRIMARY KEY (tenant, document_id));
  CREATE TABLE recipients (tenant TEXT NOT NULL, document_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (tenant, user_id, document_id));`;

const appends = (db: Driver, count: number) => {
  db.exec(EVENTS);
  const insert = db.prepare('INSERT INTO events (event_id, stream, revision, tenant, type, data, meta, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)');
  const data = JSON.stringify({ documentId: 'd', recipientIds: ['u1'], classes: [] });
  const started = performance.now();
  for (let i = 0; i < count; i += 10) {
    inTransaction(db, () => {
      for (let k = i; k < i + 10; k++) insert.run(`e${k}`, `bench:document:${Math.floor(k / 10) % 100}`, k, 'bench', 'RecipientAdded', data, '{}', 'x'.repeat(64), 'y'.repeat(64));
    });
  }
  return count / ((performance.now() - started) / 1000);
};

const rebuild = (db: Driver, documents: number) => {
  db.exec(READ_MODEL);
  const doc = db.prepare('INSERT INTO documents (tenant, document_id, seq, title, depositor_id, deposited_at) VALUES (?, ?, ?, ?, ?, ?)');
  const recipient = db.prepare('INSERT INTO recipients (tenant, document_id, user_id) VALUES (?, ?, ?)');
  const started = performance.now();
  for (let i = 0; i < documents; i += 5000) {
    inTransaction(db, () => {
      for (let k = i; k < Math.min(documents, i + 5000); k++) {
        doc.run('bench', `d${k}`, k, `Document ${k}`, `u${k % 300}`, new Date(1_800_000_000_000 + k).toISOString());
        for (let r = 0; r < 3; r++) recipient.run('bench', `d${k}`, `u${(k + r * 97) % 300}`);
      }
    });
  }
  return (documents * 4) / ((performance.now() - started) / 1000);
};

const listing = (db: Driver, pages: number) => {
  const page = db.prepare(`SELECT d.document_id, d.title, d.depositor_id, d.deposited_at FROM recipients r
    JOIN documents d ON d.tenant = r.tenant AND d.document_id = r.document_id
    WHERE r.tenant = ? AND r.user_id = ? AND d.deleted = 0 ORDER BY d.seq DESC LIMIT 50`);
  const started = performance.now();
  let rows = 0;
  for (let i = 0; i < pages; i++) rows += page.all('bench', `u${i % 300}`).length;
  if (rows === 0) throw new Error('the listing read nothing');
  return pages / ((performance.now() - started) / 1000);
};

export const benchSqliteDrivers = (events: number, documents: number, pages: number) => {
  const dir = mkdtempSync(join(tmpdir(), 'locker-bench-drivers-'));
  try {
    const measure = (kind: 'better-sqlite3' | 'node:sqlite', round: number) => {
      const a = open(kind, join(dir, `${kind}-appends-${round}.sqlite`));
      const appendsPerSecond = appends(a, events);
      a.close();
      const r = open(kind, join(dir, `${kind}-rows-${round}.sqlite`));
      const rebuildRowsPerSecond = rebuild(r, documents);
      const listingPagesPerSecond = listing(r, pages);
      r.close();
      return { appendsPerSecond, rebuildRowsPerSecond, listingPagesPerSecond };
    };
    // Alternate the two, twice, and keep each one's better round: the machine is shared.
    const runs = [0, 1].flatMap((round) => [measure('better-sqlite3', round), measure('node:sqlite', round)]);
    const best = (offset: number) => {
      const [x, y] = [runs[offset]!, runs[offset + 2]!];
      return {
        appendsPerSecond: Math.round(Math.max(x.appendsPerSecond, y.appendsPerSecond)),
        rebuildRowsPerSecond: Math.round(Math.max(x.rebuildRowsPerSecond, y.rebuildRowsPerSecond)),
        listingPagesPerSecond: Math.round(Math.max(x.listingPagesPerSecond, y.listingPagesPerSecond)),
      };
    };
    const [b, n] = [best(0), best(1)];
    const ratio = (key: keyof typeof b) => Number((n[key] / b[key]).toFixed(3));
    return {
      events, documents, pages,
      betterSqlite3: b,
      nodeSqlite: n,
      nodeSqliteRatio: { appends: ratio('appendsPerSecond'), rebuild: ratio('rebuildRowsPerSecond'), listing: ratio('listingPagesPerSecond') },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};
