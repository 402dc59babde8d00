import type Database from 'better-sqlite3';
import { isAdmin, noticesOf, type Audience, type UserKind } from '../../domain/index.js';
import type { Projection, ProjectionOptions } from './projection.js';

/**
 * What people are told in the app, and the mails queued for it: the domain says who hears of what
 * (`noticesOf`); this only finds who they are in the rows and writes one notification each, and
 * one mail where the deployment sends mail and the person has an address.
 */
export const notificationProjection = (db: Database.Database, options: ProjectionOptions): Projection => {
  const sql = {
    notification: db.prepare('INSERT OR IGNORE INTO notifications (tenant, user_id, seq, kind, document_id, actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    mail: db.prepare(
      `INSERT OR IGNORE INTO outbox (tenant, mail_id, user_id, seq, kind, document_id, actor_id, at, status)
       SELECT @tenant, @mail, @user, @seq, @kind, @subject, @actor, @at, 'pending'
       WHERE EXISTS (SELECT 1 FROM users WHERE tenant = @tenant AND id = @user AND email IS NOT NULL)`,
    ),
    recipients: db.prepare<[string, string, string | null], { id: string }>('SELECT user_id AS id FROM recipients WHERE tenant = ? AND document_id = ? AND removed = 0 AND user_id IS NOT ?'),
    depositor: db.prepare<[string, string, string | null], { id: string }>('SELECT depositor_id AS id FROM documents WHERE tenant = ? AND id = ? AND depositor_id IS NOT ?'),
    asked: db.prepare<[string, string], { id: string }>('SELECT user_id AS id FROM collection_asked WHERE tenant = ? AND collection_id = ?'),
    users: db.prepare<[string], { id: string; kind: UserKind; permissions: string }>(
      `SELECT u.id, u.kind, (SELECT json_group_array(perm.value) FROM json_each(u.profiles) j
         JOIN profiles p ON p.tenant = u.tenant AND p.id = j.value, json_each(p.permissions) perm) AS permissions
       FROM users u WHERE u.tenant = ?`,
    ),
    // On the recipient's row the event just wrote (same seq): one more row per recipient was a third of a deposit's.
    arrival: db.prepare('UPDATE recipients SET notice = ?, notice_actor = ? WHERE tenant = ? AND document_id = ? AND user_id = ? AND seq = ?'),
    readOne: db.prepare('UPDATE notifications SET read_at = ? WHERE tenant = ? AND user_id = ? AND seq = ? AND read_at IS NULL'),
    readUpTo: db.prepare('UPDATE notifications SET read_at = ? WHERE tenant = ? AND user_id = ? AND seq <= ? AND read_at IS NULL'),
    arrivalReadOne: db.prepare('UPDATE recipients SET notice_read_at = ? WHERE tenant = ? AND user_id = ? AND seq = ? AND notice IS NOT NULL AND notice_read_at IS NULL'),
    arrivalReadUpTo: db.prepare('UPDATE recipients SET notice_read_at = ? WHERE tenant = ? AND user_id = ? AND seq <= ? AND notice IS NOT NULL AND notice_read_at IS NULL'),
  };
  const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
  const audience = (tenant: string, a: Audience): readonly string[] => {
    switch (a.to) {
      case 'users':
        return a.userIds;
      case 'recipients':
        return ids(sql.recipients.all(tenant, a.documentId, a.except ?? null));
      case 'depositor':
        return ids(sql.depositor.all(tenant, a.documentId, a.except ?? null));
      case 'asked':
        return ids(sql.asked.all(tenant, a.collectionId));
      case 'admins':
        return sql.users.all(tenant).filter((u) => isAdmin(u.kind, JSON.parse(u.permissions) as string[])).map((u) => u.id);
    }
  };
  return {
    canHandle: () => true,
    apply: ({ recorded, event, tenant, seq }) => {
      if (event.type === 'NotificationsRead') {
        const d = event.data;
        for (const id of d.ids) {
          if (!/^\d+$/.test(id)) continue;
          sql.readOne.run(event.at, tenant, d.userId, Number(id));
          sql.arrivalReadOne.run(event.at, tenant, d.userId, Number(id));
        }
        if (d.upTo !== undefined && /^\d+$/.test(d.upTo)) {
          sql.readUpTo.run(event.at, tenant, d.userId, Number(d.upTo));
          sql.arrivalReadUpTo.run(event.at, tenant, d.userId, Number(d.upTo));
        }
        return;
      }
      for (const notice of noticesOf(event)) {
        for (const user of audience(tenant, notice.audience)) {
          // Someone who had it already (no row of this event's) is told on a row of their own.
          const kept = notice.arrival && sql.arrival.run(notice.kind, event.actor, tenant, notice.subject, user, seq).changes === 1;
          if (!kept) sql.notification.run(tenant, user, seq, notice.kind, notice.subject, event.actor, event.at);
          // One mail per notification, keyed by event and person: a replay queues nothing twice.
          if (options.mail && notice.mailed) sql.mail.run({ tenant, mail: `${recorded.id}:${user}`, user, seq, kind: notice.kind, subject: notice.subject, actor: event.actor, at: event.at });
        }
      }
    },
  };
};
