// The thread of a scan by prefix (prefix-scan-thread.ts): its own read-only connection, `ahead`
// pages ahead of the replay, one more for each page the replay takes.
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';
import { pageReader, type PrefixFilter } from './prefix-page-reader.js';

export type PrefixScanWork = { driver: string; file: string; prefix: string; upper: string; page: number; ahead: number; filter: PrefixFilter | undefined };

const work = workerData as PrefixScanWork;
const Driver = createRequire(import.meta.url)(work.driver) as typeof Database;
const db = new Driver(work.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const next = pageReader(db, work.prefix, work.upper, work.page, work.filter);
const port = parentPort!;
let credits = work.ahead;
const pump = () => {
  for (let page; credits > 0 && (page = next()); credits--) port.postMessage(page);
};
port.on('message', (m: unknown) => {
  if (m === 'stop') {
    if (db.open) db.close();
    port.close();
    return;
  }
  credits += 1;
  pump();
});
pump();
