import { parentPort, workerData } from 'node:worker_threads';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { openReadModelConnection, REBUILD_CACHE_KIB } from './read-model-connection.js';
import { readModelProjection } from './read-model-projection.js';

// The rebuild's writer (projection-thread.ts), in its own thread: the projection the service runs,
// on a connection of its own with a rebuild's settings (the WAL is checkpointed once, at the end).
const db = openReadModelConnection((workerData as { file: string }).file, { fileMustExist: true });
db.pragma(`cache_size = -${REBUILD_CACHE_KIB}`);
db.pragma('wal_autocheckpoint = 0');
const projection = readModelProjection(db);
const port = parentPort!;
// What was staged since the last commit: the next commit applies it in one transaction.
let staged: RecordedEvent[] = [];
// After a commit that failed, none is applied: the next would pass the checkpoint over the
// failed one's events, which would then be missing for good.
let failure: string | undefined;
type Work = { readonly stage: readonly RecordedEvent[] } | 'commit' | 'reset' | null;
port.on('message', (work: Work) => {
  if (work === null) {
    db.close();
    port.close();
    return;
  }
  if (typeof work === 'object') {
    if (failure === undefined) for (const event of work.stage) staged.push(event);
    return;
  }
  if (failure === undefined) {
    try {
      if (work === 'reset') projection.reset();
      else projection.apply(staged);
    } catch (e) {
      failure = e instanceof Error ? e.message : String(e);
    }
  }
  if (work === 'commit') staged = [];
  port.postMessage(failure ?? null);
});
