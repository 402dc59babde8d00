import { err, ok, type Result } from 'neverthrow';
import type { EventStore, RecordedEvent, StoreError } from './ports/event-store.js';
import type { BatchWriter, ReadModels } from './ports/read-models.js';
import { upcast } from './upcasters.js';

const BATCH = 500;
/** A rebuild commits less often: each commit writes every page it touched, and a rebuild touches them all. */
const REBUILD_BATCH = 5000;
/** A catch-up's batch size from which the rest of its backlog goes to a writer thread. */
const HAND_OVER_AT = 2000;
/** Jobs handed to a writer thread and not done yet: what it holds in memory beyond the page being read. */
const IN_FLIGHT = 4;

/**
 * Events read and handed to a writer thread at a time: what this thread holds of them dies
 * young (ADR 28's 1 MiB young generation); pages of 5,000 were promoted and collected again (a
 * third of this thread's time).
 */
const REBUILD_PAGE = 250;

const tenantsOf = (events: readonly RecordedEvent[]): Set<string> => new Set(events.map((e) => e.meta.tenant));

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

const STOPPED: StoreError = { code: 'STORE_UNAVAILABLE', message: 'the projector has stopped (the service is shutting down)' };

/**
 * Feeds the read models from the event log, one batch a transaction, checkpoint included. Callers
 * share one run at a time: a command awaits `catchUp()` after its append, which is how a 2xx answer
 * guarantees the caller's next query sees its effect (read-your-writes).
 */
export class Projector {
  private running: Promise<Result<bigint, StoreError>> | undefined;
  private stopped = false;
  private queued: Promise<Result<bigint, StoreError>> | undefined;
  private readonly listeners = new Set<(checkpoint: bigint, tenants: ReadonlySet<string>) => void>();

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModels,
  ) {}

  /**
   * Called after each batch this projector applies, whoever asked for it (a command, the poll, a
   * subscription to the store), with the checkpoint reached and the tenants whose events it held:
   * live readers wait for this instead of asking the log again and again. A listener that throws
   * is dropped; the projection goes on.
   */
  onProjected(listener: (checkpoint: bigint, tenants: ReadonlySet<string>) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /**
   * No run starts after this, and it resolves once the one in progress (or about to start, a turn
   * of the event loop away) is over: the stores can then close under no projection.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.settled();
  }

  /** Until no run is in progress or queued. */
  private async settled(): Promise<void> {
    while (this.running || this.queued) await (this.queued ?? this.running);
  }

  catchUp(): Promise<Result<bigint, StoreError>> {
    if (this.stopped) return Promise.resolve(err(STOPPED));
    if (!this.running) {
      // One turn of the event loop first: the commands whose appends land meanwhile (concurrent
      // requests) are projected in the same transaction, one commit for all of them instead of one
      // each (5 % more deposits a second under 10 connections, ADR 31).
      this.running = nextTurn().then(() => this.run()).finally(() => {
        this.running = undefined;
      });
      return this.running;
    }
    // The run in progress may have read the log before the caller's append: everyone who arrives
    // meanwhile shares the one run that starts after it.
    this.queued ??= this.running.then(() => {
      this.queued = undefined;
      return this.catchUp();
    });
    return this.queued;
  }

  /** A run never rejects (callers start it unawaited, from a poll or a subscription): what throws is an error value. */
  private run(onApplied?: (applied: number) => void, size = BATCH, appliedBefore = 0, handOver = true): Promise<Result<bigint, StoreError>> {
    return this.guarded(() => this.batches(onApplied, size, appliedBefore, handOver));
  }

  private async guarded(work: () => Promise<Result<bigint, StoreError>>): Promise<Result<bigint, StoreError>> {
    try {
      return await work();
    } catch (e) {
      return err({ code: 'STORE_UNAVAILABLE', message: `the read models: ${(e as Error).message}` });
    }
  }

  /** Tells the listeners a batch is committed. */
  private announce(tenants: ReadonlySet<string>): void {
    if (this.listeners.size === 0) return;
    const reached = this.readModels.checkpoint();
    // A reader's trouble is its own: the batch is committed whatever a listener does.
    for (const listener of this.listeners) {
      try {
        listener(reached, tenants);
      } catch {
        this.listeners.delete(listener);
      }
    }
  }

  private async batches(onApplied: ((applied: number) => void) | undefined, size: number, applied: number, handOver: boolean): Promise<Result<bigint, StoreError>> {
    for (;;) {
      if (this.stopped) return err(STOPPED);
      const after = this.readModels.checkpoint();
      const batch = await this.events.readAll({ after, limit: size });
      if (batch.isErr()) return batch.map(() => after);
      if (batch.value.length > 0) {
        this.readModels.apply(batch.value.map(upcast));
        this.announce(tenantsOf(batch.value));
      }
      applied += batch.value.length;
      onApplied?.(applied);
      if (batch.value.length < size) return ok(this.readModels.checkpoint());
      // A backlog (a rollover's carries, a node that was down): larger transactions, each commit
      // writing the pages it touched once for more events, up to a rebuild's; and a turn of the
      // event loop between them, so that a server catching up keeps answering meanwhile.
      size = Math.min(size * 2, REBUILD_BATCH);
      // Still behind with 1,500 events projected here (500 + 1,000): the rest goes to a writer
      // thread, as a rebuild does (ADR 32). This thread then reads a page at a time, so a server
      // catching up answers between pages (timer lag p99 17-21 ms, at most 90 ms, while 100,000
      // events were caught up, against 490-580 ms with transactions growing to 5,000 here; and
      // done in 5.8-6.4 s instead of 7.3-8.3 s).
      if (handOver && size >= HAND_OVER_AT && this.readModels.writerThread) return this.handedOver(onApplied, applied);
      await nextTurn();
    }
  }

  /**
   * A rebuild or a backlog handed to a writer on another thread (ADR 32): this one reads and opens
   * the log a page at a time meanwhile, and the writer commits every `REBUILD_BATCH` events, up to
   * `IN_FLIGHT` jobs ahead (a rebuild's reset first, whose half a second is spent reading ahead);
   * more would only hold more in memory. Says whether the writer emptied the read models and how
   * many events were applied by then: a writer that fails stops there, and what it did not do is
   * left to the caller, from the checkpoint it reached.
   */
  private async pipelined(
    writer: BatchWriter,
    onApplied: ((applied: number) => void) | undefined,
    from: { readonly after: bigint; readonly reset: boolean; readonly applied: number },
  ): Promise<Result<{ reset: boolean; applied: number }, StoreError>> {
    let after = from.after;
    let reset = false;
    let applied = from.applied;
    let failed = false;
    const inFlight: Promise<void>[] = from.reset
      ? [
          writer.reset().then(
            () => void (reset = true),
            () => void (failed = true),
          ),
        ]
      : [];
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
            onApplied?.(applied);
            this.announce(of);
          },
          () => void (failed = true),
        ),
      );
    };
    for (let last = false; !last && !this.stopped && !failed; ) {
      const page = await this.events.readAll({ after, limit: REBUILD_PAGE });
      if (page.isErr()) {
        await drained();
        return err(page.error);
      }
      const events = page.value.map(upcast);
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
      // here a server catching up answered nothing for 20 pages at a time (200 ms).
      await nextTurn();
    }
    return ok(await drained());
  }

  /** The writer's share, from where it starts, its thread let go of whatever happens. */
  private async withWriter(
    use: 'rebuild' | 'backlog',
    onApplied: ((applied: number) => void) | undefined,
    from: { readonly after: bigint; readonly reset: boolean; readonly applied: number },
  ): Promise<Result<{ reset: boolean; applied: number }, StoreError>> {
    const writer = this.readModels.writerThread?.(use);
    if (!writer) return ok({ reset: false, applied: from.applied });
    try {
      return await this.pipelined(writer, onApplied, from);
    } finally {
      await writer.close();
    }
  }

  private async rebuildRun(onApplied: (applied: number) => void): Promise<Result<bigint, StoreError>> {
    const done = await this.withWriter('rebuild', onApplied, { after: 0n, reset: true, applied: 0 });
    if (done.isErr()) return err(done.error);
    // On this thread: everything, without a writer; what a failed writer did not do, again from
    // the checkpoint it reached (its commits are whole); what came in meanwhile.
    if (!done.value.reset) this.readModels.reset();
    return this.run(onApplied, REBUILD_BATCH, done.value.applied, false);
  }

  /** A long backlog's rest, on the writer thread; then on this one whatever it left (nothing, or what came in meanwhile). */
  private async handedOver(onApplied: ((applied: number) => void) | undefined, applied: number): Promise<Result<bigint, StoreError>> {
    const done = await this.withWriter('backlog', onApplied, { after: this.readModels.checkpoint(), reset: false, applied });
    if (done.isErr()) return err(done.error);
    return this.batches(onApplied, REBUILD_BATCH, done.value.applied, false);
  }

  /** Drops the read models and projects the whole log again, saying how far it got as it goes. */
  async rebuild(onProgress?: (p: { applied: number; total: number | null }) => void): Promise<Result<bigint, StoreError>> {
    await this.settled();
    if (this.stopped) return err(STOPPED);
    const total = this.events.count ? await this.events.count() : null;
    this.readModels.rebuilding?.(true);
    const run = this.guarded(() => this.rebuildRun((applied) => onProgress?.({ applied, total }))).finally(() => this.readModels.rebuilding?.(false));
    this.running = run.finally(() => {
      this.running = undefined;
    });
    return run;
  }
}
