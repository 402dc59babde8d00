import type Database from 'better-sqlite3';
import type { Page, PageRequest, WebhookDelivery, WebhookView } from '../../application/ports/read-models.js';
import { before, pageOf } from './pages.js';

type Row = {
  tenant: string; webhook_id: string; event_id: string; stream: string; seq: number; position: string; type: string; payload: string; status: WebhookDelivery['status'];
  attempts: number; next_attempt_at: string | null; first_failed_at: string | null; last_error: string | null; last_status: number | null; delivered_at: string | null;
};

const toDelivery = (r: Row): WebhookDelivery => ({
  tenant: r.tenant,
  webhookId: r.webhook_id,
  eventId: r.event_id,
  stream: r.stream,
  position: BigInt(r.position).toString(),
  type: r.type,
  payload: r.payload,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  firstFailedAt: r.first_failed_at,
  lastError: r.last_error,
  lastStatus: r.last_status,
  deliveredAt: r.delivered_at,
});

/** Webhook endpoints and their deliveries; attempts are this node's bookkeeping, written by the dispatcher. */
export const webhookQueries = (db: Database.Database) => {
  const sql = {
    list: db.prepare<[string], { id: string; url: string; events: string; active: number; up_to: string | null; registered_at: string }>('SELECT * FROM webhooks WHERE tenant = ? ORDER BY registered_at, id'),
    // The head of each (endpoint, stream): deliveries of one document go one after another, in order.
    heads: db.prepare<{ now: string; limit: number }, Row>(
      `SELECT o.* FROM webhook_outbox o
       WHERE o.status = 'pending' AND (o.next_attempt_at IS NULL OR o.next_attempt_at <= @now)
         AND NOT EXISTS (SELECT 1 FROM webhook_outbox p WHERE p.tenant = o.tenant AND p.webhook_id = o.webhook_id AND p.stream = o.stream AND p.status = 'pending' AND p.seq < o.seq)
       ORDER BY o.seq LIMIT @limit`,
    ),
    next: db.prepare<[string, string, string], Row>("SELECT * FROM webhook_outbox WHERE tenant = ? AND webhook_id = ? AND stream = ? AND status = 'pending' ORDER BY seq LIMIT 1"),
    deliveries: db.prepare<[string, string, number, number], Row>('SELECT * FROM webhook_outbox WHERE tenant = ? AND webhook_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
    // Everything before the oldest delivery still pending is done: that is how far the endpoint got.
    progress: db.prepare<[string, string, string, string], { up_to: string | null }>(
      `SELECT MAX(position) AS up_to FROM webhook_outbox WHERE tenant = ? AND webhook_id = ? AND status <> 'pending'
         AND seq < COALESCE((SELECT MIN(seq) FROM webhook_outbox WHERE tenant = ? AND webhook_id = ? AND status = 'pending'), 9223372036854775807)`,
    ),
    pending: db.prepare<[string, string], { one: number }>("SELECT 1 AS one FROM webhook_outbox WHERE tenant = ? AND webhook_id = ? AND status = 'pending' LIMIT 1"),
    mark: db.prepare(
      `UPDATE webhook_outbox SET status = @status, attempts = @attempts, next_attempt_at = @nextAttemptAt, first_failed_at = @firstFailedAt,
         last_error = @lastError, last_status = @lastStatus, delivered_at = @deliveredAt
       WHERE tenant = @tenant AND webhook_id = @webhookId AND event_id = @eventId`,
    ),
  };
  return {
    webhooks: (tenant: string): WebhookView[] =>
      sql.list.all(tenant).map((r) => ({ id: r.id, url: r.url, events: JSON.parse(r.events), active: r.active === 1, registeredAt: r.registered_at })),
    dueWebhookDeliveries: (now: string, limit: number): WebhookDelivery[] => sql.heads.all({ now, limit }).map(toDelivery),
    nextWebhookDelivery: (tenant: string, webhookId: string, stream: string): WebhookDelivery | undefined => {
      const row = sql.next.get(tenant, webhookId, stream);
      return row ? toDelivery(row) : undefined;
    },
    webhookDeliveries: (tenant: string, webhookId: string, page: PageRequest): Page<WebhookDelivery> =>
      pageOf(sql.deliveries.all(tenant, webhookId, before(page), page.limit + 1), page.limit, (r) => r.seq, toDelivery),
    webhookProgress: (tenant: string, webhookId: string): string | null => {
      const up = sql.progress.get(tenant, webhookId, tenant, webhookId)?.up_to;
      return up ? BigInt(up).toString() : null;
    },
    webhookPending: (tenant: string, webhookId: string): boolean => sql.pending.get(tenant, webhookId) !== undefined,
    markWebhookDelivery: (d: WebhookDelivery): void =>
      void sql.mark.run({
        tenant: d.tenant,
        webhookId: d.webhookId,
        eventId: d.eventId,
        status: d.status,
        attempts: d.attempts,
        nextAttemptAt: d.nextAttemptAt,
        firstFailedAt: d.firstFailedAt,
        lastError: d.lastError,
        lastStatus: d.lastStatus,
        deliveredAt: d.deliveredAt,
      }),
  };
};
