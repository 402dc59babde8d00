import type Database from 'better-sqlite3';
import { handles, type Projection } from './projection.js';

/** Collection requests: who asked whom for what, their status, and the reminders sent. */
export const collectionProjection = (db: Database.Database): Projection => {
  const sql = {
    collection: db.prepare('INSERT OR IGNORE INTO collections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    asked: db.prepare('INSERT OR IGNORE INTO collection_asked VALUES (?, ?, ?)'),
    status: db.prepare('UPDATE collections SET status = ? WHERE tenant = ? AND id = ?'),
    reminder: db.prepare('INSERT INTO collection_reminders VALUES (?, ?, ?, ?)'),
  };
  return {
    canHandle: handles('CollectionCreated', 'CollectionPublished', 'CollectionClosed', 'CollectionReminderSent'),
    apply: ({ event, tenant, seq }) => {
      switch (event.type) {
        case 'CollectionCreated': {
          const d = event.data;
          sql.collection.run(tenant, d.collectionId, seq, d.year, d.requesterId, d.title, d.instructions, d.categoryId, d.dueAt, 'draft', event.at);
          for (const userId of d.askedIds) sql.asked.run(tenant, d.collectionId, userId);
          return;
        }
        case 'CollectionPublished':
          sql.status.run('open', tenant, event.data.collectionId);
          return;
        case 'CollectionClosed':
          sql.status.run('closed', tenant, event.data.collectionId);
          return;
        case 'CollectionReminderSent':
          for (const userId of event.data.userIds) sql.reminder.run(tenant, event.data.collectionId, userId, event.at);
          return;
      }
    },
  };
};
