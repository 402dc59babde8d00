import type Database from 'better-sqlite3';
import { handles, type Projection } from './projection.js';

/** Uploads refused as infected: who tried, which file, what it held, when; the admins' notifications are titled by it. */
export const scanProjection = (db: Database.Database): Projection => {
  const refused = db.prepare('INSERT OR IGNORE INTO refused_uploads VALUES (?, ?, ?, ?, ?, ?, ?)');
  return {
    canHandle: handles('InfectedUploadRefused'),
    apply: ({ event, tenant }) => {
      if (event.type !== 'InfectedUploadRefused') return;
      refused.run(tenant, event.data.uploadId, event.data.userId, event.data.fileName, event.data.signature, event.data.via, event.at);
    },
  };
};
