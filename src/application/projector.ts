import { ok, type Result } from 'neverthrow';
import type { EventStore, StoreError } from './ports/event-store.js';
import type { ReadModels } from './ports/read-models.js';
import { upcast } from './upcasters.js';

const BATCH = 500;

/**
 * Feeds the read models from the event log, one batch a transaction, checkpoint included. Callers
 * share one run at a time: a command awaits `catchUp()` after its append, which is how a 2xx answer
 * guarantees the caller's next query sees its effect (read-your-writes).
 */
export class Projector {
  private running: Promise<Result<bigint, StoreError>> | undefined;
  private queued: Promise<Result<bigint, StoreError>> | undefined;

  constructor(
    private readonly events: EventStore,
    private readonly readModels: ReadModels,
  ) {}

  catchUp(): Promise<Result<bigint, StoreError>> {
    if (!this.running) {
      this.running = this.run().finally(() => {
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

  private async run(): Promise<Result<bigint, StoreError>> {
    for (;;) {
      const after = this.readModels.checkpoint();
      const batch = await this.events.readAll({ after, limit: BATCH });
      if (batch.isErr()) return batch.map(() => after);
      if (batch.value.length > 0) this.readModels.apply(batch.value.map(upcast));
      if (batch.value.length < BATCH) return ok(this.readModels.checkpoint());
    }
  }

  async rebuild(): Promise<Result<bigint, StoreError>> {
    while (this.running || this.queued) await (this.queued ?? this.running);
    this.readModels.reset();
    return this.catchUp();
  }
}
