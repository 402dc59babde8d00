import type { ReadModels } from '../../application/ports/read-models.js';
import { rebuildReadModels, type Rebuildable } from './read-model-rebuild.js';
import { directoryQueries } from './directory-queries.js';
import { documentQueries } from './document-queries.js';
import { outboxQueries } from './outbox-queries.js';
import { collectionQueries } from './collection-queries.js';
import { webhookQueries } from './webhook-queries.js';
import { scanQueries } from './scan-queries.js';
import { readModelProjection } from './read-model-projection.js';
import type { ProjectionOptions } from './projection.js';
import { READ_MODEL_SCHEMA, READ_MODEL_TABLES, READ_MODEL_VERSION } from './read-model-schema.js';
import { settingsQueries } from './settings-queries.js';
import { checkpointInBackground, type BackgroundCheckpoints } from './wal-checkpointer.js';
import { tenantPosition, tenantsMoved } from './tenant-cache.js';
import { openReadModelConnection, REBUILD_CACHE_KIB } from './read-model-connection.js';
import { projectInThread } from './projection-thread.js';
import { copyReadModels } from './read-model-snapshot.js';

/**
 * Indexes no projection statement reads, only queries (listings by depositor or by recipient, the
 * blob sweep, the outbox by status): a rebuild can do without them until its end.
 */
const QUERY_ONLY_INDEXES = Object.fromEntries(
  ['documents_by_depositor', 'documents_by_year', 'versions_by_blob', 'recipients_by_user', 'outbox_by_status'].map((name) => {
    const sql = new RegExp(`CREATE INDEX IF NOT EXISTS ${name} [^;]*`).exec(READ_MODEL_SCHEMA)?.[0];
    if (!sql) throw new Error(`no index ${name} in the read-model schema`);
    return [name, sql];
  }),
);

/** Helper threads SQLite's sorter may use for the indexes built at the end of a rebuild. */
const INDEX_SORT_THREADS = 2;

/**
 * The projections, in one SQLite file on this node's disk: the projection is the only writer, the
 * query modules read. Everything here can be rebuilt from the event log.
 */
export type SqliteReadModels = ReadModels &
  Rebuildable & {
    /** Every table, sorted: lets a test compare a rebuilt projection with the live one. */
    dump(): Record<string, string[]>;
    /** The server's choice: checkpoints in a worker thread, off the event loop (see wal-checkpointer). */
    checkpointInBackground(): void;
    checkpointsInBackground(): boolean;
  };

export const openSqliteReadModels = (file: string, options: ProjectionOptions): SqliteReadModels => {
  const db = openReadModelConnection(file);
  if (db.pragma('user_version', { simple: true }) !== READ_MODEL_VERSION) {
    for (const table of READ_MODEL_TABLES) db.exec(`DROP TABLE IF EXISTS ${table}`);
    db.pragma(`user_version = ${READ_MODEL_VERSION}`);
  }
  db.exec(READ_MODEL_SCHEMA);
  const DEFAULT_CACHE = db.pragma('cache_size', { simple: true }) as number;
  let background: BackgroundCheckpoints | undefined;
  const DEFAULT_AUTOCHECKPOINT = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  const projection = readModelProjection(db, options);
  const dumps = READ_MODEL_TABLES.map((t) => [t, db.prepare(`SELECT * FROM ${t}`)] as const);
  const tenants = db.prepare<[], { tenant: string }>('SELECT tenant FROM users UNION SELECT tenant FROM documents UNION SELECT tenant FROM categories ORDER BY 1');
  const prune = {
    mails: db.prepare("DELETE FROM outbox WHERE status IN ('sent', 'skipped') AND at < ?"),
    webhookDeliveries: db.prepare("DELETE FROM webhook_outbox WHERE status = 'delivered' AND delivered_at < ?"),
  };
  const pruneDeliveries = db.transaction((before: string) => ({ mails: prune.mails.run(before).changes, webhookDeliveries: prune.webhookDeliveries.run(before).changes }));
  const self: SqliteReadModels = {
    ...projection,
    ...directoryQueries(db),
    ...settingsQueries(db),
    ...documentQueries(db),
    ...outboxQueries(db),
    ...collectionQueries(db),
    ...webhookQueries(db),
    ...scanQueries(db),
    tenants: () => tenants.all().map((r) => r.tenant),
    tenantPosition: (tenant) => tenantPosition(db, tenant),
    // A rebuild rewrites every page: a larger page cache (64 MiB, released after) saves reading
    // and writing index pages again and again; the indexes only queries read are built once at
    // the end, sorted, instead of row by row in random order (a crash meanwhile: the schema makes
    // them again at the next start).
    //
    // Nor is the WAL copied back into the file after every batch: a checkpoint writes each page a
    // batch touched (and fsyncs), so a page touched by every batch was written twenty times. The
    // WAL grows during the rebuild (about the file's size) and one truncating checkpoint at the
    // end writes each page once. Still WAL with synchronous=NORMAL: a crash loses at most batches
    // that a next start projects again, never the file.
    rebuilding: (on) => {
      db.pragma(`cache_size = ${on ? -REBUILD_CACHE_KIB : DEFAULT_CACHE}`);
      db.pragma(`wal_autocheckpoint = ${on ? 0 : (background?.autocheckpointPages() ?? DEFAULT_AUTOCHECKPOINT)}`);
      if (on) for (const name of Object.keys(QUERY_ONLY_INDEXES)) db.exec(`DROP INDEX IF EXISTS ${name}`);
      else {
        // The indexes' sorts may use a helper thread: the other core is idle by then (the writer
        // thread is done; ADR 34).
        db.pragma(`threads = ${INDEX_SORT_THREADS}`);
        db.exec(Object.values(QUERY_ONLY_INDEXES).join(';\n'));
        db.pragma('threads = 0');
        db.pragma('wal_checkpoint(TRUNCATE)');
      }
    },
    // A file another connection can open: not an in-memory database. Its commits are another
    // connection's: what this one's caches read of the tenants' versions is read again at once,
    // not a turn of the event loop later (a listener told of the commit reads next).
    ...(file === ':memory:' || file === '' ? {} : { writerThread: () => projectInThread(file, options, () => tenantsMoved(db)) }),
    // Looked up on `self` when it runs: a test may replace the writer, `apply` or `reset`.
    rebuild: (read, committed) => rebuildReadModels(self, read, committed),
    pruneDeliveries: (before) => pruneDeliveries(before),
    copy: () => copyReadModels(db, file),
    // Old page images stay in the WAL until a checkpoint: after an erasure they go at once.
    scrub: () => void db.pragma('wal_checkpoint(TRUNCATE)'),
    dump: () => Object.fromEntries(dumps.map(([t, all]) => [t, all.all().map((r) => JSON.stringify(r)).sort()])),
    checkpointInBackground: () => {
      background ??= checkpointInBackground(db, file, 'NORMAL');
    },
    checkpointsInBackground: () => background?.autocheckpointPages() === 0,
    close: async () => {
      const stopped = background?.stop();
      if (db.open) db.close();
      await stopped;
    },
  };
  return self;
};
