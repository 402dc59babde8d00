import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import { chainHash, GENESIS_HASH } from './event-chain.js';

export type BrokenEvent = { position: string; stream: string; revision: number; id: string; type: string; reason: string };
export type VerifyReport = { eventsChecked: number; streams: number; broken: BrokenEvent | null };

const BATCH = 5000;

/**
 * Recomputes every stream's hash chain from the stored events, in log order, and names the first
 * event that does not match: its content changed, an event before it vanished, or the order did.
 * Memory holds one hash per stream, not the history.
 */
export const verifyChains = async (
  events: EventStore,
  options: { tenant?: string | undefined; onProgress?: (checked: number) => void } = {},
): Promise<VerifyReport> => {
  const last = new Map<string, { revision: number; hash: string }>();
  let eventsChecked = 0;
  let after: bigint | undefined;
  for (;;) {
    const page = await events.readAll({ after, limit: BATCH, tenant: options.tenant });
    if (page.isErr()) throw new Error(`cannot read the event log: ${page.error.code === 'STORE_UNAVAILABLE' ? page.error.message : page.error.code}`);
    for (const event of page.value) {
      const broken = check(event, last.get(event.stream));
      if (broken) return { eventsChecked, streams: last.size, broken };
      last.set(event.stream, { revision: event.revision, hash: event.hash });
      eventsChecked += 1;
    }
    options.onProgress?.(eventsChecked);
    if (page.value.length < BATCH) return { eventsChecked, streams: last.size, broken: null };
    after = page.value[page.value.length - 1]!.position;
  }
};

const check = (event: RecordedEvent, previous: { revision: number; hash: string } | undefined): BrokenEvent | null => {
  const at = { position: String(event.position), stream: event.stream, revision: event.revision, id: event.id, type: event.type };
  const expectedRevision = previous ? previous.revision + 1 : 0;
  if (event.revision !== expectedRevision) return { ...at, reason: `revision ${event.revision} follows ${expectedRevision - 1}: an event is missing or out of order` };
  const expectedPrev = previous?.hash ?? GENESIS_HASH;
  if (event.prevHash !== expectedPrev) return { ...at, reason: 'its previous-hash does not match the event before it' };
  const recomputed = chainHash(expectedPrev, event.stream, event.revision, { id: event.id, type: event.type, data: event.data, meta: event.meta });
  if (recomputed !== event.hash) return { ...at, reason: 'its content does not match its hash: the stored event was changed' };
  return null;
};
