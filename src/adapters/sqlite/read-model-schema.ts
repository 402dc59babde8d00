/** Bump when a table changes: the read models are then dropped and rebuilt from the log at start. */
export const READ_MODEL_VERSION = 19;

/** Projections only: every row here can be rebuilt from the event log (`locker rebuild`). */
export const READ_MODEL_SCHEMA = `
-- position: the event store's, as text (EventStoreDB positions do not fit SQLite integers);
-- seq: this node's own count of applied events, which orders listings and cursors.
CREATE TABLE IF NOT EXISTS checkpoint (id INTEGER PRIMARY KEY CHECK (id = 1), position TEXT NOT NULL, seq INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS profiles (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, permissions TEXT NOT NULL, PRIMARY KEY (tenant, id));
CREATE TABLE IF NOT EXISTS users (
  tenant TEXT NOT NULL, id TEXT NOT NULL, display_name TEXT NOT NULL, kind TEXT NOT NULL, email TEXT, profiles TEXT NOT NULL,
  PRIMARY KEY (tenant, id));
CREATE TABLE IF NOT EXISTS classes (tenant TEXT NOT NULL, id TEXT NOT NULL, name TEXT NOT NULL, teacher_ids TEXT NOT NULL, PRIMARY KEY (tenant, id));
CREATE TABLE IF NOT EXISTS lockers (tenant TEXT NOT NULL, user_id TEXT NOT NULL, open INTEGER NOT NULL, PRIMARY KEY (tenant, user_id));
CREATE TABLE IF NOT EXISTS categories (
  tenant TEXT NOT NULL, id TEXT NOT NULL, designation TEXT NOT NULL, retired INTEGER NOT NULL DEFAULT 0, seq INTEGER NOT NULL,
  retention_days INTEGER,
  PRIMARY KEY (tenant, id));
CREATE TABLE IF NOT EXISTS settings (tenant TEXT PRIMARY KEY, max_document_bytes INTEGER, current_year TEXT, notifications TEXT, clouds TEXT, erase_after_days INTEGER, quarantine_days INTEGER);
-- People who left the directory, and when: erased once the tenant's delay has passed.
CREATE TABLE IF NOT EXISTS departed (tenant TEXT NOT NULL, user_id TEXT NOT NULL, left_at TEXT NOT NULL, PRIMARY KEY (tenant, user_id));
CREATE TABLE IF NOT EXISTS refused_uploads (tenant TEXT NOT NULL, upload_id TEXT NOT NULL, user_id TEXT NOT NULL, file_name TEXT NOT NULL, signature TEXT NOT NULL, via TEXT NOT NULL, at TEXT NOT NULL, PRIMARY KEY (tenant, upload_id));
CREATE TABLE IF NOT EXISTS erasures (tenant TEXT NOT NULL, user_id TEXT NOT NULL, at TEXT NOT NULL, actor_id TEXT NOT NULL, reason TEXT NOT NULL, PRIMARY KEY (tenant, user_id));
-- A person's own mail choices (JSON: email?, quietHours?), over the tenant's defaults.
CREATE TABLE IF NOT EXISTS preferences (tenant TEXT NOT NULL, user_id TEXT NOT NULL, prefs TEXT NOT NULL, PRIMARY KEY (tenant, user_id));
CREATE TABLE IF NOT EXISTS documents (
  tenant TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, year TEXT NOT NULL, title TEXT NOT NULL,
  category_id TEXT NOT NULL, memo TEXT, depositor_id TEXT NOT NULL, deposited_at TEXT NOT NULL, updated_at TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0, version INTEGER NOT NULL, file_name TEXT NOT NULL, media_type TEXT NOT NULL,
  size_bytes INTEGER NOT NULL, sha256 TEXT NOT NULL, blob_key TEXT NOT NULL, recipients_may_edit INTEGER NOT NULL DEFAULT 0,
  -- Acknowledgement asked (and by when), from which version on, and whether the due reminder went.
  ack_required INTEGER NOT NULL DEFAULT 0, ack_due_at TEXT, ack_from INTEGER NOT NULL DEFAULT 1, due_reminded INTEGER NOT NULL DEFAULT 0,
  collection_id TEXT,
  PRIMARY KEY (tenant, id));
CREATE INDEX IF NOT EXISTS documents_by_collection ON documents (tenant, collection_id) WHERE collection_id IS NOT NULL;
CREATE TABLE IF NOT EXISTS collections (
  tenant TEXT NOT NULL, id TEXT NOT NULL, seq INTEGER NOT NULL, year TEXT NOT NULL, requester_id TEXT NOT NULL, title TEXT NOT NULL,
  instructions TEXT, category_id TEXT NOT NULL, due_at TEXT NOT NULL, status TEXT NOT NULL, created_at TEXT NOT NULL,
  PRIMARY KEY (tenant, id));
CREATE INDEX IF NOT EXISTS collections_by_requester ON collections (tenant, requester_id, seq);
CREATE TABLE IF NOT EXISTS collection_asked (tenant TEXT NOT NULL, collection_id TEXT NOT NULL, user_id TEXT NOT NULL, PRIMARY KEY (tenant, collection_id, user_id));
CREATE INDEX IF NOT EXISTS collection_asked_by_user ON collection_asked (tenant, user_id);
CREATE TABLE IF NOT EXISTS collection_reminders (tenant TEXT NOT NULL, collection_id TEXT NOT NULL, user_id TEXT NOT NULL, at TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS documents_due ON documents (ack_due_at) WHERE ack_required = 1 AND due_reminded = 0 AND deleted = 0;
CREATE TABLE IF NOT EXISTS acknowledgements (
  tenant TEXT NOT NULL, document_id TEXT NOT NULL, user_id TEXT NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL,
  PRIMARY KEY (tenant, document_id, user_id, version));
CREATE TABLE IF NOT EXISTS reminders (
  tenant TEXT NOT NULL, document_id TEXT NOT NULL, user_id TEXT NOT NULL, at TEXT NOT NULL, reason TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS reminders_by_document ON reminders (tenant, document_id, user_id);
CREATE INDEX IF NOT EXISTS documents_by_depositor ON documents (tenant, depositor_id, seq);
-- How many documents a year has (a rollover's progress), without reading every row of the tenant.
CREATE INDEX IF NOT EXISTS documents_by_year ON documents (tenant, year);
CREATE TABLE IF NOT EXISTS versions (
  tenant TEXT NOT NULL, document_id TEXT NOT NULL, version INTEGER NOT NULL, blob_key TEXT NOT NULL, sha256 TEXT NOT NULL,
  size_bytes INTEGER NOT NULL, file_name TEXT NOT NULL, media_type TEXT NOT NULL, at TEXT NOT NULL,
  -- 'pending' (accepted unscanned) or 'quarantined' (found infected, with the signature and when).
  scan TEXT, signature TEXT, scanned_at TEXT,
  PRIMARY KEY (tenant, document_id, version));
CREATE INDEX IF NOT EXISTS versions_by_scan ON versions (scan) WHERE scan IS NOT NULL;
CREATE INDEX IF NOT EXISTS versions_by_blob ON versions (blob_key);
CREATE TABLE IF NOT EXISTS recipients (
  tenant TEXT NOT NULL, document_id TEXT NOT NULL, user_id TEXT NOT NULL, added_at TEXT NOT NULL, seq INTEGER NOT NULL,
  removed INTEGER NOT NULL DEFAULT 0,
  -- The notice of its arrival, kept on the row it is about (no row of its own): kind, who, read when.
  notice TEXT, notice_actor TEXT, notice_read_at TEXT,
  PRIMARY KEY (tenant, document_id, user_id));
CREATE INDEX IF NOT EXISTS recipients_by_user ON recipients (tenant, user_id, seq);
-- Who left an addressed class or group, and whether they had removed it: a rejoiner finds it as they left it.
CREATE TABLE IF NOT EXISTS former_recipients (
  tenant TEXT NOT NULL, document_id TEXT NOT NULL, user_id TEXT NOT NULL, removed INTEGER NOT NULL,
  PRIMARY KEY (tenant, document_id, user_id));
-- Live documents by the classes and groups they are addressed to ('class:<id>', 'group:<name>'):
-- a directory change looks up only the documents of the targets that changed.
CREATE TABLE IF NOT EXISTS addressed (
  tenant TEXT NOT NULL, target TEXT NOT NULL, document_id TEXT NOT NULL, year TEXT NOT NULL,
  PRIMARY KEY (tenant, target, document_id));
CREATE INDEX IF NOT EXISTS addressed_by_document ON addressed (tenant, document_id);
CREATE TABLE IF NOT EXISTS consultations (
  tenant TEXT NOT NULL, document_id TEXT NOT NULL, user_id TEXT NOT NULL, version INTEGER NOT NULL, at TEXT NOT NULL,
  PRIMARY KEY (tenant, document_id, user_id, version));
CREATE TABLE IF NOT EXISTS notifications (
  tenant TEXT NOT NULL, user_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL, document_id TEXT NOT NULL,
  actor_id TEXT NOT NULL, at TEXT NOT NULL, read_at TEXT,
  PRIMARY KEY (tenant, user_id, seq));
CREATE INDEX IF NOT EXISTS notifications_by_seq ON notifications (tenant, seq);
-- One mail per (event, person), fed from the notifications. status and message_id follow the log
-- (EmailSent, EmailFailed, EmailRequeued); attempts, next_attempt_at, held_until and a skip are this
-- node's delivery bookkeeping, written by the dispatcher: a rebuild starts them over.
CREATE TABLE IF NOT EXISTS outbox (
  tenant TEXT NOT NULL, mail_id TEXT NOT NULL, user_id TEXT NOT NULL, seq INTEGER NOT NULL, kind TEXT NOT NULL,
  document_id TEXT NOT NULL, actor_id TEXT NOT NULL, at TEXT NOT NULL, status TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT, held_until TEXT, last_error TEXT, message_id TEXT,
  PRIMARY KEY (tenant, mail_id));
CREATE INDEX IF NOT EXISTS outbox_by_status ON outbox (status, tenant, seq);
CREATE TABLE IF NOT EXISTS webhooks (
  tenant TEXT NOT NULL, id TEXT NOT NULL, url TEXT NOT NULL, events TEXT NOT NULL, active INTEGER NOT NULL, up_to TEXT, registered_at TEXT NOT NULL,
  PRIMARY KEY (tenant, id));
-- One delivery per (endpoint, event), delivered in order per stream. The payload holds ids only.
-- status follows this node's attempts (a rebuild starts after the endpoint's recorded progress).
CREATE TABLE IF NOT EXISTS webhook_outbox (
  tenant TEXT NOT NULL, webhook_id TEXT NOT NULL, event_id TEXT NOT NULL, stream TEXT NOT NULL, seq INTEGER NOT NULL, position TEXT NOT NULL,
  type TEXT NOT NULL, payload TEXT NOT NULL, status TEXT NOT NULL, attempts INTEGER NOT NULL DEFAULT 0, next_attempt_at TEXT,
  first_failed_at TEXT, last_error TEXT, last_status INTEGER, delivered_at TEXT,
  PRIMARY KEY (tenant, webhook_id, event_id));
CREATE INDEX IF NOT EXISTS webhook_outbox_pending ON webhook_outbox (tenant, webhook_id, stream, seq) WHERE status = 'pending';
CREATE INDEX IF NOT EXISTS webhook_outbox_by_seq ON webhook_outbox (tenant, webhook_id, seq);
-- The log position of each tenant's last projected event, whoever projected it (this process or the
-- CLI beside it): a cached answer about a tenant is good while this has not moved.
CREATE TABLE IF NOT EXISTS tenant_versions (tenant TEXT PRIMARY KEY, position TEXT NOT NULL);
-- The parts of a directory synced in parts, until its commit puts them together (the last sync's only).
CREATE TABLE IF NOT EXISTS directory_staging (tenant TEXT NOT NULL, sync_id TEXT NOT NULL, part INTEGER NOT NULL, data TEXT NOT NULL, PRIMARY KEY (tenant, sync_id, part));
`;

export const READ_MODEL_TABLES = [
  'checkpoint', 'profiles', 'users', 'classes', 'lockers', 'categories', 'settings',
  'documents', 'versions', 'recipients', 'former_recipients', 'addressed', 'collections', 'collection_asked', 'collection_reminders', 'consultations', 'acknowledgements', 'reminders', 'notifications', 'preferences', 'outbox', 'webhooks', 'webhook_outbox', 'departed', 'erasures', 'refused_uploads', 'tenant_versions', 'directory_staging',
] as const;
