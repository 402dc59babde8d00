import type Database from 'better-sqlite3';
import type { TenantSettingsView } from '../../application/ports/read-models.js';
import type { Category } from '../../domain/index.js';

/** Categories and settings of a tenant, as the read models hold them. */
export const settingsQueries = (db: Database.Database) => {
  const sql = {
    categories: db.prepare<[string], { id: string; designation: string; retired: number }>('SELECT id, designation, retired FROM categories WHERE tenant = ? ORDER BY seq'),
    settings: db.prepare<[string], { max_document_bytes: number | null; current_year: string | null; clouds: string | null }>('SELECT max_document_bytes, current_year, clouds FROM settings WHERE tenant = ?'),
  };
  return {
    categories: (tenant: string): Category[] => sql.categories.all(tenant).map((r) => ({ id: r.id, designation: r.designation, retired: r.retired === 1 })),
    settings: (tenant: string): TenantSettingsView => {
      const row = sql.settings.get(tenant);
      return { maxDocumentBytes: row?.max_document_bytes ?? null, currentYear: row?.current_year ?? null, clouds: row?.clouds ? JSON.parse(row.clouds) : [] };
    },
  };
};
