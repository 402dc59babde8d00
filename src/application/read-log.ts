import type { EventStore, ReadAllOptions, RecordedEvent, StoreError } from './ports/event-store.js';

const PAGE = 5000;

/** Thrown out of `readLog` when the store fails; callers turn it back into a value at their edge. */
export class LogUnavailable extends Error {
  constructor(readonly storeError: StoreError) {
    super(storeError.code === 'STORE_UNAVAILABLE' ? storeError.message : storeError.code);
  }
}

/** The log in order, page after page, one event at a time: what every replay walks. */
export async function* readLog(events: EventStore, options: Omit<ReadAllOptions, 'limit'> = {}): AsyncGenerator<RecordedEvent, void, undefined> {
  let after = options.after;
  for (;;) {
    const page = await events.readAll({ ...options, after, limit: PAGE });
    if (page.isErr()) throw new LogUnavailable(page.error);
    yield* page.value;
    if (page.value.length < PAGE) return;
    after = page.value[page.value.length - 1]!.position;
  }
}

/** Who removed which document from their own locker, from `DocumentRemovedFromLocker` events. */
export const noteRemoval = (removals: Map<string, Set<string>>, event: RecordedEvent): void => {
  const data = event.data as { documentId?: string; userId?: string };
  if (event.type !== 'DocumentRemovedFromLocker' || !data.documentId || !data.userId) return;
  const set = removals.get(data.documentId) ?? new Set<string>();
  set.add(data.userId);
  removals.set(data.documentId, set);
};
