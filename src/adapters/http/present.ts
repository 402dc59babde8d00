import type { DocumentView } from '../../application/ports/read-models.js';

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
  recipientsMayEdit: d.recipientsMayEdit,
  acknowledgement: d.acknowledgement,
  depositedAt: d.depositedAt,
  updatedAt: d.updatedAt,
});
