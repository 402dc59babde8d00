import type { DocumentView } from '../../application/ports/read-models.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';

/** The contract's document shape: what other services rely on, nothing internal. */
export const presentDocument = (d: DocumentView) => ({
  id: d.id,
  year: d.year,
  title: d.title,
  fileName: d.fileName,
  mediaType: d.mediaType,
  sizeBytes: d.sizeBytes,
  sha256: d.sha256,
  version: d.version,
  categoryId: d.categoryId,
  memo: d.memo,
  depositorId: d.depositorId,
  recipients: d.recipients,
  depositedAt: d.depositedAt,
  updatedAt: d.updatedAt,
});

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
