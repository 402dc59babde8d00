import type Database from 'better-sqlite3';
import { createRequire } from 'node:module';
import { setImmediate } from 'node:timers/promises';
import type { ReplayedEvent } from '../../application/ports/event-store.js';
import { pageReader, type Page, type PrefixFilter } from './prefix-page-reader.js';
import type { PrefixScanWork } from './prefix-scan-worker.js';
import { readThrough } from './read-through.js';
import { siblingModule, startWorker } from './worker-module.js';

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

type Filter = PrefixFilter;
type WireRow = [string | null, number, string, unknown, ReplayedEvent['meta']];

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
  // A young generation as small as the main thread's (ADR 28): V8's default held more for no
  // speed (figures in docs/performance.md).
  const workerData: PrefixScanWork = { driver, file, prefix, upper, page: PAGE, ahead: AHEAD, filter };
  const worker = startWorker(siblingModule(import.meta.url, 'prefix-scan-worker'), { resourceLimits: { maxYoungGenerationSizeMb: 2 }, workerData });
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
  const next = pageReader(db, prefix, upper, PAGE, filter);
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
