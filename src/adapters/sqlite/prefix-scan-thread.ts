import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { setImmediate } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import type { ReadByPrefixOptions, ReplayedEvent } from '../../application/ports/event-store.js';
import { readThrough } from './read-through.js';

/** Pages the thread reads ahead of the replay: enough to keep both threads busy, few enough to keep memory flat. */
const AHEAD = 4;
/**
 * Rows a page: what a replay holds while it folds a page stays within V8's young generation
 * (1 MiB with the server's flags, ADR 28). Pages of 1,000 events parsed at once were promoted whole
 * and collected again by the old generation: 2.5 s of GC at a million events.
 */
const PAGE = 100;
/** How long a scan on the caller's thread holds the event loop before it lets other work in. */
const GIVE_WAY_MS = 20;

type Filter = NonNullable<ReadByPrefixOptions['startingWith']>;

/**
 * The one page reader, as source text: the worker evaluates it, and so does the caller's thread
 * when it reads on its own (plain JavaScript, so it runs the same under tsx, vitest and the build).
 * It pages through the (stream, revision) index and turns each page into one JSON text with the
 * stored data and meta spliced in unparsed: the replay parses a page once and gets the events'
 * objects, and no string per column is made (or crosses between threads). A row is [the stream's
 * name on its first row or null, revision, type, data, meta]. A stream starts at revision 0 (one
 * that would not, and none does, is named by a lookup); SQLite tells whether its first event
 * matches the filter, and the rows of one that does not are left out unread by JavaScript. Each
 * page is read whole before it is handed over, so the caller may append between pages on the
 * same connection.
 */
const PAGE_READER = `(function pageReader(db, prefix, upper, size, filter) {
  const page = db.prepare("SELECT position, CASE WHEN revision = 0 THEN stream END, revision, type, data, meta, CASE WHEN revision = 0 AND @types IS NOT NULL THEN type IN (SELECT value FROM json_each(@types)) AND json_extract(data, @path) IS @equals END FROM events WHERE (stream, revision) > (@stream, @revision) AND stream < @upper ORDER BY stream, revision LIMIT @size").raw(true);
  const nameAt = db.prepare('SELECT stream FROM events WHERE position = ?').pluck();
  const asked = filter ? { types: JSON.stringify(filter.types), path: '$.' + filter.field, equals: filter.equals } : { types: null, path: null, equals: null };
  let after = [prefix, -1];
  let current = null;
  let keeping = true;
  let lastRevision = -2;
  let finished = false;
  return () => {
    if (finished) return null;
    const rows = page.all({ ...asked, stream: after[0], revision: after[1], upper, size });
    let text = '[';
    for (let i = 0; i < rows.length; i++) {
      const [position, named, revision, type, data, meta, matches] = rows[i];
      let name = null;
      if (named !== null || current === null || revision !== lastRevision + 1) {
        name = current = named === null ? nameAt.get(position) : named;
        keeping = !filter || matches === 1;
      }
      lastRevision = revision;
      if (!keeping) continue;
      text += (text.length === 1 ? '[' : ',[') + JSON.stringify(name) + ',' + revision + ',' + JSON.stringify(type) + ',' + data + ',' + meta + ']';
    }
    if (rows.length < size) finished = true;
    else after = [current, rows[rows.length - 1][2]];
    return { text: text + ']', last: finished };
  };
})`;

// The worker: its own read-only connection, `AHEAD` pages ahead of the replay, one more for each
// page the replay takes.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
const db = new Database(workerData.file, { readonly: true, fileMustExist: true });
db.pragma('busy_timeout = 5000');
const next = ${PAGE_READER}(db, workerData.prefix, workerData.upper, workerData.page, workerData.filter);
let credits = workerData.ahead;
const pump = () => {
  for (let page; credits > 0 && (page = next()); credits--) parentPort.postMessage(page);
};
parentPort.on('message', (m) => {
  if (m === 'stop') { if (db.open) db.close(); parentPort.close(); return; }
  credits += 1;
  pump();
});
pump();
`;

type Page = { readonly text: string; readonly last: boolean };
type WireRow = [string | null, number, string, unknown, ReplayedEvent['meta']];
type PageReader = (db: Database.Database, prefix: string, upper: string, size: number, filter: Filter | undefined) => () => Page | null;

const localPageReader = new Function(`return ${PAGE_READER}`)() as PageReader;

/** Whole streams, a page at a time; a stream a page cuts waits for the next, the last page hands over the one it ends with. */
async function* streamsOf(pages: AsyncIterable<Page>): AsyncGenerator<ReplayedEvent[][]> {
  let current: ReplayedEvent[] | undefined;
  for await (const { text, last } of pages) {
    const whole: ReplayedEvent[][] = [];
    let stream = current?.[0]?.stream ?? '';
    for (const [name, revision, type, data, meta] of JSON.parse(text) as WireRow[]) {
      if (name !== null) {
        if (current) whole.push(current);
        stream = name;
        current = [];
      }
      current!.push({ stream, revision, type, data, meta });
    }
    if (last && current) whole.push(current);
    if (whole.length > 0) yield whole;
    if (last) return;
  }
}

/** Pages read on a worker thread; it stops when the reader does (a `return` or a throw in its loop) or at the end. */
async function* pagesInThread(file: string, prefix: string, upper: string, filter: Filter | undefined, options: PrefixScanOptions): AsyncGenerator<Page> {
  const driver = options.driver ?? createRequire(import.meta.url).resolve('better-sqlite3');
  // A young generation as small as the main thread's (ADR 28): with V8's default and 250-row
  // pages, a million-event rollover peaked 60 MiB higher for no speed.
  const worker = new Worker(WORKER_SOURCE, {
    eval: true,
    resourceLimits: { maxYoungGenerationSizeMb: 2 },
    workerData: { driver, file, prefix, upper, page: PAGE, ahead: AHEAD, filter },
  });
  const pages: Page[] = [];
  let failure: Error | undefined;
  let wake: (() => void) | undefined;
  worker.on('message', (m: Page) => (pages.push(m), wake?.()));
  worker.on('error', (e) => ((failure = e), wake?.()));
  // Whatever the exit code, a thread that is gone before its last page failed the scan.
  worker.on('exit', (code) => {
    failure ??= new Error(`the scan thread stopped before the end (exit ${code})`);
    wake?.();
  });
  try {
    for (;;) {
      while (pages.length === 0 && !failure) await new Promise<void>((resolve) => (wake = resolve));
      const page = pages.shift();
      if (!page) throw failure!;
      if (!page.last) worker.postMessage(1);
      yield page;
      if (page.last) return;
    }
  } finally {
    worker.postMessage('stop');
    void worker.terminate();
  }
}

/**
 * Pages read on the caller's thread. Reading and a replay's fold are synchronous or microtasks:
 * without a turn of the event loop now and then, a rollover started over HTTP would hold the
 * server for its whole length (seconds at a million events). One turn every 20 ms.
 */
async function* pagesHere(db: Database.Database, prefix: string, upper: string, filter: Filter | undefined): AsyncGenerator<Page> {
  const next = localPageReader(db, prefix, upper, PAGE, filter);
  let since = performance.now();
  for (let page = next(); page; page = next()) {
    yield page;
    if (performance.now() - since > GIVE_WAY_MS) {
      await setImmediate();
      since = performance.now();
    }
  }
}

export type PrefixScanOptions = { readonly driver?: string };

/** Logs up to this size are read through in file order beside a scan (see `readThrough`). */
export const READ_THROUGH_MAX_BYTES = 4 * 1024 ** 3;

/**
 * A scan by prefix (ADR 30): on a worker thread, so that the SQLite reads (a third of a rollover
 * at a million events) run beside the replay that folds them, or on the caller's connection when
 * `thread` is false or the thread fails before its first batch.
 */
export async function* scanByPrefix(
  db: Database.Database,
  file: string,
  prefix: string,
  filter: Filter | undefined,
  thread: PrefixScanOptions | false,
  readThroughMaxBytes = READ_THROUGH_MAX_BYTES,
): AsyncGenerator<ReplayedEvent[][]> {
  let done = false;
  if (file !== ':memory:' && readThroughMaxBytes > 0) void readThrough([file, `${file}-wal`], readThroughMaxBytes, () => done);
  try {
    yield* scanned(db, file, prefix, filter, thread);
  } finally {
    done = true;
  }
}

async function* scanned(db: Database.Database, file: string, prefix: string, filter: Filter | undefined, thread: PrefixScanOptions | false): AsyncGenerator<ReplayedEvent[][]> {
  const upper = prefix.slice(0, -1) + String.fromCharCode(prefix.charCodeAt(prefix.length - 1) + 1);
  if (thread !== false && file !== ':memory:') {
    let started = false;
    try {
      for await (const batch of streamsOf(pagesInThread(file, prefix, upper, filter, thread))) {
        started = true;
        yield batch;
      }
      return;
    } catch (e) {
      if (started) throw e;
    }
  }
  yield* streamsOf(pagesHere(db, prefix, upper, filter));
}
