import { err, ok, type Result } from 'neverthrow';
import type { RecordedEvent, StoreError } from '../../application/ports/event-store.js';
import type { LogPages } from '../../application/ports/read-models.js';

/** A rebuild commits every 5,000 events: each commit writes every page it touched, and a rebuild touches them all. */
const REBUILD_BATCH = 5000;
/** Commits asked of the writer thread and not done yet: what it holds in memory beyond the page being read. */
const IN_FLIGHT = 4;
/**
 * Events read and handed to the writer thread at a time: what this thread holds of them dies
 * young (ADR 28's 1 MiB young generation); pages of 5,000 were promoted and collected again.
 */
const REBUILD_PAGE = 250;

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));
const tenantsOf = (events: readonly RecordedEvent[]): Set<string> => new Set(events.map((e) => e.meta.tenant));

/**
 * Applies a rebuild on another thread, in the order given: events are handed over in small pieces
 * (`stage`), and each `commit` applies what came since the last one in one transaction with its
 * checkpoint. Its promise settles once that is committed, or rejects if it was not (nor is
 * anything after it).
 */
export interface BatchWriter {
  /** Empties the read models: asked before anything is staged. */
  reset(): Promise<void>;
  stage(events: readonly RecordedEvent[]): void;
  commit(): Promise<void>;
  /** Resolves once the writer has let go of the file: nothing it holds is open after. */
  close(): Promise<void>;
}

/** What a rebuild needs of the SQLite read models, looked up when it runs (a test may replace a part). */
export type Rebuildable = {
  checkpoint(): bigint;
  apply(events: readonly RecordedEvent[]): void;
  reset(): void;
  /** A rebuild starts (true) or ends (false): a bigger page cache, indexes and checkpoints put off. */
  rebuilding(on: boolean): void;
  /** A writer on another thread; none for a database in memory, which no other connection can open. */
  writerThread?: (() => BatchWriter) | undefined;
};

type Committed = (applied: number, tenants: ReadonlySet<string>) => void;

/**
 * The rebuild (ADR 32): a writer thread applies while this thread reads and opens the next pages,
 * which is most of a rebuild's work, on the other core. What the writer could not do (no writer,
 * one that failed, even to empty the read models) is done here, from the checkpoint it reached:
 * its commits are whole.
 */
export const rebuildReadModels = async (target: Rebuildable, read: LogPages, committed: Committed): Promise<Result<number, StoreError>> => {
  target.rebuilding(true);
  try {
    let reset = false;
    let applied = 0;
    const writer = target.writerThread?.();
    if (writer) {
      try {
        const done = await pipelined(writer, read, committed);
        if (done.isErr()) return err(done.error);
        ({ reset, applied } = done.value);
      } finally {
        await writer.close();
      }
    }
    if (!reset) target.reset();
    for (;;) {
      const page = await read(target.checkpoint(), REBUILD_BATCH);
      if (page.isErr()) return err(page.error);
      if (page.value.length > 0) {
        target.apply(page.value);
        applied += page.value.length;
        committed(applied, tenantsOf(page.value));
      }
      if (page.value.length < REBUILD_BATCH) return ok(applied);
      await nextTurn();
    }
  } finally {
    target.rebuilding(false);
  }
};

/**
 * Reads the log a page at a time and stages it on the writer, which commits every
 * `REBUILD_BATCH` events, up to `IN_FLIGHT` commits ahead (the reset first, whose half a second is
 * spent reading ahead); more would only hold more in memory. Says whether the writer emptied the
 * read models and how many events it had applied when it stopped: at the end of the log, or at
 * its first failure.
 */
const pipelined = async (writer: BatchWriter, read: LogPages, committed: Committed): Promise<Result<{ reset: boolean; applied: number }, StoreError>> => {
  let after = 0n;
  let reset = false;
  let applied = 0;
  let failed = false;
  const inFlight: Promise<void>[] = [
    writer.reset().then(
      () => void (reset = true),
      () => void (failed = true),
    ),
  ];
  const drained = async () => {
    await Promise.all(inFlight);
    return { reset, applied };
  };
  // What is staged and not committed yet: how many events, of which tenants.
  let staged = 0;
  let tenants = new Set<string>();
  const commit = () => {
    const count = staged;
    const of = tenants;
    staged = 0;
    tenants = new Set();
    inFlight.push(
      writer.commit().then(
        () => {
          applied += count;
          committed(applied, of);
        },
        () => void (failed = true),
      ),
    );
  };
  for (let last = false; !last && !failed; ) {
    const page = await read(after, REBUILD_PAGE);
    if (page.isErr()) {
      await drained();
      return err(page.error);
    }
    const events = page.value;
    last = events.length < REBUILD_PAGE;
    if (events.length > 0) {
      after = events[events.length - 1]!.position;
      writer.stage(events);
      staged += events.length;
      for (const e of events) tenants.add(e.meta.tenant);
    }
    if (staged >= REBUILD_BATCH || (last && staged > 0)) commit();
    while (inFlight.length >= IN_FLIGHT) await inFlight.shift();
    // Reading and opening a page settles in microtasks only: without a turn of the event loop
    // here a server rebuilding answered nothing for 20 pages at a time.
    await nextTurn();
  }
  return ok(await drained());
};
