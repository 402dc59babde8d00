import type Database from 'better-sqlite3';
import type { Page, PageRequest, QuarantinedView, RefusedUploadView, StoredVersion } from '../../application/ports/read-models.js';
import { before, pageOf } from './pages.js';

type VersionRow = { tenant: string; document_id: string; version: number; blob_key: string };
const stored = (r: VersionRow): StoredVersion => ({ tenant: r.tenant, documentId: r.document_id, version: r.version, blobKey: r.blob_key });

export const scanQueries = (db: Database.Database) => {
  const sql = {
    pending: db.prepare<[number], VersionRow>("SELECT tenant, document_id, version, blob_key FROM versions WHERE scan = 'pending' ORDER BY at LIMIT ?"),
    stored: db.prepare<{ tenant: string | null; since: string | null; after: number; limit: number }, VersionRow & { row: number }>(
      `SELECT v.rowid AS row, v.tenant, v.document_id, v.version, v.blob_key FROM versions v JOIN documents d ON d.tenant = v.tenant AND d.id = v.document_id
       WHERE d.deleted = 0 AND v.rowid > @after AND (@tenant IS NULL OR v.tenant = @tenant) AND (@since IS NULL OR v.at >= @since)
       ORDER BY v.rowid LIMIT @limit`,
    ),
    quarantine: db.prepare<[string, number, number], { row: number; document_id: string; version: number; title: string; file_name: string; depositor_id: string; signature: string; scanned_at: string }>(
      `SELECT v.rowid AS row, v.document_id, v.version, d.title, v.file_name, d.depositor_id, v.signature, v.scanned_at FROM versions v
       JOIN documents d ON d.tenant = v.tenant AND d.id = v.document_id
       WHERE v.tenant = ? AND v.scan = 'quarantined' AND v.rowid < ? ORDER BY v.rowid DESC LIMIT ?`,
    ),
    refused: db.prepare<[string, number, number], { row: number; user_id: string; file_name: string; signature: string; via: string; at: string }>(
      'SELECT rowid AS row, user_id, file_name, signature, via, at FROM refused_uploads WHERE tenant = ? AND rowid < ? ORDER BY rowid DESC LIMIT ?',
    ),
  };
  return {
    pendingScans: (limit: number): StoredVersion[] => sql.pending.all(limit).map(stored),
    storedVersions: (filter: { tenant?: string | undefined; since?: string | undefined }, after: number, limit: number) =>
      sql.stored.all({ tenant: filter.tenant ?? null, since: filter.since ?? null, after, limit }).map((r) => ({ ...stored(r), row: r.row })),
    refusedUploads: (tenant: string, page: PageRequest): Page<RefusedUploadView> =>
      pageOf(sql.refused.all(tenant, before(page), page.limit + 1), page.limit, (r) => r.row, (r) => ({ userId: r.user_id, fileName: r.file_name, signature: r.signature, via: r.via, at: r.at })),
    quarantine: (tenant: string, page: PageRequest): Page<QuarantinedView> =>
      pageOf(sql.quarantine.all(tenant, before(page), page.limit + 1), page.limit, (r) => r.row, (r) => ({
        documentId: r.document_id,
        version: r.version,
        title: r.title,
        fileName: r.file_name,
        depositorId: r.depositor_id,
        signature: r.signature,
        at: r.scanned_at,
      })),
  };
};
