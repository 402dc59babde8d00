import type Database from 'better-sqlite3';
import { handles, type Projection } from './projection.js';

/**
 * Who has each document in their locker now, since when, and whether they removed it from their
 * own view; and those who had it and left its class or group, so that coming back finds it as they
 * left it.
 */
export const recipientProjection = (db: Database.Database): Projection => {
  const sql = {
    // A deposited or carried document is new: nobody had it before, so no former recipient to look up.
    fresh: db.prepare('INSERT OR IGNORE INTO recipients (tenant, document_id, user_id, added_at, seq, removed) VALUES (?, ?, ?, ?, ?, 0)'),
    rejoin: db.prepare(
      `INSERT OR IGNORE INTO recipients (tenant, document_id, user_id, added_at, seq, removed)
       VALUES (@tenant, @document, @user, @at, @seq,
               COALESCE((SELECT removed FROM former_recipients WHERE tenant = @tenant AND document_id = @document AND user_id = @user), 0))`,
    ),
    dropFormer: db.prepare('DELETE FROM former_recipients WHERE tenant = ? AND document_id = ? AND user_id = ?'),
    leave: db.prepare(
      `INSERT OR REPLACE INTO former_recipients (tenant, document_id, user_id, removed)
       SELECT tenant, document_id, user_id, removed FROM recipients WHERE tenant = ? AND document_id = ? AND user_id = ?`,
    ),
    drop: db.prepare('DELETE FROM recipients WHERE tenant = ? AND document_id = ? AND user_id = ?'),
    removed: db.prepare('UPDATE recipients SET removed = 1 WHERE tenant = ? AND document_id = ? AND user_id = ?'),
    restored: db.prepare('UPDATE recipients SET removed = 0 WHERE tenant = ? AND document_id = ? AND user_id = ?'),
  };
  const add = (tenant: string, documentId: string, userIds: readonly string[], at: string, seq: number) => {
    for (const userId of userIds) {
      sql.rejoin.run({ tenant, document: documentId, user: userId, at, seq });
      sql.dropFormer.run(tenant, documentId, userId);
    }
  };
  return {
    canHandle: handles('DocumentDeposited', 'DocumentCarriedOver', 'RecipientAdded', 'RecipientJoined', 'RecipientLeft', 'CarriedDocumentRefreshed', 'DocumentRemovedFromLocker', 'DocumentRestoredToLocker'),
    apply: ({ event, tenant, seq }) => {
      switch (event.type) {
        case 'DocumentDeposited':
        case 'DocumentCarriedOver':
          for (const userId of event.data.recipientIds) sql.fresh.run(tenant, event.data.documentId, userId, event.at, seq);
          return;
        case 'RecipientAdded':
        case 'CarriedDocumentRefreshed':
          return add(tenant, event.data.documentId, event.data.recipientIds, event.at, seq);
        case 'RecipientJoined':
          return add(tenant, event.data.documentId, [event.data.userId], event.at, seq);
        case 'RecipientLeft':
          sql.leave.run(tenant, event.data.documentId, event.data.userId);
          sql.drop.run(tenant, event.data.documentId, event.data.userId);
          return;
        case 'DocumentRemovedFromLocker':
          sql.removed.run(tenant, event.data.documentId, event.data.userId);
          return;
        case 'DocumentRestoredToLocker':
          sql.restored.run(tenant, event.data.documentId, event.data.userId);
          return;
      }
    },
  };
};
