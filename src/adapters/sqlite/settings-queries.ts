import type Database from 'better-sqlite3';
import type { TenantSettingsView } from '../../application/ports/read-models.js';
import type { Category } from '../../domain/index.js';

/** Categories and settings of a tenant, as the read models hold them. */
export const settingsQueries = (db: Database.Database) => {
  const sql = {
    categories: db.prepare<[string], { id: string; designation: string; retired: number; retention_days: number | null }>('SELECT id, designation, retired, retention_days FROM categories WHERE tenant = ? ORDER BY seq'),
    // Live documents whose category's retention has run out, counted from the deposit.
    expired: db.prepare<{ now: string; limit: number }, { tenant: string; id: string; days: number }>(
      `SELECT d.tenant, d.id, c.retention_days AS days FROM documents d JOIN categories c ON c.tenant = d.tenant AND c.id = d.category_id
       WHERE c.retention_days IS NOT NULL AND d.deleted = 0 AND julianday(d.deposited_at) + c.retention_days <= julianday(@now)
       ORDER BY d.tenant, d.deposited_at LIMIT @limit`,
    ),
    settings: db.prepare<[string], { max_document_bytes: number | null; current_year: string | null; clouds: string | null }>('SELECT max_document_bytes, current_year, clouds FROM settings WHERE tenant = ?'),
  };
  return {
    categories: (tenant: string): Category[] => sql.categories.all(tenant).map((r) => ({ id: r.id, designation: r.designation, retired: r.retired === 1, retentionDays: r.retention_days })),
    expiredDocuments: (now: string, limit: number): { tenant: string; documentId: string; retentionDays: number }[] =>
      sql.expired.all({ now, limit }).map((r) => ({ tenant: r.tenant, documentId: r.id, retentionDays: r.days })),
    settings: (tenant: string): TenantSettingsView => {
      const row = sql.settings.get(tenant);
      return { maxDocumentBytes: row?.max_document_bytes ?? null, currentYear: row?.current_year ?? null, clouds: row?.clouds ? JSON.parse(row.clouds) : [] };
    },
  };
};
