import { err, ok, type Result } from 'neverthrow';
import type { EventStore, RecordedEvent, StoreError } from './ports/event-store.js';
import type { LogPages, ReadModels } from './ports/read-models.js';
import { upcast } from './upcasters.js';

const BATCH = 500;

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
      // each (ADR 31).
      this.running = nextTurn().then(() => this.guarded(() => this.batches())).finally(() => {
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

  /** Drops the read models and projects the whole log again, saying how far it got as it goes. */
  async rebuild(onProgress?: (p: { applied: number }) => void): Promise<Result<bigint, StoreError>> {
    await this.settled();
    if (this.stopped) return err(STOPPED);
    const progress = (applied: number) => onProgress?.({ applied });
    const run = this.guarded(async () => {
      const rebuilt = await this.readModels.rebuild(this.read, (applied, tenants) => {
        progress(applied);
        this.announce(tenants);
      });
      if (rebuilt.isErr()) return err(rebuilt.error);
      // What was appended while the rebuild ran.
      return this.batches(rebuilt.value, progress);
    });
    this.running = run.finally(() => {
      this.running = undefined;
    });
    return run;
  }

  /** A page of the log, upcast; none once stopped. */
  private readonly read: LogPages = async (after, limit) => {
    if (this.stopped) return err(STOPPED);
    return (await this.events.readAll({ after, limit })).map((events) => events.map(upcast));
  };

  /** The catch-up loop: a batch a transaction until the log has no more. */
  private async batches(applied = 0, onApplied?: (applied: number) => void): Promise<Result<bigint, StoreError>> {
    for (;;) {
      const batch = await this.read(this.readModels.checkpoint(), BATCH);
      if (batch.isErr()) return err(batch.error);
      if (batch.value.length > 0) {
        this.readModels.apply(batch.value);
        this.announce(tenantsOf(batch.value));
        applied += batch.value.length;
        onApplied?.(applied);
      }
      if (batch.value.length < BATCH) return ok(this.readModels.checkpoint());
      // A backlog (a rollover's carries, a node that was down): a turn of the event loop between
      // batches, so that a server catching up keeps answering meanwhile.
      await nextTurn();
    }
  }

  /** A run never rejects (callers start it unawaited, from a poll or a subscription): what throws is an error value. */
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
}
