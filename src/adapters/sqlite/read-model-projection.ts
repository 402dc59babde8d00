import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { documentStreamPrefix } from '../../application/streams.js';
import { collectionProjection } from './collection-projection.js';
import { directoryProjection } from './directory-projection.js';
import { documentProjection } from './document-projection.js';
import { erasureProjection } from './erasure-projection.js';
import { notificationProjection } from './notification-projection.js';
import { outboxProjection } from './outbox-projection.js';
import { padded, type AnyEvent, type Projection, type ProjectionOptions } from './projection.js';
import { READ_MODEL_TABLES } from './read-model-schema.js';
import { recipientProjection } from './recipient-projection.js';
import { scanProjection } from './scan-projection.js';
import { settingsProjection } from './settings-projection.js';
import { cachesRead, settled, tenantsMoved, touched } from './tenant-cache.js';
import { webhookProjection } from './webhook-projection.js';

/**
 * The one writer of the read models: each event, in log order, goes to every read model's
 * projection that handles it; a batch is one transaction together with its checkpoint. Events this
 * node does not know yet (newer types) are skipped, not fatal.
 */
export const readModelProjection = (db: Database.Database, options: ProjectionOptions) => {
  // In this order within one event: the notifications read the recipients and documents as the
  // event leaves them.
  const projections: Projection[] = [
    directoryProjection(db),
    settingsProjection(db),
    documentProjection(db),
    recipientProjection(db),
    collectionProjection(db),
    scanProjection(db),
    notificationProjection(db, options),
    outboxProjection(db),
    webhookProjection(db),
    erasureProjection(db),
  ];
  const sql = {
    checkpoint: db.prepare<[], { seq: number; position: string }>('SELECT seq, position FROM checkpoint WHERE id = 1'),
    setCheckpoint: db.prepare('INSERT INTO checkpoint (id, position, seq) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position, seq = excluded.seq'),
    tenantMoved: db.prepare('INSERT INTO tenant_versions VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET position = excluded.position'),
    tenantVersion: db.prepare<[string], { position: string }>('SELECT position FROM tenant_versions WHERE tenant = ?'),
    readers: db.prepare<[string, string], { user_id: string }>('SELECT user_id FROM recipients WHERE tenant = ? AND document_id = ?'),
  };
  /** Who holds the document in their locker: whose cached locker pages an event of it may change. */
  const readersOf = (tenant: string, documentId: string) => sql.readers.all(tenant, documentId).map((r) => r.user_id);
  /** The document an event is of, when it is on that document's own stream. */
  const documentOf = (tenant: string, recorded: RecordedEvent): string | undefined => {
    const id = (recorded.data as { documentId?: unknown }).documentId;
    return typeof id === 'string' && recorded.stream === `${documentStreamPrefix(tenant)}${id}` ? id : undefined;
  };
  const clearAll = READ_MODEL_TABLES.map((t) => db.prepare(`DELETE FROM ${t}`));

  // Whether it committed or not, what the caches read of the tenants' versions is read again.
  const afterwards = <A extends unknown[]>(work: (...args: A) => void) => (...args: A): void => {
    try {
      work(...args);
    } finally {
      tenantsMoved(db);
    }
  };

  return {
    checkpoint: (): bigint => {
      const row = sql.checkpoint.get();
      return row ? BigInt(row.position) : 0n;
    },
    apply: afterwards(db.transaction((events: readonly RecordedEvent[]) => {
      const current = sql.checkpoint.get();
      let seq = current?.seq ?? 0;
      // Another process on the same file (the CLI beside the server) may have applied some of these
      // already: only what lies beyond the stored checkpoint is projected, so applying is idempotent.
      const fresh = current ? events.filter((e) => e.position > BigInt(current.position)) : events;
      const moved = new Map<string, bigint>();
      // A connection no cache reads through (a rebuild's thread) has no answers to keep.
      const tracking = cachesRead(db);
      for (const projection of projections) projection.startBatch?.();
      for (const recorded of fresh) {
        const projected = {
          recorded,
          event: { type: recorded.type, data: recorded.data, actor: recorded.meta.actor, at: recorded.meta.at } as AnyEvent,
          tenant: recorded.meta.tenant,
          seq: ++seq,
        };
        // What the caches must read again: a document's event, the lockers of those who held it
        // before or hold it after; any other event, everything of the tenant (ADR 52).
        const documentId = tracking ? documentOf(projected.tenant, recorded) : undefined;
        const before = documentId === undefined ? [] : readersOf(projected.tenant, documentId);
        for (const projection of projections) if (projection.canHandle(recorded.type)) projection.apply(projected);
        if (tracking) touched(db, projected.tenant, documentId === undefined ? { shared: true } : { readers: new Set([...before, ...readersOf(projected.tenant, documentId)]) });
        moved.set(recorded.meta.tenant, recorded.position);
      }
      const last = fresh[fresh.length - 1];
      if (last) sql.setCheckpoint.run(String(last.position), seq);
      for (const [tenant, position] of moved) {
        if (tracking) settled(db, tenant, sql.tenantVersion.get(tenant)?.position, padded(position));
        sql.tenantMoved.run(tenant, padded(position));
      }
    })),
    reset: afterwards(db.transaction(() => {
      for (const clear of clearAll) clear.run();
    })),
  };
};
