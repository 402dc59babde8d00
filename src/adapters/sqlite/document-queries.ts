import type Database from 'better-sqlite3';
import { after, before, pageOf } from './pages.js';
import { tenantCache } from './tenant-cache.js';
import type { DistributionItem, DocumentView, LockerItem, NotificationView, Page, PageRequest, Receipt, RecipientStatus } from '../../application/ports/read-models.js';

type DocRow = {
  id: string; seq: number; year: string; title: string; category_id: string; memo: string | null; depositor_id: string;
  deposited_at: string; updated_at: string; deleted: number; version: number; file_name: string; media_type: string;
  size_bytes: number; sha256: string; recipients: string; recipients_may_edit: number;
  ack_required: number; ack_due_at: string | null;
};

// A document's recipients, aggregated in the same statement as the document: no query per row.
const RECIPIENTS = `(SELECT json_group_array(x.user_id ORDER BY x.user_id) FROM recipients x WHERE x.tenant = d.tenant AND x.document_id = d.id) AS recipients`;

/** What `toView` reads of a document row. */
const VIEW_COLUMNS = ['id', 'seq', 'year', 'title', 'category_id', 'memo', 'depositor_id', 'deposited_at', 'updated_at', 'deleted', 'version', 'file_name', 'media_type', 'size_bytes', 'sha256', 'recipients_may_edit', 'ack_required', 'ack_due_at']
  .map((c) => `d.${c}`)
  .join(', ');

/** The recipient `r` is asked to acknowledge the document `d` and has not yet, for its current asking. */
const TO_ACKNOWLEDGE = `(d.ack_required = 1 AND NOT EXISTS (SELECT 1 FROM acknowledgements a WHERE a.tenant = r.tenant AND a.document_id = r.document_id AND a.user_id = r.user_id AND a.version >= d.ack_from))`;

const STATUSES = `(SELECT json_group_array(json_object(
      'userId', r.user_id, 'displayName', u.display_name, 'addedAt', r.added_at, 'removedFromLocker', r.removed,
      'consultations', json((SELECT json_group_array(json_object('version', c.version, 'at', c.at) ORDER BY c.version)
                             FROM consultations c WHERE c.tenant = r.tenant AND c.document_id = r.document_id AND c.user_id = r.user_id)),
      'consultedLatest', EXISTS (SELECT 1 FROM consultations c WHERE c.tenant = r.tenant AND c.document_id = r.document_id AND c.user_id = r.user_id AND c.version = d.version),
      'acknowledged', json((SELECT json_object('version', a.version, 'at', a.at) FROM acknowledgements a
                            WHERE a.tenant = r.tenant AND a.document_id = r.document_id AND a.user_id = r.user_id ORDER BY a.version DESC LIMIT 1)))
    ORDER BY r.user_id)
  FROM recipients r LEFT JOIN users u ON u.tenant = r.tenant AND u.id = r.user_id
  WHERE r.tenant = d.tenant AND r.document_id = d.id) AS statuses`;

const toView = (row: DocRow): DocumentView => ({
  id: row.id,
  year: row.year,
  title: row.title,
  fileName: row.file_name,
  mediaType: row.media_type,
  sizeBytes: row.size_bytes,
  sha256: row.sha256,
  version: row.version,
  categoryId: row.category_id,
  memo: row.memo,
  depositorId: row.depositor_id,
  recipients: JSON.parse(row.recipients),
  recipientsMayEdit: row.recipients_may_edit === 1,
  acknowledgement: { required: row.ack_required === 1, dueAt: row.ack_due_at },
  depositedAt: row.deposited_at,
  updatedAt: row.updated_at,
  deleted: row.deleted === 1,
});

const bySeq = <Row extends { seq: number }, T>(rows: Row[], limit: number, map: (row: Row) => T): Page<T> => pageOf(rows, limit, (r) => r.seq, map);

/**
 * What the document routes and listings read. One statement per page, prepared once: the per-item
 * facts (recipients, consultations, statuses) are aggregated by SQLite in the same statement, and
 * each listing walks an index in its own order.
 */
/**
 * A person's notifications on rows of their own: a recipient's while the document is in their
 * locker; the depositor's own (a recipient edited it); those of a collection request, a webhook, a
 * refused upload; a quarantine's.
 */
const OWN_NOTICES = `LEFT JOIN documents d ON d.tenant = n.tenant AND d.id = n.document_id
       LEFT JOIN collections c ON c.tenant = n.tenant AND c.id = n.document_id
       LEFT JOIN webhooks w ON w.tenant = n.tenant AND w.id = n.document_id AND n.kind = 'webhook-disabled'
       LEFT JOIN refused_uploads u ON u.tenant = n.tenant AND u.upload_id = n.document_id AND n.kind = 'infected-upload'
       LEFT JOIN recipients r ON r.tenant = n.tenant AND r.document_id = n.document_id AND r.user_id = n.user_id
       WHERE n.tenant = @tenant AND n.user_id = @user
         AND ((d.id IS NOT NULL AND d.deleted = 0 AND (r.removed = 0 OR (r.user_id IS NULL AND d.depositor_id = n.user_id))) OR (d.id IS NOT NULL AND n.kind = 'quarantined') OR c.id IS NOT NULL OR w.id IS NOT NULL OR u.upload_id IS NOT NULL)`;
/** The news of a document arriving, kept on the recipient's row: there while it is in their locker. */
const ARRIVALS = `JOIN documents d ON d.tenant = r.tenant AND d.id = r.document_id
       WHERE r.tenant = @tenant AND r.user_id = @user AND r.notice IS NOT NULL AND r.removed = 0 AND d.deleted = 0`;

export const documentQueries = (db: Database.Database) => {
  const sql = {
    document: db.prepare<[string, string], DocRow>(`SELECT ${VIEW_COLUMNS}, ${RECIPIENTS} FROM documents d WHERE d.tenant = ? AND d.id = ?`),
    ofYear: db.prepare<[string, string], number>('SELECT count(*) FROM documents WHERE tenant = ? AND year = ?').pluck(),
    isCurrentRecipient: db.prepare('SELECT 1 FROM recipients WHERE tenant = ? AND document_id = ? AND user_id = ? AND removed = 0'),
    removedBy: db.prepare<[string, string], { user_id: string }>('SELECT user_id FROM recipients WHERE tenant = ? AND document_id = ? AND removed = 1 ORDER BY user_id'),
    distribution: db.prepare<{ tenant: string; depositor: string; before: number; year: string | null; limit: number }, DocRow & { statuses: string }>(
      `SELECT ${VIEW_COLUMNS}, ${RECIPIENTS}, ${STATUSES} FROM documents d
       WHERE d.tenant = @tenant AND d.depositor_id = @depositor AND d.deleted = 0 AND d.seq < @before AND (@year IS NULL OR d.year = @year)
       ORDER BY d.seq DESC LIMIT @limit`,
    ),
    // The columns a page shows, no more: turning a row's every column into JS was most of a page's time.
    locker: db.prepare<
      { tenant: string; user: string; before: number; category: string | null; year: string | null; removed: number; toAcknowledge: number; limit: number },
      DocRow & { r_seq: number; consulted_version: number | null; consulted_latest: number; to_acknowledge: number }
    >(
      `SELECT ${VIEW_COLUMNS}, r.seq AS r_seq, ${RECIPIENTS},
         ${TO_ACKNOWLEDGE} AS to_acknowledge,
         (SELECT MAX(c.version) FROM consultations c WHERE c.tenant = r.tenant AND c.document_id = r.document_id AND c.user_id = r.user_id) AS consulted_version,
         EXISTS (SELECT 1 FROM consultations c WHERE c.tenant = r.tenant AND c.document_id = r.document_id AND c.user_id = r.user_id AND c.version = d.version) AS consulted_latest
       FROM recipients r JOIN documents d ON d.tenant = r.tenant AND d.id = r.document_id
       WHERE r.tenant = @tenant AND r.user_id = @user AND r.removed = @removed AND d.deleted = 0 AND r.seq < @before
         AND (@category IS NULL OR d.category_id = @category) AND (@year IS NULL OR d.year = @year)
         AND (@toAcknowledge = 0 OR ${TO_ACKNOWLEDGE})
       ORDER BY r.seq DESC LIMIT @limit`,
    ),
    notifications: db.prepare<{ tenant: string; user: string; before: number; unread: number; limit: number }, { seq: number; kind: NotificationView['kind']; document_id: string; actor_id: string; at: string; title: string; read_at: string | null }>(
      // Each part walks its own index newest first and stops at the page's size; then the two meet.
      `SELECT * FROM (
         SELECT * FROM (
           SELECT n.seq, n.kind, n.document_id, n.actor_id, n.at, n.read_at, COALESCE(d.title, c.title, w.url, u.signature) AS title FROM notifications n
           ${OWN_NOTICES}
             AND n.seq < @before AND (@unread = 0 OR n.read_at IS NULL)
           ORDER BY n.seq DESC LIMIT @limit)
         UNION ALL
         SELECT * FROM (
           SELECT r.seq, r.notice, r.document_id, r.notice_actor, r.added_at, r.notice_read_at, d.title FROM recipients r
           ${ARRIVALS}
             AND r.seq < @before AND (@unread = 0 OR r.notice_read_at IS NULL)
           ORDER BY r.seq DESC LIMIT @limit)
       ) ORDER BY seq DESC LIMIT @limit`,
    ),
    unread: db.prepare<{ tenant: string; user: string }, { count: number; newest: number | null }>(
      `SELECT sum(count) AS count, max(newest) AS newest FROM (
         SELECT count(*) AS count, max(n.seq) AS newest FROM notifications n ${OWN_NOTICES} AND n.read_at IS NULL
         UNION ALL
         SELECT count(*), max(r.seq) FROM recipients r ${ARRIVALS} AND r.notice_read_at IS NULL)`,
    ),
    // One target at a time along the primary key: joined with a list, the planner may walk the whole table.
    // In the order the recipients were added (rowid), from after the cursor's.
    receipts: db.prepare<[string, string, number, number], { row: number; user_id: string; display_name: string | null; opened: string; acknowledged: string | null; reminders: string; current: number }>(
      `SELECT r.rowid AS row, r.user_id, u.display_name,
         (SELECT json_group_array(json_object('version', c.version, 'at', c.at) ORDER BY c.version) FROM consultations c
           WHERE c.tenant = r.tenant AND c.document_id = r.document_id AND c.user_id = r.user_id) AS opened,
         (SELECT json_object('version', a.version, 'at', a.at) FROM acknowledgements a
           WHERE a.tenant = r.tenant AND a.document_id = r.document_id AND a.user_id = r.user_id ORDER BY a.version DESC LIMIT 1) AS acknowledged,
         EXISTS (SELECT 1 FROM acknowledgements a WHERE a.tenant = r.tenant AND a.document_id = r.document_id AND a.user_id = r.user_id AND a.version >= d.ack_from) AS current,
         (SELECT json_group_array(json_object('at', m.at, 'reason', m.reason) ORDER BY m.at) FROM reminders m
           WHERE m.tenant = r.tenant AND m.document_id = r.document_id AND m.user_id = r.user_id) AS reminders
       FROM recipients r JOIN documents d ON d.tenant = r.tenant AND d.id = r.document_id LEFT JOIN users u ON u.tenant = r.tenant AND u.id = r.user_id
       WHERE r.tenant = ? AND r.document_id = ? AND r.rowid > ? ORDER BY r.rowid LIMIT ?`,
    ),
    dueAcknowledgements: db.prepare<[string], { tenant: string; id: string }>(
      'SELECT tenant, id FROM documents WHERE ack_required = 1 AND due_reminded = 0 AND deleted = 0 AND ack_due_at <= ? ORDER BY ack_due_at LIMIT 1000',
    ),
    addressedTo: db.prepare<[string, string, string], { document_id: string }>('SELECT document_id FROM addressed WHERE tenant = ? AND target = ? AND year >= ?'),
    // A live document's version refers to the bytes; not one quarantined for longer than its school keeps such bytes.
    blobInUse: db.prepare<{ key: string; now: string }>(
      `SELECT 1 FROM versions v JOIN documents d ON d.tenant = v.tenant AND d.id = v.document_id LEFT JOIN settings s ON s.tenant = v.tenant
       WHERE v.blob_key = @key AND d.deleted = 0
         AND NOT (v.scan = 'quarantined' AND s.quarantine_days IS NOT NULL AND julianday(v.scanned_at) + s.quarantine_days <= julianday(@now))
       LIMIT 1`,
    ),
  };

  /** Locker pages: read far more often than a school writes, and each a join with five aggregates per item. */
  const lockerPages = tenantCache<Page<LockerItem>>(db, 5_000);

  return {
    documentsOfYear: (tenant: string, year: string): number => sql.ofYear.get(tenant, year) ?? 0,
    documentsAddressedTo: (tenant: string, targets: readonly string[], fromYear: string): string[] =>
      [...new Set(targets.flatMap((target) => sql.addressedTo.all(tenant, target, fromYear).map((r) => r.document_id)))].sort(),
    document: (tenant: string, documentId: string): DocumentView | undefined => {
      const row = sql.document.get(tenant, documentId);
      return row ? toView(row) : undefined;
    },
    isCurrentRecipient: (tenant: string, documentId: string, userId: string): boolean => sql.isCurrentRecipient.get(tenant, documentId, userId) !== undefined,
    removedBy: (tenant: string, documentId: string): string[] => sql.removedBy.all(tenant, documentId).map((r) => r.user_id),
    distribution: (tenant: string, depositorId: string, year: string | undefined, page: PageRequest): Page<DistributionItem> =>
      bySeq(sql.distribution.all({ tenant, depositor: depositorId, before: before(page), year: year ?? null, limit: page.limit + 1 }), page.limit, (row) => ({
        ...toView(row),
        recipientStatuses: (JSON.parse(row.statuses) as (Omit<RecipientStatus, 'removedFromLocker' | 'consultedLatest'> & { removedFromLocker: number; consultedLatest: number })[]).map((s) => ({
          ...s,
          removedFromLocker: s.removedFromLocker === 1,
          consultedLatest: s.consultedLatest === 1,
        })),
      })),
    receipts: (tenant: string, documentId: string, page: PageRequest): Page<Receipt> =>
      pageOf(sql.receipts.all(tenant, documentId, after(page), page.limit + 1), page.limit, (r) => r.row, (r) => ({
        userId: r.user_id,
        displayName: r.display_name,
        opened: JSON.parse(r.opened),
        acknowledged: r.acknowledged ? JSON.parse(r.acknowledged) : null,
        acknowledgedCurrent: r.current === 1,
        reminders: JSON.parse(r.reminders),
      })),
    dueAcknowledgements: (now: string) => sql.dueAcknowledgements.all(now).map((r) => ({ tenant: r.tenant, documentId: r.id })),
    locker: (
      tenant: string,
      userId: string,
      filter: { categoryId?: string | undefined; year?: string | undefined; removed?: boolean | undefined; toAcknowledge?: boolean | undefined },
      page: PageRequest,
    ): Page<LockerItem> =>
      lockerPages(tenant, JSON.stringify([userId, filter.categoryId ?? null, filter.year ?? null, filter.removed === true, filter.toAcknowledge === true, page.cursor ?? null, page.limit]), () =>
        bySeq(
          sql.locker
            .all({ tenant, user: userId, before: before(page), category: filter.categoryId ?? null, year: filter.year ?? null, removed: filter.removed ? 1 : 0, toAcknowledge: filter.toAcknowledge ? 1 : 0, limit: page.limit + 1 })
            .map((r) => ({ ...r, seq: r.r_seq })),
          page.limit,
          (row) => ({
            ...toView(row),
            consulted: row.consulted_version !== null,
            consultedVersion: row.consulted_version,
            consultedLatest: row.consulted_latest === 1,
            toAcknowledge: row.to_acknowledge === 1,
          }),
        ),
        // One reader's pages: kept across writes to documents they do not hold.
        userId,
      ),
    notifications: (tenant: string, userId: string, page: PageRequest, filter: { unread?: boolean | undefined } = {}): Page<NotificationView> =>
      bySeq(sql.notifications.all({ tenant, user: userId, before: before(page), unread: filter.unread ? 1 : 0, limit: page.limit + 1 }), page.limit, (r) => ({
        id: String(r.seq),
        kind: r.kind,
        documentId: r.document_id,
        title: r.title,
        actorId: r.actor_id,
        at: r.at,
        read: r.read_at !== null,
      })),
    unreadNotifications: (tenant: string, userId: string) => {
      const row = sql.unread.get({ tenant, user: userId });
      return { count: row?.count ?? 0, newest: row?.newest == null ? null : String(row.newest) };
    },
    blobInUse: (blobKey: string, now: string): boolean => sql.blobInUse.get({ key: blobKey, now }) !== undefined,
  };
};
