import { ResultAsync, type Result } from 'neverthrow';
import type { AppendResult, EventStore, StoreError, StreamAppend } from '../../application/ports/event-store.js';

/**
 * `appendMany` for a store that commits one stream at a time (EventStoreDB has no transaction across
 * streams): the appends one after another, each answering for itself, whatever the one before said.
 */
export const appendOneByOne =
  (append: EventStore['append']) =>
  (appends: readonly StreamAppend[]): ResultAsync<Result<AppendResult, StoreError>[], StoreError> =>
    ResultAsync.fromSafePromise(
      (async () => {
        const results: Result<AppendResult, StoreError>[] = [];
        for (const a of appends) results.push(await append(a.stream, a.events, a.expected));
        return results;
      })(),
    );
