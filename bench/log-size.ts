import Database from 'better-sqlite3';
import { join } from 'node:path';

/** How many events a tenant has in the embedded log of a data folder (read straight from the file: the port has no count). */
export const eventsInLog = (dataDir: string, tenant: string): number => {
  const db = new Database(join(dataDir, 'events.sqlite'), { readonly: true });
  try {
    return (db.prepare('SELECT count(*) AS n FROM events WHERE tenant = ?').get(tenant) as { n: number }).n;
  } finally {
    db.close();
  }
};
