import Database from 'better-sqlite3';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import type { NotaryLedger, NotaryLink, SignedCheckpoint } from '../../application/ports/notary.js';
import { TENANT_GENESIS, tenantLink } from '../shared/event-chain.js';

const SCHEMA = `
CREATE TABLE IF NOT EXISTS state (id INTEGER PRIMARY KEY CHECK (id = 1), position TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS links (
  tenant TEXT NOT NULL, seq INTEGER NOT NULL, position TEXT NOT NULL, event_id TEXT NOT NULL, stream TEXT NOT NULL,
  revision INTEGER NOT NULL, event_hash TEXT NOT NULL, link TEXT NOT NULL, PRIMARY KEY (tenant, seq));
CREATE TABLE IF NOT EXISTS heads (tenant TEXT PRIMARY KEY, seq INTEGER NOT NULL, position TEXT NOT NULL, link TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS checkpoints (
  tenant TEXT NOT NULL, seq INTEGER NOT NULL, position TEXT NOT NULL, head TEXT NOT NULL, at TEXT NOT NULL,
  key_id TEXT NOT NULL, signature TEXT NOT NULL, PRIMARY KEY (tenant, seq));
`;

type LinkRow = { tenant: string; seq: number; position: string; event_id: string; stream: string; revision: number; event_hash: string; link: string };
type CheckpointRow = { tenant: string; seq: number; position: string; head: string; at: string; key_id: string; signature: string };

const toCheckpoint = (r: CheckpointRow): SignedCheckpoint => ({ tenant: r.tenant, seq: r.seq, position: r.position, head: r.head, at: r.at, keyId: r.key_id, signature: r.signature });

/** The ledger's format: 1 chained log positions into the links, 2 does not (ADR 53). */
const LEDGER_VERSION = 2;

/**
 * A ledger chained before ADR 53 has each link recomputed without the position, from the rows it
 * holds (stream, revision, event hash: no log read), in one transaction. The checkpoints signed
 * then keep the heads they signed; verify holds them to the old chain, which it computes too.
 */
const migrate = (db: Database.Database) => {
  if ((db.pragma('user_version', { simple: true }) as number) >= LEDGER_VERSION) return;
  db.transaction(() => {
    const update = db.prepare('UPDATE links SET link = ? WHERE tenant = ? AND seq = ?');
    const setHead = db.prepare('UPDATE heads SET link = ? WHERE tenant = ?');
    for (const { tenant } of db.prepare<[], { tenant: string }>('SELECT tenant FROM heads').all()) {
      let link = TENANT_GENESIS;
      // Read whole per tenant: better-sqlite3 cannot write on a connection while it iterates.
      for (const r of db.prepare<[string], LinkRow>('SELECT * FROM links WHERE tenant = ? ORDER BY seq').all(tenant)) {
        link = tenantLink(link, tenant, r.stream, r.revision, r.event_hash);
        update.run(link, tenant, r.seq);
      }
      setHead.run(link, tenant);
    }
    db.pragma(`user_version = ${LEDGER_VERSION}`);
  })();
};

/**
 * The notary's ledger in its own SQLite file, apart from the event log: an attacker who rewrites
 * the log must rewrite this too, and cannot forge the checkpoints auditors keep elsewhere.
 */
export const openSqliteNotaryLedger = (file: string, options: { synchronous?: 'FULL' | 'NORMAL' } = {}): NotaryLedger => {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  db.pragma(`synchronous = ${options.synchronous ?? 'FULL'}`);
  db.pragma('busy_timeout = 5000');
  db.exec(SCHEMA);
  migrate(db);
  const sql = {
    position: db.prepare<[], { position: string }>('SELECT position FROM state WHERE id = 1'),
    setPosition: db.prepare('INSERT INTO state (id, position) VALUES (1, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position'),
    head: db.prepare<[string], { seq: number; link: string }>('SELECT seq, link FROM heads WHERE tenant = ?'),
    setHead: db.prepare('INSERT INTO heads VALUES (?, ?, ?, ?) ON CONFLICT (tenant) DO UPDATE SET seq = excluded.seq, position = excluded.position, link = excluded.link'),
    addLink: db.prepare('INSERT INTO links VALUES (?, ?, ?, ?, ?, ?, ?, ?)'),
    heads: db.prepare<[], { tenant: string; seq: number; position: string; link: string }>('SELECT tenant, seq, position, link FROM heads ORDER BY tenant'),
    link: db.prepare<[string, number], LinkRow>('SELECT * FROM links WHERE tenant = ? AND seq = ?'),
    lastCheckpoint: db.prepare<[string], CheckpointRow>('SELECT * FROM checkpoints WHERE tenant = ? ORDER BY seq DESC LIMIT 1'),
    saveCheckpoint: db.prepare('INSERT OR REPLACE INTO checkpoints VALUES (?, ?, ?, ?, ?, ?, ?)'),
    checkpoints: db.prepare<[string, number], CheckpointRow>('SELECT * FROM checkpoints WHERE tenant = ? ORDER BY seq DESC LIMIT ?'),
  };
  const extend = db.transaction((events: readonly RecordedEvent[]) => {
    const current = sql.position.get();
    const after = current ? BigInt(current.position) : 0n;
    const heads = new Map<string, { seq: number; link: string; position: string }>();
    let last = after;
    for (const e of events) {
      // Another process may have run the notary on the same files: what it chained already is skipped.
      if (e.position <= after) continue;
      const tenant = e.meta.tenant;
      const head = heads.get(tenant) ?? (() => {
        const stored = sql.head.get(tenant);
        return { seq: stored?.seq ?? 0, link: stored?.link ?? TENANT_GENESIS, position: '' };
      })();
      const position = String(e.position);
      const link = tenantLink(head.link, tenant, e.stream, e.revision, e.hash);
      const seq = head.seq + 1;
      sql.addLink.run(tenant, seq, position, e.id, e.stream, e.revision, e.hash, link);
      heads.set(tenant, { seq, link, position });
      last = e.position;
    }
    for (const [tenant, h] of heads) sql.setHead.run(tenant, h.seq, h.position, h.link);
    if (last > after) sql.setPosition.run(String(last));
  });
  return {
    position: () => {
      const row = sql.position.get();
      return row ? BigInt(row.position) : 0n;
    },
    extend: (events) => extend(events),
    heads: () => sql.heads.all(),
    link: (tenant, seq): NotaryLink | undefined => {
      const r = sql.link.get(tenant, seq);
      return r && { tenant: r.tenant, seq: r.seq, position: r.position, eventId: r.event_id, stream: r.stream, revision: r.revision, eventHash: r.event_hash, link: r.link };
    },
    lastCheckpoint: (tenant) => {
      const r = sql.lastCheckpoint.get(tenant);
      return r && toCheckpoint(r);
    },
    saveCheckpoint: (c) => void sql.saveCheckpoint.run(c.tenant, c.seq, c.position, c.head, c.at, c.keyId, c.signature),
    checkpoints: (tenant, limit) => sql.checkpoints.all(tenant, limit).map(toCheckpoint),
    close: () => {
      if (db.open) db.close();
    },
  };
};
