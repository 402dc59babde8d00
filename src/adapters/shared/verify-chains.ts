import type { EventStore, RecordedEvent } from '../../application/ports/event-store.js';
import { ok, type Result } from 'neverthrow';
import type { StoreError } from '../../application/ports/event-store.js';
import { scanLog } from '../../application/read-log.js';
import { canonicalJson, chainHashOfCanonical, GENESIS_HASH } from './event-chain.js';

/** A stored event as text: data and meta exactly as on disk. */
export type RawEvent = {
  position: string;
  id: string;
  stream: string;
  revision: number;
  type: string;
  dataJson: string;
  metaJson: string;
  prevHash: string;
  hash: string;
};

/** A store that can hand its rows over as stored text (SQLite), which spares parsing them. */
type RawScanning = { scanRaw(tenant?: string): Iterable<RawEvent> };
const canScanRaw = (store: unknown): store is RawScanning => typeof (store as RawScanning).scanRaw === 'function';

export type BrokenEvent = { position: string; stream: string; revision: number; id: string; type: string; reason: string };
export type VerifyReport = { eventsChecked: number; streams: number; broken: BrokenEvent | null };

const PROGRESS_EVERY = 5000;

/**
 * Recomputes every stream's hash chain from the stored events, in log order, and names the first
 * event that does not match: its content changed, an event before it vanished, or the order did.
 * Memory holds one hash per stream, not the history.
 */
export const verifyChains = async (
  events: EventStore,
  options: { tenant?: string | undefined; onProgress?: (checked: number) => void } = {},
): Promise<Result<VerifyReport, StoreError>> => {
  const last = new Map<string, { revision: number; hash: string }>();
  let eventsChecked = 0;
  const visit = (event: RawEvent): VerifyReport | undefined => {
    const broken = check(event, last.get(event.stream));
    if (broken) return { eventsChecked, streams: last.size, broken };
    last.set(event.stream, { revision: event.revision, hash: event.hash });
    eventsChecked += 1;
    if (eventsChecked % PROGRESS_EVERY === 0) options.onProgress?.(eventsChecked);
    return undefined;
  };
  if (canScanRaw(events)) {
    for (const event of events.scanRaw(options.tenant)) {
      const stop = visit(event);
      if (stop) return ok(stop);
    }
    options.onProgress?.(eventsChecked);
    return ok({ eventsChecked, streams: last.size, broken: null });
  }
  let stopped: VerifyReport | undefined;
  const scanned = await scanLog(events, { tenant: options.tenant }, (event) => {
    stopped = visit(toRaw(event));
    return stopped ? 'stop' : undefined;
  });
  options.onProgress?.(eventsChecked);
  return scanned.map(() => stopped ?? { eventsChecked, streams: last.size, broken: null });
};

const toRaw = (e: RecordedEvent): RawEvent => ({
  position: String(e.position),
  id: e.id,
  stream: e.stream,
  revision: e.revision,
  type: e.type,
  dataJson: canonicalJson(e.data),
  metaJson: canonicalJson(e.meta),
  prevHash: e.prevHash,
  hash: e.hash,
});

const check = (event: RawEvent, previous: { revision: number; hash: string } | undefined): BrokenEvent | null => {
  const at = { position: event.position, stream: event.stream, revision: event.revision, id: event.id, type: event.type };
  const expectedRevision = previous ? previous.revision + 1 : 0;
  if (event.revision !== expectedRevision) return { ...at, reason: `revision ${event.revision} follows ${expectedRevision - 1}: an event is missing or out of order` };
  const expectedPrev = previous?.hash ?? GENESIS_HASH;
  if (event.prevHash !== expectedPrev) return { ...at, reason: 'its previous-hash does not match the event before it' };
  const recomputed = chainHashOfCanonical(expectedPrev, event.stream, event.revision, event.id, event.type, event.dataJson, event.metaJson);
  if (recomputed !== event.hash) return { ...at, reason: 'its content does not match its hash: the stored event was changed' };
  return null;
};
