import type { EventStore, ReplayedEvent } from '../../application/ports/event-store.js';
import { documentStreamPrefix, YEAR_START } from '../../application/streams.js';

/** Events read at a time while looking for the documents' first events. */
const PAGE = 1000;
/** Streams read whole, together, and handed over as one batch. */
const STREAMS_AT_ONCE = 50;

/**
 * `readDocumentsOfYear` for a store that does not keep a stream's events together (EventStoreDB):
 * the school's log is read once for the starts of documents (deposits and carries) of that year,
 * then each document found is read whole, a batch at a time. A store that fails throws, as an
 * iterator does.
 */
export const documentsOfYearFromLog =
  (store: Pick<EventStore, 'readAll' | 'readStream'>) =>
  async function* (tenant: string, year: string): AsyncGenerator<ReplayedEvent[][]> {
    const prefix = documentStreamPrefix(tenant);
    const found: string[] = [];
    for (let after: bigint | undefined; ; ) {
      const page = await store.readAll({ tenant, after, limit: PAGE, types: YEAR_START.types });
      if (page.isErr()) throw new Error(`${page.error.code}${'message' in page.error ? `: ${page.error.message}` : ''}`);
      for (const e of page.value) {
        if (e.revision === 0 && e.stream.startsWith(prefix) && (e.data as Record<string, unknown>)[YEAR_START.field] === year) found.push(e.stream);
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
