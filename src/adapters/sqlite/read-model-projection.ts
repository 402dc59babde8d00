import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../application/ports/event-store.js';
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
import { tenantsMoved } from './tenant-cache.js';
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
      for (const projection of projections) projection.startBatch?.();
      for (const recorded of fresh) {
        const projected = {
          recorded,
          event: { type: recorded.type, data: recorded.data, actor: recorded.meta.actor, at: recorded.meta.at } as AnyEvent,
          tenant: recorded.meta.tenant,
          seq: ++seq,
        };
        for (const projection of projections) if (projection.canHandle(recorded.type)) projection.apply(projected);
        moved.set(recorded.meta.tenant, recorded.position);
      }
      const last = fresh[fresh.length - 1];
      if (last) sql.setCheckpoint.run(String(last.position), seq);
      for (const [tenant, position] of moved) sql.tenantMoved.run(tenant, padded(position));
    })),
    reset: afterwards(db.transaction(() => {
      for (const clear of clearAll) clear.run();
    })),
  };
};
