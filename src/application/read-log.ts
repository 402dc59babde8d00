import { err, ok, ResultAsync, type Result } from 'neverthrow';
import type { EventStore, ReadAllOptions, RecordedEvent, StoreError } from './ports/event-store.js';

const PAGE = 5000;

/** What a visitor of the log answers: go on, or stop here (a page is full, a budget is spent). */
export type Visit = void | 'stop';

/**
 * The log in order, page after page, one event at a time: what every replay walks (audit, the
 * rollover, export, verify). A failing store ends the walk as a value, never as an exception.
 */
export const scanLog = (
  events: Pick<EventStore, 'readAll'>,
  options: Omit<ReadAllOptions, 'limit'>,
  visit: (event: RecordedEvent) => Visit | Promise<Visit>,
): ResultAsync<{ stopped: boolean }, StoreError> => {
  const walk = async (): Promise<Result<{ stopped: boolean }, StoreError>> => {
    let after = options.after;
    for (;;) {
      const page = await events.readAll({ ...options, after, limit: PAGE });
      if (page.isErr()) return err(page.error);
      for (const event of page.value) if ((await visit(event)) === 'stop') return ok({ stopped: true });
      if (page.value.length < PAGE) return ok({ stopped: false });
      after = page.value[page.value.length - 1]!.position;
    }
  };
  return new ResultAsync(walk());
};

/** The locker events that say who has removed which document from their own locker, in log order. */
export const TIDYING_TYPES = ['DocumentRemovedFromLocker', 'DocumentRestoredToLocker'];

/** Who has removed which document from their own locker (and not restored it since). */
export const noteRemoval = (removals: Map<string, Set<string>>, event: RecordedEvent): void => {
  const data = event.data as { documentId?: string; userId?: string };
  if (!TIDYING_TYPES.includes(event.type) || !data.documentId || !data.userId) return;
  const set = removals.get(data.documentId) ?? new Set<string>();
  if (event.type === 'DocumentRemovedFromLocker') set.add(data.userId);
  else set.delete(data.userId);
  removals.set(data.documentId, set);
};
