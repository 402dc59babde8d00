import type { EventStore, ReadByPrefixOptions, ReplayedEvent } from '../../application/ports/event-store.js';

/** Events read at a time while looking for the streams' first events. */
const PAGE = 1000;
/** Streams read whole, together, and handed over as one batch. */
const STREAMS_AT_ONCE = 50;

/**
 * `readStreamsByPrefix` for a store that does not keep a stream's events together (EventStoreDB):
 * the tenant's log (a prefix starts with `<tenant>:`) is read once for the first events of the
 * streams asked for, only of the types `startingWith` names where it names some, then each stream
 * found is read whole, a batch at a time. A store that fails throws, as an iterator does.
 */
export const streamsByPrefixFromLog =
  (store: Pick<EventStore, 'readAll' | 'readStream'>) =>
  async function* (prefix: string, options?: ReadByPrefixOptions): AsyncGenerator<ReplayedEvent[][]> {
    const tenant = prefix.slice(0, prefix.indexOf(':'));
    const start = options?.startingWith;
    const found: string[] = [];
    for (let after: bigint | undefined; ; ) {
      const page = await store.readAll({ tenant, after, limit: PAGE, ...(start ? { types: start.types } : {}) });
      if (page.isErr()) throw new Error(`${page.error.code}${'message' in page.error ? `: ${page.error.message}` : ''}`);
      for (const e of page.value) {
        if (e.revision !== 0 || !e.stream.startsWith(prefix)) continue;
        if (start && (e.data as Record<string, unknown>)[start.field] !== start.equals) continue;
        found.push(e.stream);
      }
      if (page.value.length < PAGE) break;
      after = page.value[page.value.length - 1]!.position;
    }
    for (let i = 0; i < found.length; i += STREAMS_AT_ONCE) {
      const batch: ReplayedEvent[][] = [];
      for (const read of await Promise.all(found.slice(i, i + STREAMS_AT_ONCE).map((stream) => store.readStream(stream)))) {
        if (read.isErr()) throw new Error(`${read.error.code}${'message' in read.error ? `: ${read.error.message}` : ''}`);
        batch.push(read.value);
      }
      yield batch;
    }
  };
