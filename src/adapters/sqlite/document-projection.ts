import type Database from 'better-sqlite3';
import type { Content } from '../../domain/index.js';
import { handles, type Projection } from './projection.js';

/**
 * Documents as their readers see them: the latest version and every one before it, details, what
 * they are addressed to (classes, groups), acknowledgements asked and given, reminders,
 * consultations, deletion.
 */
export const documentProjection = (db: Database.Database): Projection => {
  const sql = {
    document: db.prepare(
      `INSERT OR IGNORE INTO documents (tenant, id, seq, year, title, category_id, memo, depositor_id, deposited_at, updated_at,
         deleted, version, file_name, media_type, size_bytes, sha256, blob_key, recipients_may_edit, ack_required, ack_due_at, collection_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    version: db.prepare('INSERT OR IGNORE INTO versions (tenant, document_id, version, blob_key, sha256, size_bytes, file_name, media_type, at, scan) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    cleared: db.prepare('UPDATE versions SET scan = NULL, scanned_at = ? WHERE tenant = ? AND document_id = ? AND version = ?'),
    quarantined: db.prepare("UPDATE versions SET scan = 'quarantined', signature = ?, scanned_at = ? WHERE tenant = ? AND document_id = ? AND version = ?"),
    addressed: db.prepare('INSERT OR IGNORE INTO addressed (tenant, target, document_id, year) VALUES (?, ?, ?, ?)'),
    unaddressed: db.prepare('DELETE FROM addressed WHERE tenant = ? AND document_id = ?'),
    documentYear: db.prepare<[string, string], { year: string }>('SELECT year FROM documents WHERE tenant = ? AND id = ?'),
    touch: db.prepare('UPDATE documents SET updated_at = ? WHERE tenant = ? AND id = ?'),
    category: db.prepare('UPDATE documents SET category_id = ?, updated_at = ? WHERE tenant = ? AND id = ?'),
    memo: db.prepare('UPDATE documents SET memo = ?, updated_at = ? WHERE tenant = ? AND id = ?'),
    content: db.prepare(
      `UPDATE documents SET version = ?, file_name = ?, media_type = ?, size_bytes = ?, sha256 = ?, blob_key = ?, updated_at = ?
       WHERE tenant = ? AND id = ?`,
    ),
    mayEdit: db.prepare('UPDATE documents SET recipients_may_edit = ?, updated_at = ? WHERE tenant = ? AND id = ?'),
    ackSet: db.prepare(
      `UPDATE documents SET ack_required = @required, ack_due_at = @dueAt, updated_at = @at,
         ack_from = CASE WHEN @required = 1 AND ack_required = 0 THEN version ELSE ack_from END,
         due_reminded = CASE WHEN ack_due_at IS @dueAt THEN due_reminded ELSE 0 END
       WHERE tenant = @tenant AND id = @id`,
    ),
    askAgain: db.prepare('UPDATE documents SET ack_from = ? WHERE tenant = ? AND id = ?'),
    acknowledged: db.prepare('INSERT OR IGNORE INTO acknowledgements VALUES (?, ?, ?, ?, ?)'),
    reminder: db.prepare('INSERT INTO reminders VALUES (?, ?, ?, ?, ?)'),
    dueReminded: db.prepare('UPDATE documents SET due_reminded = 1 WHERE tenant = ? AND id = ?'),
    consulted: db.prepare('INSERT OR IGNORE INTO consultations VALUES (?, ?, ?, ?, ?)'),
    deleted: db.prepare('UPDATE documents SET deleted = 1, updated_at = ? WHERE tenant = ? AND id = ?'),
    // An expired document keeps no description in the read models: its key is gone from the log too.
    forgetDocument: [
      db.prepare("UPDATE documents SET title = '[erased]', memo = NULL, file_name = '[erased]' WHERE tenant = ? AND id = ?"),
      db.prepare("UPDATE versions SET file_name = '[erased]' WHERE tenant = ? AND document_id = ?"),
    ],
  };
  const newVersion = (tenant: string, documentId: string, c: Content, at: string) => {
    sql.content.run(c.version, c.fileName, c.mediaType, c.sizeBytes, c.sha256, c.blobKey, at, tenant, documentId);
    sql.version.run(tenant, documentId, c.version, c.blobKey, c.sha256, c.sizeBytes, c.fileName, c.mediaType, at, c.scan ?? null);
  };
  const addressTo = (tenant: string, documentId: string, year: string, classes: readonly { classId: string }[], groups: readonly string[]) => {
    for (const c of classes) sql.addressed.run(tenant, `class:${c.classId}`, documentId, year);
    for (const g of groups) sql.addressed.run(tenant, `group:${g}`, documentId, year);
  };

  return {
    canHandle: handles(
      'DocumentDeposited', 'DocumentCarriedOver', 'RecipientAdded', 'RecipientJoined', 'RecipientLeft', 'CategoryChanged', 'MemoChanged', 'DocumentUpdated',
      'AcknowledgementSet', 'DocumentAcknowledged', 'ReminderSent', 'RecipientsMayEditSet', 'CarriedDocumentRefreshed', 'DocumentConsulted', 'DocumentDeletedForAll', 'DocumentExpired',
      'ContentCleared', 'ContentQuarantined',
    ),
    apply: ({ event, tenant, seq }) => {
      switch (event.type) {
        case 'DocumentDeposited':
        case 'DocumentCarriedOver': {
          const d = event.data;
          const c = d.content;
          const ack = 'acknowledgement' in d ? d.acknowledgement : undefined;
          sql.document.run(tenant, d.documentId, seq, d.year, d.title, d.categoryId, d.memo, d.depositorId, event.at, event.at, c.version, c.fileName, c.mediaType, c.sizeBytes, c.sha256, c.blobKey, d.recipientsMayEdit ? 1 : 0, ack?.required ? 1 : 0, ack?.dueAt || null, ('collectionId' in d && d.collectionId) || null);
          sql.version.run(tenant, d.documentId, c.version, c.blobKey, c.sha256, c.sizeBytes, c.fileName, c.mediaType, event.at, c.scan ?? null);
          addressTo(tenant, d.documentId, d.year, d.classes, d.groups);
          return;
        }
        case 'RecipientAdded': {
          const d = event.data;
          const year = sql.documentYear.get(tenant, d.documentId)?.year;
          if (year !== undefined) addressTo(tenant, d.documentId, year, d.classes, d.groups);
          sql.touch.run(event.at, tenant, d.documentId);
          return;
        }
        case 'RecipientJoined':
        case 'RecipientLeft':
          sql.touch.run(event.at, tenant, event.data.documentId);
          return;
        case 'CategoryChanged':
          sql.category.run(event.data.categoryId, event.at, tenant, event.data.documentId);
          return;
        case 'MemoChanged':
          sql.memo.run(event.data.memo, event.at, tenant, event.data.documentId);
          return;
        case 'DocumentUpdated':
          newVersion(tenant, event.data.documentId, event.data.content, event.at);
          // A new version asks for acknowledgement again; a minor one does not.
          if (!event.data.minor) sql.askAgain.run(event.data.content.version, tenant, event.data.documentId);
          return;
        case 'AcknowledgementSet': {
          const d = event.data;
          sql.ackSet.run({ required: d.required ? 1 : 0, dueAt: d.dueAt, at: event.at, tenant, id: d.documentId });
          return;
        }
        case 'DocumentAcknowledged':
          sql.acknowledged.run(tenant, event.data.documentId, event.data.userId, event.data.version, event.at);
          return;
        case 'ReminderSent': {
          const d = event.data;
          for (const userId of d.userIds) sql.reminder.run(tenant, d.documentId, userId, event.at, d.reason);
          if (d.reason === 'due') sql.dueReminded.run(tenant, d.documentId);
          return;
        }
        case 'RecipientsMayEditSet':
          sql.mayEdit.run(event.data.recipientsMayEdit ? 1 : 0, event.at, tenant, event.data.documentId);
          return;
        case 'CarriedDocumentRefreshed': {
          const d = event.data;
          if (d.content) newVersion(tenant, d.documentId, d.content, event.at);
          if (d.memo !== undefined) sql.memo.run(d.memo, event.at, tenant, d.documentId);
          if (d.categoryId !== undefined) sql.category.run(d.categoryId, event.at, tenant, d.documentId);
          sql.touch.run(event.at, tenant, d.documentId);
          return;
        }
        case 'ContentCleared':
          sql.cleared.run(event.at, tenant, event.data.documentId, event.data.version);
          return;
        case 'ContentQuarantined':
          sql.quarantined.run(event.data.signature, event.at, tenant, event.data.documentId, event.data.version);
          return;
        case 'DocumentConsulted':
          sql.consulted.run(tenant, event.data.documentId, event.data.userId, event.data.version, event.at);
          return;
        case 'DocumentDeletedForAll':
        case 'DocumentExpired':
          sql.deleted.run(event.at, tenant, event.data.documentId);
          sql.unaddressed.run(tenant, event.data.documentId);
          if (event.type === 'DocumentExpired') for (const forget of sql.forgetDocument) forget.run(tenant, event.data.documentId);
          return;
      }
    },
  };
};
