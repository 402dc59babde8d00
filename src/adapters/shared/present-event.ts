import type { RecordedEvent } from '../../application/ports/event-store.js';

/** An event as auditors and exports see it: as stored, with its place in the log and its chain. */
export const presentEvent = (e: RecordedEvent) => ({
  position: String(e.position),
  id: e.id,
  stream: e.stream,
  revision: e.revision,
  type: e.type,
  data: e.data,
  actor: e.meta.actor,
  at: e.meta.at,
  tenant: e.meta.tenant,
  schemaVersion: e.meta.schemaVersion,
  prevHash: e.prevHash,
  hash: e.hash,
});
