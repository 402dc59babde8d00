// The thread of `checkpointInBackground`: its own connection, a passive checkpoint every interval.
import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { parentPort, workerData } from 'node:worker_threads';

export type WalCheckpointWork = { driver: string; file: string; synchronous: 'FULL' | 'NORMAL'; intervalMs: number };

const work = workerData as WalCheckpointWork;
const Driver = createRequire(import.meta.url)(work.driver) as typeof Database;
const db = new Driver(work.file, { fileMustExist: true });
db.pragma('busy_timeout = 1000');
db.pragma(`synchronous = ${work.synchronous}`);
const checkpoint = db.prepare('PRAGMA wal_checkpoint(PASSIVE)');
const timer = setInterval(() => {
  try {
    checkpoint.get();
  } catch {
    // Busy with another checkpoint: the next tick copies it.
  }
}, work.intervalMs);
parentPort!.once('message', () => {
  clearInterval(timer);
  db.close();
});
