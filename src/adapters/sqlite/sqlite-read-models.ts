import Database from 'better-sqlite3';
import { decodeCursor, encodeCursor } from '../../application/cursor.js';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import type {
  DistributionItem,
  DocumentView,
  LockerItem,
  NotificationView,
  Page,
  PageRequest,
  ReadModels,
  RecipientStatus,
  TenantSettingsView,
} from '../../application/ports/read-models.js';
import type {
  Category,
  Content,
  DirectoryUser,
  DirectoryView,
  DocumentEvent,
  LockerEvent,
  Permission,
  TenantSettingsEvent,
  UserKind,
  DirectoryEvent,
} from '../../domain/index.js';
import { READ_MODEL_SCHEMA, READ_MODEL_TABLES, READ_MODEL_VERSION } from './read-model-schema.js';

type AnyEvent = DocumentEvent | LockerEvent | TenantSettingsEvent | DirectoryEvent;
type DocRow = {
  id: string; seq: number; year: string; title: string; category_id: string; memo: string | null; depositor_id: string;
  deposited_at: string; updated_at: string; deleted: number; version: number; file_name: string; media_type: string;
  size_bytes: number; sha256: string; blob_key: string;
};
type UserRow = { id: string; display_name: string; kind: UserKind; email: string | null; profiles: string };

/**
 * The projections, in one SQLite file on this node's disk. `apply` is the only writer; everything
 * else is a query the use cases read after catching up.
 */
export class SqliteReadModels implements ReadModels {
  private readonly db: Database.Database;
  private readonly applyTx: (events: readonly RecordedEvent[]) => void;
  private readonly statements = new Map<string, Database.Statement>();

  constructor(file: string) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // Rebuildable from the log: losing the last transactions to a crash costs a replay, not data.
    this.db.pragma('synchronous = NORMAL');
    if (this.db.pragma('user_version', { simple: true }) !== READ_MODEL_VERSION) {
      for (const table of READ_MODEL_TABLES) this.db.exec(`DROP TABLE IF EXISTS ${table}`);
      this.db.pragma(`user_version = ${READ_MODEL_VERSION}`);
    }
    this.db.exec(READ_MODEL_SCHEMA);
    this.applyTx = this.db.transaction((events: readonly RecordedEvent[]) => {
      const current = this.prepare<[], { seq: number; position: string }>('SELECT seq, position FROM checkpoint WHERE id = 1').get();
      let seq = current?.seq ?? 0;
      // Another process on the same file (the CLI beside the server) may have applied some of these
      // already: only what lies beyond the stored checkpoint is projected, so applying is idempotent.
      const fresh = current ? events.filter((e) => e.position > BigInt(current.position)) : events;
      for (const event of fresh) this.project(event, ++seq);
      const last = fresh[fresh.length - 1];
      if (last) {
        this.db
          .prepare('INSERT INTO checkpoint (id, position, seq) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position, seq = excluded.seq')
          .run(String(last.position), seq);
      }
    });
  }

  /** Prepared once per SQL text: queries run on every request, preparing them is not free. */
  private prepare<P extends unknown[] = unknown[], R = unknown>(sql: string): Database.Statement<P, R> {
    let statement = this.statements.get(sql);
    if (!statement) {
      statement = this.db.prepare(sql);
      this.statements.set(sql, statement);
    }
    return statement as unknown as Database.Statement<P, R>;
  }

  checkpoint(): bigint {
    const row = this.prepare<[], { position: string }>('SELECT position FROM checkpoint WHERE id = 1').get();
    return row ? BigInt(row.position) : 0n;
  }

  apply(events: readonly RecordedEvent[]): void {
    this.applyTx(events);
  }

  reset(): void {
    this.db.transaction(() => {
      for (const table of READ_MODEL_TABLES) this.db.exec(`DELETE FROM ${table}`);
    })();
  }

  /** Every table, sorted: lets a test compare a rebuilt projection with the live one. */
  dump(): Record<string, string[]> {
    return Object.fromEntries(
      READ_MODEL_TABLES.map((t) => [t, this.prepare(`SELECT * FROM ${t}`).all().map((r) => JSON.stringify(r)).sort()]),
    );
  }

  private project(recorded: RecordedEvent, seq: number): void {
    const tenant = recorded.meta.tenant;
    const event = { type: recorded.type, data: recorded.data, actor: recorded.meta.actor, at: recorded.meta.at } as AnyEvent;
    const run = (sql: string, ...params: unknown[]) => this.prepare(sql).run(...params);
    switch (event.type) {
      case 'DirectorySynced': {
        for (const table of ['profiles', 'users', 'classes']) run(`DELETE FROM ${table} WHERE tenant = ?`, tenant);
        const profile = this.prepare('INSERT INTO profiles VALUES (?, ?, ?, ?)');
        for (const p of event.data.profiles) profile.run(tenant, p.id, p.name, JSON.stringify(p.permissions));
        const user = this.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)');
        for (const u of event.data.users) user.run(tenant, u.id, u.displayName, u.kind, u.email ?? null, JSON.stringify(u.profiles));
        const cls = this.prepare('INSERT INTO classes VALUES (?, ?, ?, ?)');
        for (const c of event.data.classes) cls.run(tenant, c.id, c.name, JSON.stringify(c.teacherIds));
        return;
      }
      case 'LockerOpened':
      case 'LockerClosed':
        run(
          'INSERT INTO lockers VALUES (?, ?, ?) ON CONFLICT (tenant, user_id) DO UPDATE SET open = excluded.open',
          tenant, event.data.userId, event.type === 'LockerOpened' ? 1 : 0,
        );
        return;
      case 'DocumentRemovedFromLocker':
        run('UPDATE recipients SET removed = 1 WHERE tenant = ? AND document_id = ? AND user_id = ?', tenant, event.data.documentId, event.data.userId);
        return;
      case 'CategoryCreated':
        run('INSERT OR IGNORE INTO categories VALUES (?, ?, ?, 0, ?)', tenant, event.data.categoryId, event.data.designation, seq);
        return;
      case 'CategoryRenamed':
        run('UPDATE categories SET designation = ? WHERE tenant = ? AND id = ?', event.data.designation, tenant, event.data.categoryId);
        return;
      case 'CategoryRetired':
        run('UPDATE categories SET retired = 1 WHERE tenant = ? AND id = ?', tenant, event.data.categoryId);
        return;
      case 'MaxDocumentSizeSet':
        run(
          'INSERT INTO settings (tenant, max_document_bytes) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET max_document_bytes = excluded.max_document_bytes',
          tenant, event.data.maxDocumentBytes,
        );
        return;
      case 'CurrentYearSet':
        run(
          'INSERT INTO settings (tenant, current_year) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET current_year = excluded.current_year',
          tenant, event.data.year,
        );
        return;
      case 'DocumentDeposited':
      case 'DocumentCarriedOver': {
        const d = event.data;
        const c = d.content;
        run(
          `INSERT OR IGNORE INTO documents (tenant, id, seq, year, title, category_id, memo, depositor_id, deposited_at, updated_at,
             deleted, version, file_name, media_type, size_bytes, sha256, blob_key)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?)`,
          tenant, d.documentId, seq, d.year, d.title, d.categoryId, d.memo, d.depositorId, event.at, event.at,
          c.version, c.fileName, c.mediaType, c.sizeBytes, c.sha256, c.blobKey,
        );
        this.addVersion(tenant, d.documentId, c, event.at);
        // A carried-over document is not news: its recipients had it last year, so no notification.
        this.addRecipients(tenant, d.documentId, d.recipientIds, event.at, seq, event.type === 'DocumentDeposited' ? 'deposited' : null, event.actor);
        return;
      }
      case 'RecipientAdded':
        this.addRecipients(tenant, event.data.documentId, event.data.recipientIds, event.at, seq, 'recipient-added', event.actor);
        this.touch(tenant, event.data.documentId, event.at);
        return;
      case 'CategoryChanged':
        run('UPDATE documents SET category_id = ?, updated_at = ? WHERE tenant = ? AND id = ?', event.data.categoryId, event.at, tenant, event.data.documentId);
        return;
      case 'MemoChanged':
        run('UPDATE documents SET memo = ?, updated_at = ? WHERE tenant = ? AND id = ?', event.data.memo, event.at, tenant, event.data.documentId);
        return;
      case 'DocumentUpdated': {
        const c = event.data.content;
        run(
          `UPDATE documents SET version = ?, file_name = ?, media_type = ?, size_bytes = ?, sha256 = ?, blob_key = ?, updated_at = ?
           WHERE tenant = ? AND id = ?`,
          c.version, c.fileName, c.mediaType, c.sizeBytes, c.sha256, c.blobKey, event.at, tenant, event.data.documentId,
        );
        this.addVersion(tenant, event.data.documentId, c, event.at);
        run(
          `INSERT INTO notifications SELECT tenant, user_id, ?, 'updated', document_id, ?, ? FROM recipients
           WHERE tenant = ? AND document_id = ? AND removed = 0`,
          seq, event.actor, event.at, tenant, event.data.documentId,
        );
        return;
      }
      case 'DocumentConsulted':
        run('INSERT OR IGNORE INTO consultations VALUES (?, ?, ?, ?, ?)', tenant, event.data.documentId, event.data.userId, event.data.version, event.at);
        return;
      case 'DocumentDeletedForAll':
        run('UPDATE documents SET deleted = 1, updated_at = ? WHERE tenant = ? AND id = ?', event.at, tenant, event.data.documentId);
        return;
      default:
        // Events this node does not project yet (newer types) are skipped, not fatal.
        return;
    }
  }

  private addVersion(tenant: string, documentId: string, c: Content, at: string): void {
    this.db
      .prepare('INSERT OR IGNORE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
      .run(tenant, documentId, c.version, c.blobKey, c.sha256, c.sizeBytes, c.fileName, c.mediaType, at);
  }

  private addRecipients(tenant: string, documentId: string, userIds: readonly string[], at: string, seq: number, kind: string | null, actor: string): void {
    const recipient = this.prepare('INSERT OR IGNORE INTO recipients (tenant, document_id, user_id, added_at, seq) VALUES (?, ?, ?, ?, ?)');
    const notification = this.prepare('INSERT OR IGNORE INTO notifications VALUES (?, ?, ?, ?, ?, ?, ?)');
    for (const userId of userIds) {
      recipient.run(tenant, documentId, userId, at, seq);
      if (kind) notification.run(tenant, userId, seq, kind, documentId, actor, at);
    }
  }

  private touch(tenant: string, documentId: string, at: string): void {
    this.prepare('UPDATE documents SET updated_at = ? WHERE tenant = ? AND id = ?').run(at, tenant, documentId);
  }

  directoryView(tenant: string): DirectoryView {
    const userStmt = this.prepare<[string, string], UserRow>('SELECT * FROM users WHERE tenant = ? AND id = ?');
    const classStmt = this.prepare<[string, string], { id: string; name: string; teacher_ids: string }>('SELECT * FROM classes WHERE tenant = ? AND id = ?');
    return {
      user: (id) => {
        const row = userStmt.get(tenant, id);
        return row ? toUser(row) : undefined;
      },
      schoolClass: (id) => {
        const row = classStmt.get(tenant, id);
        return row ? { id: row.id, name: row.name, teacherIds: JSON.parse(row.teacher_ids) } : undefined;
      },
      permissionsOf: (userId) => new Set(this.user(tenant, userId)?.permissions as Permission[] | undefined),
    };
  }

  user(tenant: string, userId: string): (DirectoryUser & { permissions: string[] }) | undefined {
    const row = this.prepare<[string, string], UserRow>('SELECT * FROM users WHERE tenant = ? AND id = ?').get(tenant, userId);
    if (!row) return undefined;
    const user = toUser(row);
    const permissions = new Set<string>();
    const profile = this.prepare<[string, string], { permissions: string }>('SELECT permissions FROM profiles WHERE tenant = ? AND id = ?');
    for (const p of user.profiles) for (const perm of JSON.parse(profile.get(tenant, p)?.permissions ?? '[]')) permissions.add(perm);
    return { ...user, permissions: [...permissions].sort() };
  }

  lockerHolders(tenant: string): string[] {
    return this.prepare<[string], { user_id: string }>('SELECT user_id FROM lockers WHERE tenant = ? AND open = 1 ORDER BY user_id').all(tenant).map((r) => r.user_id);
  }

  usersOfKind(tenant: string, kinds: readonly UserKind[]): string[] {
    return this.db
      .prepare<[string], { id: string; kind: UserKind }>('SELECT id, kind FROM users WHERE tenant = ? ORDER BY id')
      .all(tenant)
      .filter((r) => kinds.includes(r.kind))
      .map((r) => r.id);
  }

  categories(tenant: string): Category[] {
    return this.db
      .prepare<[string], { id: string; designation: string; retired: number }>('SELECT id, designation, retired FROM categories WHERE tenant = ? ORDER BY seq')
      .all(tenant)
      .map((r) => ({ id: r.id, designation: r.designation, retired: r.retired === 1 }));
  }

  settings(tenant: string): TenantSettingsView {
    const row = this.db
      .prepare<[string], { max_document_bytes: number | null; current_year: string | null }>('SELECT max_document_bytes, current_year FROM settings WHERE tenant = ?')
      .get(tenant);
    return { maxDocumentBytes: row?.max_document_bytes ?? null, currentYear: row?.current_year ?? null };
  }

  document(tenant: string, documentId: string): DocumentView | undefined {
    const row = this.prepare<[string, string], DocRow>('SELECT * FROM documents WHERE tenant = ? AND id = ?').get(tenant, documentId);
    return row ? this.toView(tenant, row) : undefined;
  }

  isCurrentRecipient(tenant: string, documentId: string, userId: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM recipients WHERE tenant = ? AND document_id = ? AND user_id = ? AND removed = 0')
        .get(tenant, documentId, userId) !== undefined
    );
  }

  versions(tenant: string, documentId: string): Content[] {
    return this.db
      .prepare<[string, string], { version: number; blob_key: string; sha256: string; size_bytes: number; file_name: string; media_type: string }>(
        'SELECT * FROM versions WHERE tenant = ? AND document_id = ? ORDER BY version',
      )
      .all(tenant, documentId)
      .map((r) => ({ version: r.version, blobKey: r.blob_key, sha256: r.sha256, sizeBytes: r.size_bytes, fileName: r.file_name, mediaType: r.media_type }));
  }

  distribution(tenant: string, depositorId: string, year: string | undefined, page: PageRequest): Page<DistributionItem> {
    const before = page.cursor ? decodeCursor(page.cursor) ?? 0 : Number.MAX_SAFE_INTEGER;
    const rows = this.db
      .prepare<unknown[], DocRow>(
        `SELECT * FROM documents WHERE tenant = ? AND depositor_id = ? AND deleted = 0 AND seq < ? ${year ? 'AND year = ?' : ''}
         ORDER BY seq DESC LIMIT ?`,
      )
      .all(...[tenant, depositorId, before, ...(year ? [year] : []), page.limit + 1]);
    return this.page(rows, page.limit, (row) => {
      const view = this.toView(tenant, row);
      return { ...view, recipientStatuses: this.recipientStatuses(tenant, row) };
    });
  }

  locker(tenant: string, userId: string, filter: { categoryId?: string | undefined; year?: string | undefined }, page: PageRequest): Page<LockerItem> {
    const before = page.cursor ? decodeCursor(page.cursor) ?? 0 : Number.MAX_SAFE_INTEGER;
    const params: unknown[] = [tenant, userId, before];
    let where = '';
    if (filter.categoryId) (where += ' AND d.category_id = ?'), params.push(filter.categoryId);
    if (filter.year) (where += ' AND d.year = ?'), params.push(filter.year);
    params.push(page.limit + 1);
    const rows = this.db
      .prepare<unknown[], DocRow & { r_seq: number }>(
        `SELECT d.*, r.seq AS r_seq FROM recipients r JOIN documents d ON d.tenant = r.tenant AND d.id = r.document_id
         WHERE r.tenant = ? AND r.user_id = ? AND r.removed = 0 AND d.deleted = 0 AND r.seq < ? ${where}
         ORDER BY r.seq DESC, d.id LIMIT ?`,
      )
      .all(...params)
      .map((r) => ({ ...r, seq: r.r_seq }));
    return this.page(rows, page.limit, (row) => {
      const view = this.toView(tenant, row);
      const versions = this.db
        .prepare<[string, string, string], { version: number }>('SELECT version FROM consultations WHERE tenant = ? AND document_id = ? AND user_id = ? ORDER BY version DESC')
        .all(tenant, row.id, userId);
      const consultedVersion = versions[0]?.version ?? null;
      return { ...view, consulted: versions.length > 0, consultedVersion, consultedLatest: versions.some((v) => v.version === row.version) };
    });
  }

  notifications(tenant: string, userId: string, page: PageRequest): Page<NotificationView> {
    const before = page.cursor ? decodeCursor(page.cursor) ?? 0 : Number.MAX_SAFE_INTEGER;
    const rows = this.db
      .prepare<unknown[], { seq: number; kind: NotificationView['kind']; document_id: string; actor_id: string; at: string; title: string }>(
        `SELECT n.seq, n.kind, n.document_id, n.actor_id, n.at, d.title FROM notifications n
         JOIN documents d ON d.tenant = n.tenant AND d.id = n.document_id
         JOIN recipients r ON r.tenant = n.tenant AND r.document_id = n.document_id AND r.user_id = n.user_id
         WHERE n.tenant = ? AND n.user_id = ? AND d.deleted = 0 AND r.removed = 0 AND n.seq < ?
         ORDER BY n.seq DESC LIMIT ?`,
      )
      .all(tenant, userId, before, page.limit + 1);
    return this.page(rows, page.limit, (r) => ({ id: String(r.seq), kind: r.kind, documentId: r.document_id, title: r.title, actorId: r.actor_id, at: r.at }));
  }

  blobInUse(blobKey: string): boolean {
    return (
      this.db
        .prepare('SELECT 1 FROM versions v JOIN documents d ON d.tenant = v.tenant AND d.id = v.document_id WHERE v.blob_key = ? AND d.deleted = 0 LIMIT 1')
        .get(blobKey) !== undefined
    );
  }

  tenants(): string[] {
    return this.db
      .prepare<[], { tenant: string }>('SELECT tenant FROM users UNION SELECT tenant FROM documents UNION SELECT tenant FROM categories ORDER BY 1')
      .all()
      .map((r) => r.tenant);
  }

  close(): void {
    if (this.db.open) this.db.close();
  }

  private page<Row extends { seq: number }, T>(rows: Row[], limit: number, map: (row: Row) => T): Page<T> {
    const items = rows.slice(0, limit);
    const last = items[items.length - 1];
    return { items: items.map(map), nextCursor: rows.length > limit && last ? encodeCursor(last.seq) : null };
  }

  private toView(tenant: string, row: DocRow): DocumentView {
    const recipients = this.db
      .prepare<[string, string], { user_id: string }>('SELECT user_id FROM recipients WHERE tenant = ? AND document_id = ? ORDER BY user_id')
      .all(tenant, row.id)
      .map((r) => r.user_id);
    return {
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
      recipients,
      depositedAt: row.deposited_at,
      updatedAt: row.updated_at,
      deleted: row.deleted === 1,
    };
  }

  private recipientStatuses(tenant: string, row: DocRow): RecipientStatus[] {
    const recipients = this.db
      .prepare<[string, string], { user_id: string; added_at: string; removed: number; display_name: string | null }>(
        `SELECT r.user_id, r.added_at, r.removed, u.display_name FROM recipients r
         LEFT JOIN users u ON u.tenant = r.tenant AND u.id = r.user_id
         WHERE r.tenant = ? AND r.document_id = ? ORDER BY r.user_id`,
      )
      .all(tenant, row.id);
    const consultations = this.db
      .prepare<[string, string], { user_id: string; version: number; at: string }>(
        'SELECT user_id, version, at FROM consultations WHERE tenant = ? AND document_id = ? ORDER BY version',
      )
      .all(tenant, row.id);
    return recipients.map((r) => {
      const mine = consultations.filter((c) => c.user_id === r.user_id).map((c) => ({ version: c.version, at: c.at }));
      return {
        userId: r.user_id,
        displayName: r.display_name,
        addedAt: r.added_at,
        consultations: mine,
        consultedLatest: mine.some((c) => c.version === row.version),
        removedFromLocker: r.removed === 1,
      };
    });
  }
}

const toUser = (row: UserRow): DirectoryUser => ({
  id: row.id,
  displayName: row.display_name,
  kind: row.kind,
  email: row.email ?? undefined,
  profiles: JSON.parse(row.profiles),
});
