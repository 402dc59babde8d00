import { err, ok, type Result } from 'neverthrow';
import type { DirectoryView } from '../directory/directory.js';
import type { CommandContext } from '../shared/decider.js';
import { hasLocker } from '../shared/permissions.js';
import { usableCategory, type TenantSettings } from '../tenant-settings/tenant-settings.js';
import { canRead, consultationKey, latest, type DocumentState, type LiveDocument } from './document.js';
import type { DocumentError, RefusedRecipient } from './errors.js';
import type { ClassRecipient, Content, DocumentEvent } from './events.js';

export const LIMITS = { title: 200, memo: 2000, fileName: 255 } as const;

export type RecipientChoice = { readonly users: readonly string[]; readonly classes: readonly string[] };
export type ResolvedRecipients = { readonly recipientIds: string[]; readonly classes: ClassRecipient[] };
/** A file as stored: everything about a version except its number, which the document assigns. */
export type StoredFile = Omit<Content, 'version'>;

/**
 * Users must hold a locker; a class stands for its teaching team as the directory has it now.
 * The depositor is never their own recipient: they see the document in their distribution.
 */
export const resolveRecipients = (
  directory: DirectoryView,
  choice: RecipientChoice,
  depositorId: string,
): Result<ResolvedRecipients, DocumentError> => {
  const refused: RefusedRecipient[] = [];
  const ids = new Set<string>();
  for (const id of choice.users) {
    const user = directory.user(id);
    if (!user) refused.push({ kind: 'user', id, reason: 'unknown' });
    else if (!hasLocker(user.kind)) refused.push({ kind: 'user', id, reason: 'student' });
    else ids.add(id);
  }
  const classes: ClassRecipient[] = [];
  for (const id of new Set(choice.classes)) {
    const schoolClass = directory.schoolClass(id);
    if (!schoolClass) {
      refused.push({ kind: 'class', id, reason: 'unknown' });
      continue;
    }
    const team = schoolClass.teacherIds.filter((t) => {
      const teacher = directory.user(t);
      return teacher !== undefined && hasLocker(teacher.kind);
    });
    if (team.length === 0) refused.push({ kind: 'class', id, reason: 'no-teaching-team' });
    classes.push({ classId: id, teacherIds: team });
    for (const t of team) ids.add(t);
  }
  if (refused.length > 0) return err({ code: 'RECIPIENTS_REFUSED', refused });
  ids.delete(depositorId);
  return ok({ recipientIds: [...ids], classes });
};

const checkText = (field: 'title' | 'memo' | 'fileName', value: string | null): Result<void, DocumentError> =>
  value !== null && value.length > LIMITS[field] ? err({ code: 'TEXT_TOO_LONG', field, max: LIMITS[field] }) : ok(undefined);

const checkFile = (file: StoredFile, maxDocumentBytes: number): Result<void, DocumentError> => {
  if (file.sizeBytes === 0) return err({ code: 'EMPTY_FILE' });
  if (file.sizeBytes > maxDocumentBytes) return err({ code: 'FILE_TOO_LARGE', maxDocumentBytes });
  return checkText('fileName', file.fileName);
};

const fromCategoryError = (e: { code: string; categoryId?: string }, categoryId: string): DocumentError =>
  e.code === 'CATEGORY_RETIRED' ? { code: 'CATEGORY_RETIRED', categoryId } : { code: 'CATEGORY_NOT_FOUND', categoryId };

export type DepositContext = {
  readonly directory: DirectoryView;
  readonly settings: TenantSettings;
  readonly maxDocumentBytes: number;
  readonly year: string;
};

export type DepositRequest = CommandContext & {
  readonly documentId: string;
  readonly recipients: RecipientChoice;
  readonly categoryId: string;
  readonly title: string | null;
  readonly memo: string | null;
  readonly idempotency?: { key: string; fingerprint: string } | undefined;
};

/**
 * Everything about a deposit that can be refused before a single byte is uploaded, so a refused
 * deposit costs the client nothing and the server no storage.
 */
export const checkDeposit = (ctx: DepositContext, req: DepositRequest): Result<ResolvedRecipients, DocumentError> => {
  if (!ctx.directory.permissionsOf(req.actorId).has('locker.deposit') || !isStaff(ctx.directory, req.actorId)) {
    return err({ code: 'NOT_ALLOWED_TO_DEPOSIT', userId: req.actorId });
  }
  return checkText('title', req.title)
    .andThen(() => checkText('memo', req.memo))
    .andThen(() => usableCategory(ctx.settings, req.categoryId).mapErr((e) => fromCategoryError(e, req.categoryId)))
    .andThen(() => resolveRecipients(ctx.directory, req.recipients, req.actorId))
    .andThen((resolved) => (resolved.recipientIds.length === 0 ? err({ code: 'NO_RECIPIENTS' } as const) : ok(resolved)));
};

const isStaff = (directory: DirectoryView, userId: string): boolean => {
  const user = directory.user(userId);
  return user !== undefined && hasLocker(user.kind);
};

export const deposit = (
  state: DocumentState,
  ctx: DepositContext,
  req: DepositRequest & { readonly file: StoredFile },
): Result<DocumentEvent[], DocumentError> => {
  if (state.status !== 'none') return err({ code: 'ALREADY_DEPOSITED', documentId: req.documentId });
  return checkDeposit(ctx, req).andThen((resolved) =>
    checkFile(req.file, ctx.maxDocumentBytes).map((): DocumentEvent[] => [
      {
        type: 'DocumentDeposited',
        data: {
          documentId: req.documentId,
          year: ctx.year,
          depositorId: req.actorId,
          title: req.title ?? req.file.fileName,
          categoryId: req.categoryId,
          memo: req.memo,
          recipientIds: resolved.recipientIds,
          classes: resolved.classes,
          content: { ...req.file, version: 1 },
          source: 'upload',
          ...(req.idempotency ? { idempotency: req.idempotency } : {}),
        },
        actor: req.actorId,
        at: req.at,
      },
    ]),
  );
};

/** What every management command carries: the tenant's current year, when the caller knows it. */
export type Managing = CommandContext & { readonly documentId: string; readonly currentYear?: string | undefined };

/** Only the depositor manages a live document, and only while its school year is the current one. */
const managed = (state: DocumentState, cmd: Managing): Result<LiveDocument, DocumentError> => {
  const { actorId, documentId } = cmd;
  if (state.status === 'none') return err({ code: 'DOCUMENT_NOT_FOUND', documentId });
  if (state.status === 'deleted') return err({ code: 'DOCUMENT_DELETED', documentId });
  if (state.depositorId !== actorId) return err({ code: 'NOT_DEPOSITOR', documentId });
  if (cmd.currentYear !== undefined && state.year !== cmd.currentYear) return err({ code: 'YEAR_CLOSED', documentId, year: state.year });
  return ok(state);
};

export const addRecipients = (
  state: DocumentState,
  directory: DirectoryView,
  cmd: Managing & { recipients: RecipientChoice },
): Result<DocumentEvent[], DocumentError> =>
  managed(state, cmd).andThen((doc) =>
    resolveRecipients(directory, cmd.recipients, doc.depositorId).map((resolved): DocumentEvent[] => {
      const fresh = resolved.recipientIds.filter((id) => !doc.recipients.has(id));
      if (fresh.length === 0) return [];
      return [
        {
          type: 'RecipientAdded',
          data: { documentId: doc.id, recipientIds: fresh, classes: resolved.classes },
          actor: cmd.actorId,
          at: cmd.at,
        },
      ];
    }),
  );

export const changeCategory = (
  state: DocumentState,
  settings: TenantSettings,
  cmd: Managing & { categoryId: string },
): Result<DocumentEvent[], DocumentError> =>
  managed(state, cmd).andThen((doc) =>
    doc.categoryId === cmd.categoryId
      ? ok([])
      : usableCategory(settings, cmd.categoryId)
          .mapErr((e) => fromCategoryError(e, cmd.categoryId))
          .map((): DocumentEvent[] => [
            { type: 'CategoryChanged', data: { documentId: doc.id, categoryId: cmd.categoryId }, actor: cmd.actorId, at: cmd.at },
          ]),
  );

export const changeMemo = (
  state: DocumentState,
  cmd: Managing & { memo: string | null },
): Result<DocumentEvent[], DocumentError> =>
  managed(state, cmd).andThen((doc) => {
    const memo = cmd.memo === null || cmd.memo.trim() === '' ? null : cmd.memo;
    if (memo === doc.memo) return ok([]);
    return checkText('memo', memo).map((): DocumentEvent[] => [
      { type: 'MemoChanged', data: { documentId: doc.id, memo }, actor: cmd.actorId, at: cmd.at },
    ]);
  });

/** A new version keeps the document, its recipients and its history: versions count up by one. */
export const updateContent = (
  state: DocumentState,
  maxDocumentBytes: number,
  cmd: Managing & { file: StoredFile },
): Result<DocumentEvent[], DocumentError> =>
  managed(state, cmd).andThen((doc) =>
    checkFile(cmd.file, maxDocumentBytes).map((): DocumentEvent[] => [
      {
        type: 'DocumentUpdated',
        data: { documentId: doc.id, content: { ...cmd.file, version: latest(doc).version + 1 } },
        actor: cmd.actorId,
        at: cmd.at,
      },
    ]),
  );

export const deleteForAll = (
  state: DocumentState,
  cmd: Managing,
): Result<DocumentEvent[], DocumentError> =>
  managed(state, cmd).map((doc): DocumentEvent[] => [
    { type: 'DocumentDeletedForAll', data: { documentId: doc.id }, actor: cmd.actorId, at: cmd.at },
  ]);

/**
 * Opening a document: the latest version unless another is asked for. A recipient's first opening
 * of each version is recorded; the depositor's openings are not consultations.
 */
export const consult = (
  state: DocumentState,
  cmd: CommandContext & { documentId: string; version?: number | undefined },
): Result<{ content: Content; events: DocumentEvent[] }, DocumentError> => {
  if (state.status === 'none' || !canRead(state, cmd.actorId)) return err({ code: 'DOCUMENT_NOT_FOUND', documentId: cmd.documentId });
  const content = cmd.version === undefined ? latest(state) : state.versions.find((v) => v.version === cmd.version);
  if (!content) return err({ code: 'VERSION_NOT_FOUND', documentId: state.id, version: cmd.version ?? 0 });
  const first = state.recipients.has(cmd.actorId) && !state.consulted.has(consultationKey(cmd.actorId, content.version));
  const events: DocumentEvent[] = first
    ? [{ type: 'DocumentConsulted', data: { documentId: state.id, userId: cmd.actorId, version: content.version }, actor: cmd.actorId, at: cmd.at }]
    : [];
  return ok({ content, events });
};
