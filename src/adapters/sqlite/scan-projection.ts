import type Database from 'better-sqlite3';
import { handles, type Projection } from './projection.js';

/** Uploads refused as infected: what the admins' notifications are titled by. */
export const scanProjection = (db: Database.Database): Projection => {
  const refused = db.prepare('INSERT OR IGNORE INTO refused_uploads VALUES (?, ?, ?, ?, ?, ?)');
  return {
    canHandle: handles('InfectedUploadRefused'),
    apply: ({ event, tenant }) => {
      if (event.type !== 'InfectedUploadRefused') return;
      refused.run(tenant, event.data.uploadId, event.data.userId, event.data.signature, event.data.via, event.at);
    },
  };
};
