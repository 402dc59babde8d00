import type Database from 'better-sqlite3';
import type { MailDelivery, OutboxItem, OutboxStatus, OutboxView, PageRequest } from '../../application/ports/read-models.js';
import { before, pageOf } from './pages.js';
import { DEFAULT_NOTIFICATION_SETTINGS, type NotificationSettings, type PersonalPreferences } from '../../domain/index.js';

type Row = {
  tenant: string; mail_id: string; user_id: string; kind: OutboxItem['kind']; document_id: string; actor_id: string; at: string;
  status: OutboxStatus; attempts: number; next_attempt_at: string | null; held_until: string | null; last_error: string | null; message_id: string | null;
};

const toItem = (r: Row): OutboxItem => ({
  tenant: r.tenant,
  mailId: r.mail_id,
  userId: r.user_id,
  kind: r.kind,
  documentId: r.document_id,
  actorId: r.actor_id,
  at: r.at,
  status: r.status,
  attempts: r.attempts,
  nextAttemptAt: r.next_attempt_at,
  heldUntil: r.held_until,
  lastError: r.last_error,
  messageId: r.message_id,
});

/**
 * Mail preferences and the outbox. Reads, and the dispatcher's own bookkeeping (attempts, the next
 * try, holding for quiet hours, skipping): facts of this node's delivery, not of the log.
 */
export const outboxQueries = (db: Database.Database) => {
  const sql = {
    settings: db.prepare<[string], { notifications: string | null }>('SELECT notifications FROM settings WHERE tenant = ?'),
    preferences: db.prepare<[string, string], { prefs: string }>('SELECT prefs FROM preferences WHERE tenant = ? AND user_id = ?'),
    due: db.prepare<{ now: string; limit: number }, Row>(
      `SELECT * FROM outbox WHERE status = 'pending' AND (next_attempt_at IS NULL OR next_attempt_at <= @now) AND (held_until IS NULL OR held_until <= @now)
       ORDER BY tenant, seq LIMIT @limit`,
    ),
    // Newest first, by rowid: several mails share an event's seq, and a cursor needs one order.
    list: db.prepare<{ tenant: string; status: string | null; held: number; now: string; before: number; limit: number }, Row & { row: number }>(
      `SELECT rowid AS row, * FROM outbox WHERE tenant = @tenant AND rowid < @before AND (@status IS NULL OR status = @status) AND status <> 'sent'
         AND (@held = 0 OR held_until > @now) ORDER BY rowid DESC LIMIT @limit`,
    ),
    held: db.prepare<{ tenant: string; now: string }, { n: number }>("SELECT count(*) AS n FROM outbox WHERE tenant = @tenant AND status = 'pending' AND held_until > @now"),
    counts: db.prepare<[string], { status: OutboxStatus; n: number }>('SELECT status, count(*) AS n FROM outbox WHERE tenant = ? GROUP BY status'),
    failed: db.prepare<[string], { user_id: string; mail_id: string }>("SELECT user_id, mail_id FROM outbox WHERE tenant = ? AND status = 'failed' ORDER BY seq"),
    mark: db.prepare(
      `UPDATE outbox SET attempts = COALESCE(@attempts, attempts), next_attempt_at = @nextAttemptAt, held_until = @heldUntil,
         last_error = COALESCE(@lastError, last_error), status = CASE WHEN @skipped IS NULL THEN status ELSE 'skipped' END
       WHERE tenant = @tenant AND mail_id = @mailId AND status = 'pending'`,
    ),
  };
  return {
    notificationSettings: (tenant: string): NotificationSettings => {
      const row = sql.settings.get(tenant);
      return row?.notifications ? { ...DEFAULT_NOTIFICATION_SETTINGS, ...JSON.parse(row.notifications) } : DEFAULT_NOTIFICATION_SETTINGS;
    },
    preferences: (tenant: string, userId: string): PersonalPreferences => {
      const row = sql.preferences.get(tenant, userId);
      return row ? JSON.parse(row.prefs) : {};
    },
    dueMail: (now: string, limit: number): OutboxItem[] => sql.due.all({ now, limit }).map(toItem),
    outbox: (tenant: string, status: OutboxStatus | 'held' | undefined, page: PageRequest, now: string): OutboxView => {
      const rows = sql.list.all({ tenant, status: status === 'held' ? 'pending' : (status ?? null), held: status === 'held' ? 1 : 0, now, before: before(page), limit: page.limit + 1 });
      const counts = Object.fromEntries(sql.counts.all(tenant).map((r) => [r.status, r.n])) as Partial<Record<OutboxStatus, number>>;
      return {
        ...pageOf(rows, page.limit, (r) => r.row, toItem),
        counts: { pending: counts.pending ?? 0, held: sql.held.get({ tenant, now })?.n ?? 0, failed: counts.failed ?? 0, sent: counts.sent ?? 0, skipped: counts.skipped ?? 0 },
      };
    },
    failedMail: (tenant: string): { userId: string; mailId: string }[] => sql.failed.all(tenant).map((r) => ({ userId: r.user_id, mailId: r.mail_id })),
    markMail: (tenant: string, mailIds: readonly string[], delivery: MailDelivery): void => {
      const mark = db.transaction(() => {
        for (const mailId of mailIds) {
          sql.mark.run({
            tenant,
            mailId,
            attempts: delivery.attempts ?? null,
            nextAttemptAt: delivery.nextAttemptAt ?? null,
            heldUntil: delivery.heldUntil ?? null,
            lastError: delivery.lastError ?? null,
            skipped: delivery.skipped ?? null,
          });
        }
      });
      mark();
    },
  };
};
