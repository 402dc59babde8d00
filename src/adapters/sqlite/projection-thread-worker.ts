import { parentPort, workerData } from 'node:worker_threads';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { openReadModelConnection, REBUILD_CACHE_KIB } from './read-model-connection.js';
import { readModelProjection } from './read-model-projection.js';
import type { ProjectionOptions } from './projection.js';

// The writer of a rebuild (projection-thread.ts), in its own thread: the projection the service
// runs, on a connection of its own with a rebuild's page cache and no checkpoint until its end.
const { file, options } = workerData as { file: string; options: ProjectionOptions };
const db = openReadModelConnection(file, { fileMustExist: true });
db.pragma(`cache_size = -${REBUILD_CACHE_KIB}`);
db.pragma('wal_autocheckpoint = 0');
const projection = readModelProjection(db, options);
const port = parentPort!;
// A commit's transaction is opened by the first page staged after the last commit, and each page
// is projected as it comes (a savepoint within it): the pages' objects die young, where holding
// 5,000 events until the commit had them promoted and collected again.
// After a failure nothing more is applied: a later commit would pass the checkpoint over the
// failed events, which would then be missing for good.
let failure: string | undefined;
const failed = (e: unknown) => {
  failure = e instanceof Error ? e.message : String(e);
  if (db.inTransaction) db.exec('ROLLBACK');
};
type Work = { readonly stage: readonly RecordedEvent[] } | 'commit' | 'reset' | null;
port.on('message', (work: Work) => {
  if (work === null) {
    // What is staged and not committed goes with the connection.
    db.close();
    port.close();
    return;
  }
  if (failure === undefined) {
    try {
      if (typeof work === 'object') {
        if (!db.inTransaction) db.exec('BEGIN IMMEDIATE');
        projection.apply(work.stage);
        return;
      }
      if (work === 'reset') projection.reset();
      else if (db.inTransaction) db.exec('COMMIT');
    } catch (e) {
      failed(e);
    }
  }
  if (typeof work !== 'object') port.postMessage(failure ?? null);
});
