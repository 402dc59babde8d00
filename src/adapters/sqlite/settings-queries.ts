import type Database from 'better-sqlite3';
import type { ErasureView, Page, PageRequest, TenantSettingsView } from '../../application/ports/read-models.js';
import { before, pageOf } from './pages.js';
import type { Category } from '../../domain/index.js';
import { tenantCache } from './tenant-cache.js';

type ErasureRow = { user_id: string; at: string; actor_id: string; reason: string };
const toErasure = (r: ErasureRow): ErasureView => ({ userId: r.user_id, at: r.at, actorId: r.actor_id, reason: r.reason });

/** Categories and settings of a tenant, as the read models hold them. */
export const settingsQueries = (db: Database.Database) => {
  const sql = {
    categories: db.prepare<[string], { id: string; designation: string; retired: number; retention_days: number | null }>('SELECT id, designation, retired, retention_days FROM categories WHERE tenant = ? ORDER BY seq'),
    // Newest first, in the order they were projected (rowid): the cursor's key.
    erasures: db.prepare<[string, number, number], ErasureRow & { row: number }>('SELECT rowid AS row, * FROM erasures WHERE tenant = ? AND rowid < ? ORDER BY rowid DESC LIMIT ?'),
    erasure: db.prepare<[string, string], ErasureRow>('SELECT * FROM erasures WHERE tenant = ? AND user_id = ?'),
    eraseDelay: db.prepare<[string], { erase_after_days: number | null }>('SELECT erase_after_days FROM settings WHERE tenant = ?'),
    quarantineDays: db.prepare<[string], { quarantine_days: number | null }>('SELECT quarantine_days FROM settings WHERE tenant = ?'),
    // People gone from the directory for longer than their tenant's delay (90 days unless set), not yet erased.
    departedLongAgo: db.prepare<{ now: string }, { tenant: string; user_id: string }>(
      `SELECT d.tenant, d.user_id FROM departed d LEFT JOIN settings s ON s.tenant = d.tenant
       WHERE julianday(d.left_at) + COALESCE(s.erase_after_days, 90) <= julianday(@now)
         AND NOT EXISTS (SELECT 1 FROM erasures e WHERE e.tenant = d.tenant AND e.user_id = d.user_id)
       ORDER BY d.tenant, d.left_at LIMIT 10000`,
    ),
    // Live documents whose category's retention has run out, counted from the deposit.
    expired: db.prepare<{ now: string; limit: number }, { tenant: string; id: string; days: number }>(
      `SELECT d.tenant, d.id, c.retention_days AS days FROM documents d JOIN categories c ON c.tenant = d.tenant AND c.id = d.category_id
       WHERE c.retention_days IS NOT NULL AND d.deleted = 0 AND julianday(d.deposited_at) + c.retention_days <= julianday(@now)
       ORDER BY d.tenant, d.deposited_at LIMIT @limit`,
    ),
    settings: db.prepare<[string], { max_document_bytes: number | null; current_year: string | null; clouds: string | null }>('SELECT max_document_bytes, current_year, clouds FROM settings WHERE tenant = ?'),
  };
  // Asked by nearly every request (the current year) and every command (limits, categories).
  const cached = tenantCache<unknown>(db, 10_000);
  return {
    categories: (tenant: string): Category[] =>
      cached(tenant, 'categories', () => sql.categories.all(tenant).map((r) => ({ id: r.id, designation: r.designation, retired: r.retired === 1, retentionDays: r.retention_days }))) as Category[],
    erasures: (tenant: string, page: PageRequest): Page<ErasureView> => pageOf(sql.erasures.all(tenant, before(page), page.limit + 1), page.limit, (r) => r.row, toErasure),
    erasure: (tenant: string, userId: string): ErasureView | undefined => {
      const row = sql.erasure.get(tenant, userId);
      return row && toErasure(row);
    },
    erasePeopleAfterDays: (tenant: string): number => sql.eraseDelay.get(tenant)?.erase_after_days ?? 90,
    quarantineRetentionDays: (tenant: string): number | null => sql.quarantineDays.get(tenant)?.quarantine_days ?? null,
    departedLongAgo: (now: string) => sql.departedLongAgo.all({ now }).map((r) => ({ tenant: r.tenant, userId: r.user_id })),
    expiredDocuments: (now: string, limit: number): { tenant: string; documentId: string; retentionDays: number }[] =>
      sql.expired.all({ now, limit }).map((r) => ({ tenant: r.tenant, documentId: r.id, retentionDays: r.days })),
    settings: (tenant: string): TenantSettingsView =>
      cached(tenant, 'settings', () => {
        const row = sql.settings.get(tenant);
        return { maxDocumentBytes: row?.max_document_bytes ?? null, currentYear: row?.current_year ?? null, clouds: row?.clouds ? JSON.parse(row.clouds) : [] };
      }) as TenantSettingsView,
  };
};
