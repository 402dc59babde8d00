import type Database from 'better-sqlite3';
import type { RecordedEvent } from '../../application/ports/event-store.js';
import { isPublicEvent, publicEvent, type CollectionEvent, type Content, type Directory, type DirectoryEvent, type DocumentEvent, type ErasureEvent, type LockerEvent, type MailLeaseEvent, type TenantSettingsEvent, type WebhookEvent } from '../../domain/index.js';
import { READ_MODEL_TABLES } from './read-model-schema.js';
import { tenantsMoved } from './tenant-cache.js';

type AnyEvent = DocumentEvent | LockerEvent | TenantSettingsEvent | DirectoryEvent | MailLeaseEvent | CollectionEvent | WebhookEvent | ErasureEvent;

/** Store positions as text that sorts like the numbers (EventStoreDB's do not fit an SQLite integer). */
const padded = (position: bigint): string => position.toString().padStart(40, '0');

/**
 * `mail`: whether this deployment sends e-mail (an SMTP server is configured). Without it, or for
 * someone the directory gives no address, no mail is queued: a queue nobody will send is a false
 * alarm in the outbox and in `/metrics`, and a burst of stale mail once SMTP is set up later.
 */
export type ProjectionOptions = { readonly mail: boolean };

/**
 * The one writer of the read models: each event, in log order, becomes rows. Every statement is
 * prepared once, here; a batch is one transaction together with its checkpoint.
 */
export const readModelProjection = (db: Database.Database, options: ProjectionOptions) => {
  const sql = {
    checkpoint: db.prepare<[], { seq: number; position: string }>('SELECT seq, position FROM checkpoint WHERE id = 1'),
    tenantMoved: db.prepare('INSERT INTO tenant_versions VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET position = excluded.position'),
    setCheckpoint: db.prepare('INSERT INTO checkpoint (id, position, seq) VALUES (1, ?, ?) ON CONFLICT (id) DO UPDATE SET position = excluded.position, seq = excluded.seq'),
    clearDirectory: ['profiles', 'users', 'classes'].map((t) => db.prepare(`DELETE FROM ${t} WHERE tenant = ?`)),
    profile: db.prepare('INSERT INTO profiles VALUES (?, ?, ?, ?)'),
    user: db.prepare('INSERT INTO users VALUES (?, ?, ?, ?, ?, ?)'),
    schoolClass: db.prepare('INSERT INTO classes VALUES (?, ?, ?, ?)'),
    locker: db.prepare('INSERT INTO lockers VALUES (?, ?, ?) ON CONFLICT (tenant, user_id) DO UPDATE SET open = excluded.open'),
    removed: db.prepare('UPDATE recipients SET removed = 1 WHERE tenant = ? AND document_id = ? AND user_id = ?'),
    restored: db.prepare('UPDATE recipients SET removed = 0 WHERE tenant = ? AND document_id = ? AND user_id = ?'),
    categoryCreated: db.prepare('INSERT OR IGNORE INTO categories (tenant, id, designation, retired, seq) VALUES (?, ?, ?, 0, ?)'),
    categoryRetention: db.prepare('UPDATE categories SET retention_days = ? WHERE tenant = ? AND id = ?'),
    categoryRenamed: db.prepare('UPDATE categories SET designation = ? WHERE tenant = ? AND id = ?'),
    categoryRetired: db.prepare('UPDATE categories SET retired = 1 WHERE tenant = ? AND id = ?'),
    maxSize: db.prepare('INSERT INTO settings (tenant, max_document_bytes) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET max_document_bytes = excluded.max_document_bytes'),
    currentYear: db.prepare('INSERT INTO settings (tenant, current_year) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET current_year = excluded.current_year'),
    document: db.prepare(
      `INSERT OR IGNORE INTO documents (tenant, id, seq, year, title, category_id, memo, depositor_id, deposited_at, updated_at,
         deleted, version, file_name, media_type, size_bytes, sha256, blob_key, recipients_may_edit, ack_required, ack_due_at, collection_id)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    ),
    version: db.prepare('INSERT OR IGNORE INTO versions VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    addressed: db.prepare('INSERT OR IGNORE INTO addressed (tenant, target, document_id, year) VALUES (?, ?, ?, ?)'),
    unaddressed: db.prepare('DELETE FROM addressed WHERE tenant = ? AND document_id = ?'),
    documentYear: db.prepare<[string, string], { year: string }>('SELECT year FROM documents WHERE tenant = ? AND id = ?'),
    leave: db.prepare(
      `INSERT OR REPLACE INTO former_recipients (tenant, document_id, user_id, removed)
       SELECT tenant, document_id, user_id, removed FROM recipients WHERE tenant = ? AND document_id = ? AND user_id = ?`,
    ),
    dropRecipient: db.prepare('DELETE FROM recipients WHERE tenant = ? AND document_id = ? AND user_id = ?'),
    rejoin: db.prepare(
      `INSERT OR IGNORE INTO recipients (tenant, document_id, user_id, added_at, seq, removed)
       VALUES (@tenant, @document, @user, @at, @seq,
               COALESCE((SELECT removed FROM former_recipients WHERE tenant = @tenant AND document_id = @document AND user_id = @user), 0))`,
    ),
    dropFormer: db.prepare('DELETE FROM former_recipients WHERE tenant = ? AND document_id = ? AND user_id = ?'),
    // A deposited or carried document is new: nobody had it before, so no former recipient to look up.
    freshRecipient: db.prepare('INSERT OR IGNORE INTO recipients (tenant, document_id, user_id, added_at, seq, removed) VALUES (?, ?, ?, ?, ?, 0)'),
    mail: db.prepare(
      `INSERT OR IGNORE INTO outbox (tenant, mail_id, user_id, seq, kind, document_id, actor_id, at, status)
       SELECT @tenant, @mail, @user, @seq, 'deposited', @document, @actor, @at, 'pending'
       WHERE EXISTS (SELECT 1 FROM users WHERE tenant = @tenant AND id = @user AND email IS NOT NULL)`,
    ),
    notification: db.prepare('INSERT OR IGNORE INTO notifications (tenant, user_id, seq, kind, document_id, actor_id, at) VALUES (?, ?, ?, ?, ?, ?, ?)'),
    readOne: db.prepare('UPDATE notifications SET read_at = ? WHERE tenant = ? AND user_id = ? AND seq = ? AND read_at IS NULL'),
    readUpTo: db.prepare('UPDATE notifications SET read_at = ? WHERE tenant = ? AND user_id = ? AND seq <= ? AND read_at IS NULL'),
    touch: db.prepare('UPDATE documents SET updated_at = ? WHERE tenant = ? AND id = ?'),
    category: db.prepare('UPDATE documents SET category_id = ?, updated_at = ? WHERE tenant = ? AND id = ?'),
    memo: db.prepare('UPDATE documents SET memo = ?, updated_at = ? WHERE tenant = ? AND id = ?'),
    content: db.prepare(
      `UPDATE documents SET version = ?, file_name = ?, media_type = ?, size_bytes = ?, sha256 = ?, blob_key = ?, updated_at = ?
       WHERE tenant = ? AND id = ?`,
    ),
    ackSet: db.prepare(
      `UPDATE documents SET ack_required = @required, ack_due_at = @dueAt, updated_at = @at,
         ack_from = CASE WHEN @required = 1 AND ack_required = 0 THEN version ELSE ack_from END,
         due_reminded = CASE WHEN ack_due_at IS @dueAt THEN due_reminded ELSE 0 END
       WHERE tenant = @tenant AND id = @id`,
    ),
    askAgain: db.prepare('UPDATE documents SET ack_from = ? WHERE tenant = ? AND id = ?'),
    acknowledged: db.prepare('INSERT OR IGNORE INTO acknowledgements VALUES (?, ?, ?, ?, ?)'),
    reminder: db.prepare('INSERT INTO reminders VALUES (?, ?, ?, ?, ?)'),
    dueReminded: db.prepare('UPDATE documents SET due_reminded = 1 WHERE tenant = ? AND id = ?'),
    collection: db.prepare('INSERT OR IGNORE INTO collections VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)'),
    asked: db.prepare('INSERT OR IGNORE INTO collection_asked VALUES (?, ?, ?)'),
    collectionStatus: db.prepare('UPDATE collections SET status = ? WHERE tenant = ? AND id = ?'),
    notifyAsked: db.prepare(
      `INSERT OR IGNORE INTO notifications (tenant, user_id, seq, kind, document_id, actor_id, at)
       SELECT tenant, user_id, ?, 'collection-requested', collection_id, ?, ? FROM collection_asked WHERE tenant = ? AND collection_id = ?`,
    ),
    collectionReminder: db.prepare('INSERT INTO collection_reminders VALUES (?, ?, ?, ?)'),
    mayEdit: db.prepare('UPDATE documents SET recipients_may_edit = ?, updated_at = ? WHERE tenant = ? AND id = ?'),
    // A recipient who may edit uploaded a version: the depositor hears of it too.
    notifyDepositor: db.prepare(
      `INSERT OR IGNORE INTO notifications (tenant, user_id, seq, kind, document_id, actor_id, at) SELECT tenant, depositor_id, ?, 'updated', id, ?, ? FROM documents
       WHERE tenant = ? AND id = ? AND depositor_id <> ?`,
    ),
    notifyUpdated: db.prepare(
      `INSERT INTO notifications (tenant, user_id, seq, kind, document_id, actor_id, at) SELECT tenant, user_id, ?, 'updated', document_id, ?, ? FROM recipients
       WHERE tenant = ? AND document_id = ? AND removed = 0 AND user_id <> ?`,
    ),
    webhook: db.prepare('INSERT OR REPLACE INTO webhooks VALUES (?, ?, ?, ?, 1, ?, ?)'),
    webhookDeleted: [db.prepare('DELETE FROM webhooks WHERE tenant = ? AND id = ?'), db.prepare('DELETE FROM webhook_outbox WHERE tenant = ? AND webhook_id = ?')],
    webhookDisabled: db.prepare('UPDATE webhooks SET active = 0 WHERE tenant = ? AND id = ?'),
    // The tenant's admins hear of an endpoint given up on.
    notifyAdmins: db.prepare(
      `INSERT OR IGNORE INTO notifications (tenant, user_id, seq, kind, document_id, actor_id, at)
       SELECT DISTINCT u.tenant, u.id, @seq, 'webhook-disabled', @webhookId, @actor, @at FROM users u, json_each(u.profiles) j
       JOIN profiles p ON p.tenant = u.tenant AND p.id = j.value, json_each(p.permissions) perm
       WHERE u.tenant = @tenant AND perm.value = 'locker.admin' AND u.kind <> 'student'`,
    ),
    // Asking recipients to acknowledge is news for them.
    notifyAskedToAcknowledge: db.prepare(
      `INSERT OR IGNORE INTO notifications (tenant, user_id, seq, kind, document_id, actor_id, at)
       SELECT tenant, user_id, ?, 'acknowledgement-asked', document_id, ?, ? FROM recipients WHERE tenant = ? AND document_id = ? AND removed = 0`,
    ),
    webhookAbandoned: db.prepare("UPDATE webhook_outbox SET status = 'abandoned' WHERE tenant = ? AND webhook_id = ? AND status = 'pending'"),
    webhookProgressed: db.prepare('UPDATE webhooks SET up_to = ? WHERE tenant = ? AND id = ?'),
    // Replayed by a rebuild, the progress comes after the events it covers, whose deliveries the
    // replay has just made again as pending: they went out already, so they are marked so. (Live,
    // progress is only recorded up to the oldest pending delivery: there is nothing to mark.)
    webhookDeliveredUpTo: db.prepare(
      "UPDATE webhook_outbox SET status = 'delivered', delivered_at = ? WHERE tenant = ? AND webhook_id = ? AND status = 'pending' AND position <= ?",
    ),
    // Deliveries of an event to every active endpoint that wants its type and has not had it yet
    // (after a rebuild, the recorded progress says where deliveries were).
    webhookDeliveries: db.prepare(
      `INSERT OR IGNORE INTO webhook_outbox (tenant, webhook_id, event_id, stream, seq, position, type, payload, status)
       SELECT w.tenant, w.id, @eventId, @stream, @seq, @position, @type, @payload, 'pending' FROM webhooks w
       WHERE w.tenant = @tenant AND w.active = 1 AND (w.up_to IS NULL OR w.up_to < @position)
         AND EXISTS (SELECT 1 FROM json_each(w.events) e WHERE e.value = '*' OR e.value = @type)`,
    ),
    hasWebhooks: db.prepare<[string], { n: number }>('SELECT count(*) AS n FROM webhooks WHERE tenant = ? AND active = 1'),
    userIds: db.prepare<[string], { id: string }>('SELECT id FROM users WHERE tenant = ?'),
    stagePart: [db.prepare('DELETE FROM directory_staging WHERE tenant = ? AND sync_id <> ?'), db.prepare('INSERT OR REPLACE INTO directory_staging VALUES (?, ?, ?, ?)')] as const,
    stagedParts: db.prepare<[string, string], { data: string }>('SELECT data FROM directory_staging WHERE tenant = ? AND sync_id = ? ORDER BY part'),
    unstage: db.prepare('DELETE FROM directory_staging WHERE tenant = ?'),
    departed: db.prepare('INSERT OR IGNORE INTO departed VALUES (?, ?, ?)'),
    returned: db.prepare('DELETE FROM departed WHERE tenant = ? AND user_id = ?'),
    eraseDelay: db.prepare('INSERT INTO settings (tenant, erase_after_days) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET erase_after_days = excluded.erase_after_days'),
    erased: db.prepare('INSERT OR IGNORE INTO erasures VALUES (?, ?, ?, ?, ?)'),
    // What the read models hold of an erased person beyond opaque ids.
    forget: ['preferences', 'notifications', 'outbox', 'departed'].map((t) => db.prepare(`DELETE FROM ${t} WHERE tenant = ? AND user_id = ?`)),
    clouds: db.prepare('INSERT INTO settings (tenant, clouds) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET clouds = excluded.clouds'),
    notificationSettings: db.prepare('INSERT INTO settings (tenant, notifications) VALUES (?, ?) ON CONFLICT (tenant) DO UPDATE SET notifications = excluded.notifications'),
    preferences: db.prepare<[string, string], { prefs: string }>('SELECT prefs FROM preferences WHERE tenant = ? AND user_id = ?'),
    setPreferences: db.prepare('INSERT INTO preferences VALUES (?, ?, ?) ON CONFLICT (tenant, user_id) DO UPDATE SET prefs = excluded.prefs'),
    // The mails of an event: one per notification it made, keyed by event and person.
    outbox: db.prepare(
      `INSERT OR IGNORE INTO outbox (tenant, mail_id, user_id, seq, kind, document_id, actor_id, at, status)
       SELECT tenant, @event || ':' || user_id, user_id, seq, kind, document_id, actor_id, at, 'pending' FROM notifications n WHERE tenant = @tenant AND seq = @seq
       AND EXISTS (SELECT 1 FROM users u WHERE u.tenant = n.tenant AND u.id = n.user_id AND u.email IS NOT NULL)`,
    ),
    mailSent: db.prepare("UPDATE outbox SET status = 'sent', message_id = ?, last_error = NULL WHERE tenant = ? AND mail_id IN (SELECT value FROM json_each(?))"),
    mailFailed: db.prepare("UPDATE outbox SET status = 'failed', last_error = ? WHERE tenant = ? AND mail_id IN (SELECT value FROM json_each(?)) AND status <> 'sent'"),
    mailRequeued: db.prepare(
      "UPDATE outbox SET status = 'pending', attempts = 0, next_attempt_at = NULL, held_until = NULL WHERE tenant = ? AND mail_id IN (SELECT value FROM json_each(?)) AND status = 'failed'",
    ),
    consulted: db.prepare('INSERT OR IGNORE INTO consultations VALUES (?, ?, ?, ?, ?)'),
    deleted: db.prepare('UPDATE documents SET deleted = 1, updated_at = ? WHERE tenant = ? AND id = ?'),
    // An expired document keeps no description in the read models: its key is gone from the log too.
    forgetDocument: [
      db.prepare("UPDATE documents SET title = '[erased]', memo = NULL, file_name = '[erased]' WHERE tenant = ? AND id = ?"),
      db.prepare("UPDATE versions SET file_name = '[erased]' WHERE tenant = ? AND document_id = ?"),
    ],
  };
  const clearAll = READ_MODEL_TABLES.map((t) => db.prepare(`DELETE FROM ${t}`));

  const addVersion = (tenant: string, documentId: string, c: Content, at: string) =>
    sql.version.run(tenant, documentId, c.version, c.blobKey, c.sha256, c.sizeBytes, c.fileName, c.mediaType, at);

  const addRecipients = (tenant: string, documentId: string, userIds: readonly string[], at: string, seq: number, kind: string | null, actor: string) => {
    for (const userId of userIds) {
      // Someone who had it before (and left its class or group) finds it as they left it.
      sql.rejoin.run({ tenant, document: documentId, user: userId, at, seq });
      sql.dropFormer.run(tenant, documentId, userId);
      if (kind) sql.notification.run(tenant, userId, seq, kind, documentId, actor, at);
    }
  };

  // The recipients of a new document, their notifications and the mails of those: the rows are
  // known here, so they are written as they are rather than looked up again (a deposit is most of a
  // log, and a rebuild writes these rows a hundred thousand times).
  const addFreshRecipients = (tenant: string, documentId: string, userIds: readonly string[], at: string, seq: number, mailsOf: string | null, actor: string) => {
    for (const userId of userIds) {
      sql.freshRecipient.run(tenant, documentId, userId, at, seq);
      if (mailsOf === null) continue;
      sql.notification.run(tenant, userId, seq, 'deposited', documentId, actor, at);
      if (options.mail) sql.mail.run({ tenant, mail: `${mailsOf}:${userId}`, user: userId, seq, document: documentId, actor, at });
    }
  };

  const addressTo = (tenant: string, documentId: string, year: string, classes: readonly { classId: string }[], groups: readonly string[]) => {
    for (const c of classes) sql.addressed.run(tenant, `class:${c.classId}`, documentId, year);
    for (const g of groups) sql.addressed.run(tenant, `group:${g}`, documentId, year);
  };

  /** The directory rows replaced by a new directory; who left it is noted, with the day. */
  const replaceDirectory = (tenant: string, directory: Directory, at: string): void => {
    const before = new Set(sql.userIds.all(tenant).map((r) => r.id));
    const after = new Set(directory.users.map((u) => u.id));
    for (const id of before) if (!after.has(id)) sql.departed.run(tenant, id, at);
    for (const id of after) sql.returned.run(tenant, id);
    for (const clear of sql.clearDirectory) clear.run(tenant);
    for (const p of directory.profiles) sql.profile.run(tenant, p.id, p.name, JSON.stringify(p.permissions));
    for (const u of directory.users) sql.user.run(tenant, u.id, u.displayName, u.kind, u.email ?? null, JSON.stringify(u.profiles));
    for (const c of directory.classes) sql.schoolClass.run(tenant, c.id, c.name, JSON.stringify(c.teacherIds));
  };

  const project = (recorded: RecordedEvent, seq: number): void => {
    const tenant = recorded.meta.tenant;
    const event = { type: recorded.type, data: recorded.data, actor: recorded.meta.actor, at: recorded.meta.at } as AnyEvent;
    switch (event.type) {
      case 'DirectorySynced':
        return replaceDirectory(tenant, event.data, event.at);
      case 'DirectoryPartStaged': {
        const { syncId, part, profiles, users, classes } = event.data;
        sql.stagePart[0].run(tenant, syncId);
        sql.stagePart[1].run(tenant, syncId, part, JSON.stringify({ profiles, users, classes }));
        return;
      }
      case 'DirectoryCommitted': {
        const parts = sql.stagedParts.all(tenant, event.data.syncId).map((r) => JSON.parse(r.data) as Directory);
        sql.unstage.run(tenant);
        return replaceDirectory(tenant, { profiles: parts.flatMap((p) => p.profiles), users: parts.flatMap((p) => p.users), classes: parts.flatMap((p) => p.classes) }, event.at);
      }
      case 'PersonErased':
        sql.erased.run(tenant, event.data.userId, event.at, event.actor, event.data.reason);
        for (const drop of sql.forget) drop.run(tenant, event.data.userId);
        return;
      case 'ErasureDelaySet':
        sql.eraseDelay.run(tenant, event.data.days);
        return;
      case 'LockerOpened':
      case 'LockerClosed':
        sql.locker.run(tenant, event.data.userId, event.type === 'LockerOpened' ? 1 : 0);
        return;
      case 'DocumentRemovedFromLocker':
        sql.removed.run(tenant, event.data.documentId, event.data.userId);
        return;
      case 'NotificationsRead': {
        const d = event.data;
        for (const id of d.ids) if (/^\d+$/.test(id)) sql.readOne.run(event.at, tenant, d.userId, Number(id));
        if (d.upTo !== undefined && /^\d+$/.test(d.upTo)) sql.readUpTo.run(event.at, tenant, d.userId, Number(d.upTo));
        return;
      }
      case 'DocumentRestoredToLocker':
        sql.restored.run(tenant, event.data.documentId, event.data.userId);
        return;
      case 'CategoryCreated':
        sql.categoryCreated.run(tenant, event.data.categoryId, event.data.designation, seq);
        return;
      case 'CategoryRenamed':
        sql.categoryRenamed.run(event.data.designation, tenant, event.data.categoryId);
        return;
      case 'CategoryRetentionSet':
        sql.categoryRetention.run(event.data.days, tenant, event.data.categoryId);
        return;
      case 'CategoryRetired':
        sql.categoryRetired.run(tenant, event.data.categoryId);
        return;
      case 'MaxDocumentSizeSet':
        sql.maxSize.run(tenant, event.data.maxDocumentBytes);
        return;
      case 'CurrentYearSet':
        sql.currentYear.run(tenant, event.data.year);
        return;
      case 'DocumentDeposited':
      case 'DocumentCarriedOver': {
        const d = event.data;
        const c = d.content;
        sql.document.run(tenant, d.documentId, seq, d.year, d.title, d.categoryId, d.memo, d.depositorId, event.at, event.at, c.version, c.fileName, c.mediaType, c.sizeBytes, c.sha256, c.blobKey, 'recipientsMayEdit' in d && d.recipientsMayEdit ? 1 : 0, 'acknowledgement' in d && d.acknowledgement?.required ? 1 : 0, ('acknowledgement' in d && d.acknowledgement?.dueAt) || null, ('collectionId' in d && d.collectionId) || null);
        addVersion(tenant, d.documentId, c, event.at);
        // A carried-over document is not news: its recipients had it last year, so no notification.
        addFreshRecipients(tenant, d.documentId, d.recipientIds, event.at, seq, event.type === 'DocumentDeposited' ? recorded.id : null, event.actor);
        addressTo(tenant, d.documentId, d.year, d.classes, d.groups);
        return;
      }
      case 'RecipientAdded': {
        const d = event.data;
        addRecipients(tenant, d.documentId, d.recipientIds, event.at, seq, 'recipient-added', event.actor);
        const year = sql.documentYear.get(tenant, d.documentId)?.year;
        if (year !== undefined) addressTo(tenant, d.documentId, year, d.classes, d.groups);
        sql.touch.run(event.at, tenant, d.documentId);
        return;
      }
      case 'RecipientJoined': {
        const d = event.data;
        addRecipients(tenant, d.documentId, [d.userId], event.at, seq, 'recipient-added', event.actor);
        sql.touch.run(event.at, tenant, d.documentId);
        return;
      }
      case 'RecipientLeft': {
        const d = event.data;
        sql.leave.run(tenant, d.documentId, d.userId);
        sql.dropRecipient.run(tenant, d.documentId, d.userId);
        sql.touch.run(event.at, tenant, d.documentId);
        return;
      }
      case 'CategoryChanged':
        sql.category.run(event.data.categoryId, event.at, tenant, event.data.documentId);
        return;
      case 'MemoChanged':
        sql.memo.run(event.data.memo, event.at, tenant, event.data.documentId);
        return;
      case 'DocumentUpdated': {
        const c = event.data.content;
        sql.content.run(c.version, c.fileName, c.mediaType, c.sizeBytes, c.sha256, c.blobKey, event.at, tenant, event.data.documentId);
        addVersion(tenant, event.data.documentId, c, event.at);
        // Everyone who has it, but not the one who uploaded it.
        sql.notifyUpdated.run(seq, event.actor, event.at, tenant, event.data.documentId, event.actor);
        sql.notifyDepositor.run(seq, event.actor, event.at, tenant, event.data.documentId, event.actor);
        // A new version asks for acknowledgement again; a minor one does not.
        if (!event.data.minor) sql.askAgain.run(c.version, tenant, event.data.documentId);
        return;
      }
      case 'AcknowledgementSet': {
        const d = event.data;
        sql.ackSet.run({ required: d.required ? 1 : 0, dueAt: d.dueAt, at: event.at, tenant, id: d.documentId });
        if (asksAnew(event)) sql.notifyAskedToAcknowledge.run(seq, event.actor, event.at, tenant, d.documentId);
        return;
      }
      case 'DocumentAcknowledged':
        sql.acknowledged.run(tenant, event.data.documentId, event.data.userId, event.data.version, event.at);
        return;
      case 'ReminderSent': {
        const d = event.data;
        for (const userId of d.userIds) {
          sql.reminder.run(tenant, d.documentId, userId, event.at, d.reason);
          sql.notification.run(tenant, userId, seq, 'reminder', d.documentId, event.actor, event.at);
        }
        if (d.reason === 'due') sql.dueReminded.run(tenant, d.documentId);
        return;
      }
      case 'RecipientsMayEditSet':
        sql.mayEdit.run(event.data.recipientsMayEdit ? 1 : 0, event.at, tenant, event.data.documentId);
        return;
      case 'CarriedDocumentRefreshed': {
        const d = event.data;
        if (d.content) {
          const c = d.content;
          sql.content.run(c.version, c.fileName, c.mediaType, c.sizeBytes, c.sha256, c.blobKey, event.at, tenant, d.documentId);
          addVersion(tenant, d.documentId, c, event.at);
        }
        if (d.memo !== undefined) sql.memo.run(d.memo, event.at, tenant, d.documentId);
        if (d.categoryId !== undefined) sql.category.run(d.categoryId, event.at, tenant, d.documentId);
        // Carried documents are not news until their year opens: nobody is notified.
        addRecipients(tenant, d.documentId, d.recipientIds, event.at, seq, null, event.actor);
        sql.touch.run(event.at, tenant, d.documentId);
        return;
      }
      case 'DocumentConsulted':
        sql.consulted.run(tenant, event.data.documentId, event.data.userId, event.data.version, event.at);
        return;
      case 'DocumentDeletedForAll':
      case 'DocumentExpired':
        sql.deleted.run(event.at, tenant, event.data.documentId);
        sql.unaddressed.run(tenant, event.data.documentId);
        if (event.type === 'DocumentExpired') for (const forget of sql.forgetDocument) forget.run(tenant, event.data.documentId);
        return;
      case 'CollectionCreated': {
        const d = event.data;
        sql.collection.run(tenant, d.collectionId, seq, d.year, d.requesterId, d.title, d.instructions, d.categoryId, d.dueAt, 'draft', event.at);
        for (const userId of d.askedIds) sql.asked.run(tenant, d.collectionId, userId);
        return;
      }
      case 'CollectionPublished':
        sql.collectionStatus.run('open', tenant, event.data.collectionId);
        sql.notifyAsked.run(seq, event.actor, event.at, tenant, event.data.collectionId);
        return;
      case 'CollectionClosed':
        sql.collectionStatus.run('closed', tenant, event.data.collectionId);
        return;
      case 'CollectionReminderSent':
        for (const userId of event.data.userIds) {
          sql.collectionReminder.run(tenant, event.data.collectionId, userId, event.at);
          sql.notification.run(tenant, userId, seq, 'collection-reminder', event.data.collectionId, event.actor, event.at);
        }
        return;
      case 'NotificationSettingsSet':
        sql.notificationSettings.run(tenant, JSON.stringify(event.data));
        return;
      case 'WebhookRegistered':
        // Deliveries start after the event that registered it.
        sql.webhook.run(tenant, event.data.webhookId, event.data.url, JSON.stringify(event.data.events), padded(recorded.position), event.at);
        return;
      case 'WebhookDeleted':
        for (const drop of sql.webhookDeleted) drop.run(tenant, event.data.webhookId);
        return;
      case 'WebhookDisabled':
        sql.webhookDisabled.run(tenant, event.data.webhookId);
        sql.webhookAbandoned.run(tenant, event.data.webhookId);
        sql.notifyAdmins.run({ seq, webhookId: event.data.webhookId, actor: event.actor, at: event.at, tenant });
        return;
      case 'WebhookProgressed':
        sql.webhookProgressed.run(padded(BigInt(event.data.upTo)), tenant, event.data.webhookId);
        sql.webhookDeliveredUpTo.run(event.at, tenant, event.data.webhookId, padded(BigInt(event.data.upTo)));
        return;
      case 'CloudsSet':
        sql.clouds.run(tenant, JSON.stringify(event.data.clouds));
        return;
      case 'PreferencesSet': {
        const { userId, ...chosen } = event.data;
        const before = sql.preferences.get(tenant, userId);
        sql.setPreferences.run(tenant, userId, JSON.stringify({ ...(before ? JSON.parse(before.prefs) : {}), ...chosen }));
        return;
      }
      case 'EmailSent':
        sql.mailSent.run(event.data.messageId, tenant, JSON.stringify(event.data.mailIds));
        return;
      case 'EmailFailed':
        sql.mailFailed.run(event.data.error, tenant, JSON.stringify(event.data.mailIds));
        return;
      case 'EmailRequeued':
        sql.mailRequeued.run(tenant, JSON.stringify(event.data.mailIds));
        return;
      default:
        // Events this node does not project yet (newer types) are skipped, not fatal.
        return;
    }
  };

  /** Whether an AcknowledgementSet asks people anew (not a moved due date); before `ask` existed, a required one did. */
  const asksAnew = (event: { data: unknown }) => {
    const d = event.data as { required: boolean; ask?: boolean };
    return d.required && d.ask !== false;
  };
  /** Every notification an event made is also a mail to send (a deposit queues its own, above). */
  const MAILED = new Set(['RecipientAdded', 'RecipientJoined', 'DocumentUpdated', 'ReminderSent', 'AcknowledgementSet', 'CollectionPublished', 'CollectionReminderSent', 'WebhookDisabled']);

  // Whether it committed or not, what the caches read of the tenants' versions is read again.
  const afterwards = <A extends unknown[]>(work: (...args: A) => void) => (...args: A): void => {
    try {
      work(...args);
    } finally {
      tenantsMoved(db);
    }
  };

  return {
    checkpoint: (): bigint => {
      const row = sql.checkpoint.get();
      return row ? BigInt(row.position) : 0n;
    },
    apply: afterwards(db.transaction((events: readonly RecordedEvent[]) => {
      const current = sql.checkpoint.get();
      let seq = current?.seq ?? 0;
      // Another process on the same file (the CLI beside the server) may have applied some of these
      // already: only what lies beyond the stored checkpoint is projected, so applying is idempotent.
      const fresh = current ? events.filter((e) => e.position > BigInt(current.position)) : events;
      const moved = new Map<string, bigint>();
      // Whether a tenant has an active endpoint, asked once a batch rather than once an event;
      // forgotten whenever an event about its webhooks is projected.
      const hooked = new Map<string, boolean>();
      const hasWebhooks = (tenant: string) => {
        let known = hooked.get(tenant);
        if (known === undefined) hooked.set(tenant, (known = (sql.hasWebhooks.get(tenant)?.n ?? 0) > 0));
        return known;
      };
      for (const event of fresh) {
        project(event, ++seq);
        moved.set(event.meta.tenant, event.position);
        if (event.type.startsWith('Webhook')) hooked.delete(event.meta.tenant);
        if (options.mail && MAILED.has(event.type) && (event.type !== 'AcknowledgementSet' || asksAnew(event))) sql.outbox.run({ event: event.id, tenant: event.meta.tenant, seq });
        if (isPublicEvent(event.type) && hasWebhooks(event.meta.tenant)) {
          const payload = publicEvent({ id: event.id, type: event.type, tenant: event.meta.tenant, at: event.meta.at, actor: event.meta.actor, data: event.data as Record<string, unknown> });
          sql.webhookDeliveries.run({ eventId: event.id, stream: event.stream, seq, position: padded(event.position), type: event.type, payload: JSON.stringify(payload), tenant: event.meta.tenant });
        }
      }
      const last = fresh[fresh.length - 1];
      if (last) sql.setCheckpoint.run(String(last.position), seq);
      for (const [tenant, position] of moved) sql.tenantMoved.run(tenant, padded(position));
    })),
    reset: afterwards(db.transaction(() => {
      for (const clear of clearAll) clear.run();
    })),
  };
};
