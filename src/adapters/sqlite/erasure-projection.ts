import type Database from 'better-sqlite3';
import { handles, type Projection } from './projection.js';

/** Who was erased, when, by whom and why; and the rows that held more of them than opaque ids, gone. */
export const erasureProjection = (db: Database.Database): Projection => {
  const erased = db.prepare('INSERT OR IGNORE INTO erasures VALUES (?, ?, ?, ?, ?)');
  const forget = [
    ...['preferences', 'notifications', 'outbox', 'departed', 'refused_uploads'].map((t) => db.prepare(`DELETE FROM ${t} WHERE tenant = ? AND user_id = ?`)),
    // Their notices of documents arriving, kept on their recipient rows.
    db.prepare('UPDATE recipients SET notice = NULL, notice_actor = NULL, notice_read_at = NULL WHERE tenant = ? AND user_id = ? AND notice IS NOT NULL'),
  ];
  return {
    canHandle: handles('PersonErased'),
    apply: ({ event, tenant }) => {
      if (event.type !== 'PersonErased') return;
      erased.run(tenant, event.data.userId, event.at, event.actor, event.data.reason);
      for (const drop of forget) drop.run(tenant, event.data.userId);
    },
  };
};
