import type Database from 'better-sqlite3';
import { isPublicEvent, publicEvent } from '../../domain/index.js';
import { padded, type Projection } from './projection.js';

/** A school's webhook endpoints, and the deliveries of each public event to those that want it. */
export const webhookProjection = (db: Database.Database): Projection => {
  const sql = {
    registered: db.prepare('INSERT OR REPLACE INTO webhooks VALUES (?, ?, ?, ?, 1, ?, ?)'),
    deleted: [db.prepare('DELETE FROM webhooks WHERE tenant = ? AND id = ?'), db.prepare('DELETE FROM webhook_outbox WHERE tenant = ? AND webhook_id = ?')],
    disabled: db.prepare('UPDATE webhooks SET active = 0 WHERE tenant = ? AND id = ?'),
    abandoned: db.prepare("UPDATE webhook_outbox SET status = 'abandoned' WHERE tenant = ? AND webhook_id = ? AND status = 'pending'"),
    progressed: db.prepare('UPDATE webhooks SET up_to = ? WHERE tenant = ? AND id = ?'),
    // Replayed by a rebuild, the progress comes after the events it covers, whose deliveries the
    // replay has just made again as pending: they went out already, so they are marked so. (Live,
    // progress is only recorded up to the oldest pending delivery: there is nothing to mark.)
    deliveredUpTo: db.prepare("UPDATE webhook_outbox SET status = 'delivered', delivered_at = ? WHERE tenant = ? AND webhook_id = ? AND status = 'pending' AND position <= ?"),
    // Deliveries of an event to every active endpoint that wants its type and has not had it yet
    // (after a rebuild, the recorded progress says where deliveries were).
    deliveries: db.prepare(
      `INSERT OR IGNORE INTO webhook_outbox (tenant, webhook_id, event_id, stream, seq, position, type, payload, status)
       SELECT w.tenant, w.id, @eventId, @stream, @seq, @position, @type, @payload, 'pending' FROM webhooks w
       WHERE w.tenant = @tenant AND w.active = 1 AND (w.up_to IS NULL OR w.up_to < @position)
         AND EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value = '*' OR e.value = @type)`,
    ),
    hasWebhooks: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM webhooks WHERE tenant = ? AND active = 1'),
  };
  // Whether a tenant has an active endpoint, asked once a batch rather than once an event;
  // forgotten whenever an event about its webhooks is projected.
  const hooked = new Map<string, boolean>();
  const hasWebhooks = (tenant: string) => {
    let known = hooked.get(tenant);
    if (known === undefined) hooked.set(tenant, (known = (sql.hasWebhooks.get(tenant)?.n ?? 0) > 0));
    return known;
  };
  return {
    canHandle: (type) => type.startsWith('Webhook') || isPublicEvent(type),
    startBatch: () => hooked.clear(),
    apply: ({ recorded, event, tenant, seq }) => {
      switch (event.type) {
        case 'WebhookRegistered':
          // Deliveries start after the event that registered it.
          sql.registered.run(tenant, event.data.webhookId, event.data.url, JSON.stringify(event.data.events), padded(recorded.position), event.at);
          break;
        case 'WebhookDeleted':
          for (const drop of sql.deleted) drop.run(tenant, event.data.webhookId);
          break;
        case 'WebhookDisabled':
          sql.disabled.run(tenant, event.data.webhookId);
          sql.abandoned.run(tenant, event.data.webhookId);
          break;
        case 'WebhookProgressed':
          sql.progressed.run(padded(BigInt(event.data.upTo)), tenant, event.data.webhookId);
          sql.deliveredUpTo.run(event.at, tenant, event.data.webhookId, padded(BigInt(event.data.upTo)));
          break;
      }
      if (event.type.startsWith('Webhook')) hooked.delete(tenant);
      if (isPublicEvent(event.type) && hasWebhooks(tenant)) {
        const payload = publicEvent({ id: recorded.id, type: recorded.type, tenant, at: recorded.meta.at, actor: recorded.meta.actor, data: recorded.data as Record<string, unknown> });
        sql.deliveries.run({ eventId: recorded.id, stream: recorded.stream, seq, position: padded(recorded.position), type: recorded.type, payload: JSON.stringify(payload), tenant });
      }
    },
  };
};
