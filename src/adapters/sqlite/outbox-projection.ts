import type Database from 'better-sqlite3';
import { handles, type Projection } from './projection.js';

/** What became of each mail queued (notification-projection.ts queues them): sent, failed, queued again. */
export const outboxProjection = (db: Database.Database): Projection => {
  const sql = {
    sent: db.prepare("UPDATE outbox SET status = 'sent', message_id = ?, last_error = NULL WHERE tenant = ? AND mail_id IN (SELECT value FROM json_each(?))"),
    failed: db.prepare("UPDATE outbox SET status = 'failed', last_error = ? WHERE tenant = ? AND mail_id IN (SELECT value FROM json_each(?)) AND status <> 'sent'"),
    requeued: db.prepare(
      "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL, held_until = NULL WHERE tenant = ? AND mail_id IN (SELECT value FROM json_each(?)) AND status = 'failed'",
    ),
  };
  return {
    canHandle: handles('EmailSent', 'EmailFailed', 'EmailRequeued'),
    apply: ({ event, tenant }) => {
      switch (event.type) {
        case 'EmailSent':
          sql.sent.run(event.data.messageId, tenant, JSON.stringify(event.data.mailIds));
          return;
        case 'EmailFailed':
          sql.failed.run(event.data.error, tenant, JSON.stringify(event.data.mailIds));
          return;
        case 'EmailRequeued':
          sql.requeued.run(tenant, JSON.stringify(event.data.mailIds));
          return;
      }
    },
  };
};
