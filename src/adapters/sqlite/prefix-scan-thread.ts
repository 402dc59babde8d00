import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';
import type { ReplayedEvent } from '../../application/ports/event-store.js';

/** Pages the thread reads ahead of the replay: enough to keep both threads busy, few enough to keep memory flat. */
const AHEAD = 4;

// Plain CommonJS evaluated in the worker (no TypeScript loader there, under tsx or not), like the
// checkpointer. It pages through the (stream, revision) index on its own read-only connection and
// posts each page as one JSON text with the stored data and meta spliced in unparsed: the replay's
// thread parses a page once and gets the events' objects, and no string per column crosses over.
// A row is [stream name on a stream's first row or null, revision, type, data, meta].
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const page = db.prepare('SELECT position, CASE WHEN revision = 0 THEN stream END, revision, type, data, meta FROM events WHERE (stream, revision) > (?, ?) AND stream < ? ORDER BY stream, revision LIMIT ?').raw(true);
const nameAt = db.prepare('SELECT stream FROM events WHERE position = ?').pluck();
let after = [workerData.prefix, -1];
let current = null;
let lastRevision = -2;
let credits = workerData.ahead;
let finished = false;
const pump = () => {
  while (credits > 0 && !finished) {
    const rows = page.all(after[0], after[1], workerData.upper, workerData.page);
    let text = '[';
    for (let i = 0; i < rows.length; i++) {
      const [position, named, revision, type, data, meta] = rows[i];
      let name = null;
      if (named !== null || current === null || revision !== lastRevision + 1) name = current = named === null ? nameAt.get(position) : named;
      lastRevision = revision;
      text += (i === 0 ? '[' : ',[') + JSON.stringify(name) + ',' + revision + ',' + JSON.stringify(type) + ',' + data + ',' + meta + ']';
    }
    text += ']';
    credits -= 1;
    if (rows.length < workerData.page) finished = true;
    else after = [current, rows[rows.length - 1][2]];
    parentPort.postMessage({ text, last: finished });
  }
  if (finished && db.open) db.close();
};
parentPort.on('message', (m) => {
  if (m === 'stop') { finished = true; if (db.open) db.close(); parentPort.close(); return; }
  credits += 1;
  pump();
});
pump();
`;

type WireRow = [string | null, number, string, unknown, ReplayedEvent['meta']];

export type PrefixScanOptions = { readonly driver?: string; readonly page?: number };

/**
 * A scan by prefix read on a worker thread: the SQLite reads (a third of a rollover at a million
 * events) run beside the replay that folds what they read, instead of before it on the same
 * thread. Streams come a page at a time, whole; one a page cuts waits for the next. The thread
 * stops when the reader does (a `return` or a throw in its loop) or at the end.
 */
export async function* scanByPrefixInThread(
  file: string,
  prefix: string,
  upper: string,
  keep: ((first: ReplayedEvent) => boolean) | undefined,
  options: PrefixScanOptions = {},
): AsyncGenerator<ReplayedEvent[][]> {
  const driver = options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
  // Pages of 100 rows, and a young generation as small as the main thread's (ADR 28): measured at
  // a million events, 250 rows and V8's default young generation peaked 60 MiB higher (the thread's
  // heap, and pages parsed whole on this side outliving the young generation), for no speed.
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb: 2 },
    workerData: { driver, file, prefix, upper, page: options.page ?? 100, ahead: AHEAD },
  });
  const pages: { text: string; last: boolean }[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (m: { text: string; last: boolean }) => (pages.push(m), wake?.()));
  worker.on('error', (e) => ((failure = e), wake?.()));
  // Whatever the exit code, a thread that is gone before its last page failed the scan.
  worker.on('exit', (code) => {
    failure ??= new Error(`the scan thread stopped before the end (exit ${code})`);
    wake?.();
  });
  let current: ReplayedEvent[] | undefined;
  let kept = true;
  try {
    for (;;) {
      while (pages.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      if (pages.length === 0) throw failure!;
      const { text, last } = pages.shift()!;
      if (!last) worker.postMessage(1);
      const whole: ReplayedEvent[][] = [];
      let stream = current?.[0]?.stream ?? '';
      for (const [name, revision, type, data, meta] of JSON.parse(text) as WireRow[]) {
        if (name !== null) {
          if (current && kept) whole.push(current);
          stream = name;
          const first = { stream, revision, type, data, meta };
          kept = !keep || keep(first);
          current = [first];
        } else if (kept) current!.push({ stream, revision, type, data, meta });
      }
      // The last page hands over the stream it ends with too.
      if (last && current && kept) whole.push(current);
      if (whole.length > 0) yield whole;
      if (last) return;
    }
  } finally {
    worker.postMessage('stop');
    void worker.terminate();
  }
}
