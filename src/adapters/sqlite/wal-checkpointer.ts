import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import type { WalCheckpointWork } from './wal-checkpoint-worker.js';
import { siblingModule, startWorker } from './worker-module.js';

/** How often the worker copies the WAL into the file: bounds the WAL to what is written meanwhile. */
const INTERVAL_MS = 200;

export type BackgroundCheckpoints = {
  /** The `wal_autocheckpoint` the connection should have now: 0 while the worker checkpoints for it. */
  autocheckpointPages(): number;
  /** Resolves once the worker has closed its connection and exited: its files are then left alone. */
  stop(): Promise<void>;
};

/**
 * Moves SQLite's checkpoints (copying the WAL into the database file, with its fsync) off the
 * event loop: the connection given stops checkpointing (`wal_autocheckpoint = 0`) and a worker
 * thread with its own connection checkpoints every 200 ms. Before this, one commit in twenty paid
 * for a checkpoint of ~1,000 pages inside a request (ADR 29). A checkpoint by another
 * connection is SQLite's own design for WAL mode: commits go on meanwhile, and the WAL starts over
 * once everything in it is in the file. Should the worker fail, the connection checkpoints itself
 * again as before.
 */
export const checkpointInBackground = (
  db: Database.Database,
  file: string,
  synchronous: 'FULL' | 'NORMAL',
  options: { driver?: string; intervalMs?: number } = {},
): BackgroundCheckpoints => {
  const driver = options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
  const workerData: WalCheckpointWork = { driver, file, synchronous, intervalMs: options.intervalMs ?? INTERVAL_MS };
  const worker = startWorker(siblingModule(import.meta.url, 'wal-checkpoint-worker'), { workerData });
  // What the connection had (SQLite's default, 1,000 pages), put back if the worker stops working.
  const ownPages = db.pragma('wal_autocheckpoint', { simple: true }) as number;
  let stopping = false;
  let failed = false;
  const fallBack = () => {
    failed = true;
    if (!stopping && db.open) db.pragma(`wal_autocheckpoint = ${ownPages}`);
  };
  const gone = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  worker.on('error', fallBack);
  worker.on('exit', fallBack);
  // Nothing to wait for at exit: what is not copied yet is in the WAL, which the next open reads.
  worker.unref();
  db.pragma('wal_autocheckpoint = 0');
  return {
    autocheckpointPages: () => (stopping || failed ? ownPages : 0),
    // Waited for: a worker still opening its connection when the caller closes and removes the
    // folder would write its WAL files there meanwhile.
    stop: () => {
      if (!stopping) {
        stopping = true;
        worker.postMessage('stop');
        if (db.open) db.pragma(`wal_autocheckpoint = ${ownPages}`);
      }
      return gone;
    },
  };
};
