import { err, ok, type Result } from 'neverthrow';
import type { DirectoryView } from '../directory/directory.js';
import { holdsLocker } from '../directory/directory.js';
import type { Move, Target } from '../directory/groups.js';
import type { CommandContext, Decider } from '../shared/decider.js';
import { cleanText } from '../shared/text.js';
import { usableCategory, type TenantSettings } from '../tenant-settings/tenant-settings.js';
import { canManage, canRead, consultationKey, evolveDocument, initialDocument, latest, versionOf, type DocumentState, type LiveDocument } from './document.js';
import type { CarrySkipReason, DocumentError } from './errors.js';
import type { CloudSource, Content, DocumentEvent } from './events.js';
import { reachedThrough, resolveRecipients, targetsOf, type RecipientChoice, type ResolvedRecipients } from './recipients.js';

export const LIMITS = { title: 200, memo: 2000, fileName: 255 } as const;

/** A file as stored: everything about a version except its number, which the document assigns. */
export type StoredFile = Omit<Content, 'version'>;

/** What a deposit is decided against besides the document itself: read by the caller, handed in. */
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
  readonly recipientsMayEdit?: boolean | undefined;
  readonly acknowledgement?: { readonly required: boolean; readonly dueAt?: string | null | undefined } | undefined;
  readonly idempotency?: { key: string; fingerprint: string } | undefined;
  /** A submission to a collection request: whoever was asked may submit, locker.deposit or not. */
  readonly collectionId?: string | undefined;
  /** The file came from a cloud account rather than the request. */
  readonly cloud?: CloudSource | undefined;
};

/** Every management command says on which document, and the tenant's current year. */
export type Managing = CommandContext & { readonly documentId: string; readonly currentYear: string };

export type DocumentCommand =
  | ({ readonly type: 'Deposit'; readonly context: DepositContext; readonly file: StoredFile } & DepositRequest)
  | ({ readonly type: 'AddRecipients'; readonly directory: DirectoryView; readonly recipients: RecipientChoice } & Managing)
  | ({
      readonly type: 'ChangeDetails';
      readonly settings: TenantSettings;
      readonly categoryId?: string | undefined;
      readonly memo?: string | null | undefined;
      readonly recipientsMayEdit?: boolean | undefined;
      readonly acknowledgement?: { readonly required: boolean; readonly dueAt?: string | null | undefined } | undefined;
    } & Managing)
  | ({ readonly type: 'UpdateContent'; readonly maxDocumentBytes: number; readonly file: StoredFile; readonly minor?: boolean | undefined; readonly cloud?: CloudSource | undefined } & Managing)
  | ({ readonly type: 'Acknowledge'; readonly documentId: string } & CommandContext)
  /** The depositor reminds who has not opened (or not acknowledged) the latest version. */
  | ({ readonly type: 'Remind' } & Managing)
  /** The scheduler, once `dueAt` has passed. */
  | ({ readonly type: 'RemindDue'; readonly documentId: string } & CommandContext)
  /** Retention: the category's days, counted from the deposit. */
  | ({ readonly type: 'Expire'; readonly documentId: string; readonly retentionDays: number } & CommandContext)
  | ({ readonly type: 'DeleteForAll' } & Managing)
  | ({ readonly type: 'Consult'; readonly documentId: string; readonly version?: number | undefined } & CommandContext)
  | ({ readonly type: 'CarryOver' } & CarryOver)
  /** What a scan of a stored version found (a version accepted unscanned, or signatures that changed). */
  | ({ readonly type: 'RecordScan'; readonly documentId: string; readonly version: number; readonly verdict: { readonly infected: false } | { readonly infected: true; readonly signature: string } } & CommandContext)
  | ({ readonly type: 'FollowDirectory' } & FollowDirectory);

/**
 * The directory changed: who joined and who left each class and group (only those that changed),
 * decided against the new directory. Run by whoever synced it, on the documents addressed to them.
 */
export type FollowDirectory = CommandContext & {
  readonly directory: DirectoryView;
  readonly moves: ReadonlyMap<Target, Move>;
  /** Documents of a closed year are history: they no longer follow anyone. */
  readonly currentYear: string;
};

/** The rollover's command, decided on the new stream of year N+1 with year N's replayed state in hand. */
export type CarryOver = CommandContext & {
  readonly newDocumentId: string;
  readonly toYear: string;
  readonly source: DocumentState;
  readonly directory: DirectoryView;
  /** Only these categories are carried, when given. */
  readonly categories?: ReadonlySet<string> | undefined;
  /** Recipients who removed the document from their own locker during the year. */
  readonly removedBy?: ReadonlySet<string> | undefined;
};

const checkText = (field: 'title' | 'memo' | 'fileName', value: string | null): Result<void, DocumentError> =>
  value !== null && value.length > LIMITS[field] ? err({ code: 'TEXT_TOO_LONG', field, max: LIMITS[field] }) : ok(undefined);

const checkFile = (file: StoredFile, maxDocumentBytes: number): Result<void, DocumentError> => {
  if (file.sizeBytes === 0) return err({ code: 'EMPTY_FILE' });
  if (file.sizeBytes > maxDocumentBytes) return err({ code: 'FILE_TOO_LARGE', maxDocumentBytes });
  return checkText('fileName', file.fileName);
};

const checkCategory = (settings: TenantSettings, categoryId: string): Result<void, DocumentError> =>
  usableCategory(settings, categoryId).map(() => undefined).mapErr((e) =>
    e.code === 'CATEGORY_RETIRED' ? { code: 'CATEGORY_RETIRED', categoryId } : { code: 'CATEGORY_NOT_FOUND', categoryId },
  );

/** Who may deposit at all: staff (students never have a locker) whose profiles grant locker.deposit. */
export const mayDeposit = (directory: DirectoryView, userId: string): boolean =>
  holdsLocker(directory, userId) && directory.permissionsOf(userId).has('locker.deposit');

/** A date by which to acknowledge lies in the future. */
const checkDueAt = (dueAt: string | null | undefined, at: string): Result<void, DocumentError> =>
  dueAt != null && !(Date.parse(dueAt) > Date.parse(at)) ? err({ code: 'INVALID_DUE_DATE', dueAt }) : ok(undefined);

/**
 * Everything about a deposit that can be refused before a single byte is uploaded, so a refused
 * deposit costs the client nothing and the server no storage.
 */
export const checkDeposit = (ctx: DepositContext, req: DepositRequest): Result<ResolvedRecipients, DocumentError> => {
  const allowed = req.collectionId !== undefined ? holdsLocker(ctx.directory, req.actorId) : mayDeposit(ctx.directory, req.actorId);
  if (!allowed) return err({ code: 'NOT_ALLOWED_TO_DEPOSIT', userId: req.actorId });
  return checkText('title', cleanText(req.title))
    .andThen(() => checkDueAt(req.acknowledgement?.dueAt, req.at))
    .andThen(() => checkText('memo', cleanText(req.memo)))
    .andThen(() => checkCategory(ctx.settings, req.categoryId))
    .andThen(() => resolveRecipients(ctx.directory, req.recipients, req.actorId))
    .andThen((resolved) => (resolved.recipientIds.length === 0 ? err({ code: 'NO_RECIPIENTS' } as const) : ok(resolved)));
};

/**
 * A deposit on a stream that already holds one is the same request sent again under the same
 * Idempotency-Key (the id is derived from it): nothing new happens if it is the same request,
 * and it is refused if the key now comes with another one.
 */
const deposit = (state: DocumentState, cmd: Extract<DocumentCommand, { type: 'Deposit' }>): Result<DocumentEvent[], DocumentError> => {
  if (state.status !== 'none') {
    if (cmd.idempotency === undefined || state.idempotency?.key !== cmd.idempotency.key) return err({ code: 'ALREADY_DEPOSITED', documentId: cmd.documentId });
    return state.idempotency.fingerprint === cmd.idempotency.fingerprint ? ok([]) : err({ code: 'IDEMPOTENCY_KEY_REUSED', key: cmd.idempotency.key });
  }
  return checkDeposit(cmd.context, cmd).andThen((resolved) =>
    checkFile(cmd.file, cmd.context.maxDocumentBytes).map((): DocumentEvent[] => [
      {
        type: 'DocumentDeposited',
        data: {
          documentId: cmd.documentId,
          year: cmd.context.year,
          depositorId: cmd.actorId,
          title: cleanText(cmd.title) ?? cmd.file.fileName,
          categoryId: cmd.categoryId,
          memo: cleanText(cmd.memo),
          recipientIds: resolved.recipientIds,
          named: resolved.named,
          classes: resolved.classes,
          groups: resolved.groups,
          content: { ...cmd.file, version: 1 },
          source: cmd.cloud ? 'cloud' : 'upload',
          ...(cmd.cloud ? { cloud: cmd.cloud } : {}),
          ...(cmd.recipientsMayEdit ? { recipientsMayEdit: true } : {}),
          ...(cmd.acknowledgement?.required ? { acknowledgement: { required: true, dueAt: cmd.acknowledgement.dueAt ?? null } } : {}),
          ...(cmd.idempotency ? { idempotency: cmd.idempotency } : {}),
          ...(cmd.collectionId ? { collectionId: cmd.collectionId } : {}),
        },
        actor: cmd.actorId,
        at: cmd.at,
      },
    ]),
  );
};

/** A live document of the current year that the actor may read: the common ground of managing and editing. */
const checkOpen = (state: DocumentState, cmd: Managing): Result<LiveDocument, DocumentError> => {
  const { actorId, documentId } = cmd;
  if (state.status === 'none') return err({ code: 'DOCUMENT_NOT_FOUND', documentId });
  if (state.status === 'deleted') return err({ code: 'DOCUMENT_DELETED', documentId });
  if (!canRead(state, actorId)) return err({ code: 'DOCUMENT_NOT_FOUND', documentId });
  return ok(state);
};

const notDepositor = (doc: LiveDocument): Result<LiveDocument, DocumentError> => err({ code: 'NOT_DEPOSITOR', documentId: doc.id });

const checkYear = (doc: LiveDocument, cmd: Managing): Result<LiveDocument, DocumentError> => {
  if (doc.year < cmd.currentYear) return err({ code: 'YEAR_CLOSED', documentId: doc.id, year: doc.year });
  if (doc.year > cmd.currentYear) return err({ code: 'YEAR_NOT_OPEN', documentId: doc.id, year: doc.year });
  return ok(doc);
};

/**
 * Who may upload a new version: the depositor, and the recipients when the depositor allowed it;
 * everything else stays the depositor's (`checkManaging`).
 */
export const checkEditing = (state: DocumentState, cmd: Managing, minor: boolean): Result<LiveDocument, DocumentError> =>
  checkOpen(state, cmd).andThen((doc) =>
    // Only the depositor may call a version minor: it keeps everyone's acknowledgements.
    canManage(doc, cmd.actorId) || (!minor && doc.recipientsMayEdit && doc.recipients.has(cmd.actorId)) ? checkYear(doc, cmd) : notDepositor(doc),
  );

/**
 * Only the depositor manages a live document, and only while its school year is the current one.
 * Someone who may not even read it learns nothing: for them it does not exist.
 */
export const checkManaging = (state: DocumentState, cmd: Managing): Result<LiveDocument, DocumentError> =>
  checkOpen(state, cmd).andThen((doc) => (canManage(doc, cmd.actorId) ? checkYear(doc, cmd) : notDepositor(doc)));

/**
 * New people, and new ways of addressing: naming someone who had it through a class makes them
 * keep it if they leave that class, and a new class or group is followed from now on.
 */
const addRecipients = (doc: LiveDocument, cmd: Extract<DocumentCommand, { type: 'AddRecipients' }>) =>
  resolveRecipients(cmd.directory, cmd.recipients, doc.depositorId).map((resolved): DocumentEvent[] => {
    const fresh = resolved.recipientIds.filter((id) => !doc.recipients.has(id));
    const named = resolved.named.filter((id) => !doc.named.has(id));
    const classes = resolved.classes.filter((c) => !doc.classes.some((k) => k.classId === c.classId));
    const groups = resolved.groups.filter((g) => !doc.groups.has(g));
    if (fresh.length + named.length + classes.length + groups.length === 0) return [];
    return [{ type: 'RecipientAdded', data: { documentId: doc.id, recipientIds: fresh, named, classes, groups }, actor: cmd.actorId, at: cmd.at }];
  });

/**
 * Joiners of an addressed class or group receive the document; leavers lose it unless they are
 * named or still reached through another of its classes and groups. A deleted document, or one of
 * a closed year, follows nobody.
 */
const follow = (state: DocumentState, cmd: FollowDirectory): Result<DocumentEvent[], DocumentError> => {
  if (state.status !== 'live' || state.year < cmd.currentYear) return ok([]);
  const targets = targetsOf(state);
  const events: DocumentEvent[] = [];
  const by = { actor: cmd.actorId, at: cmd.at };
  const joined = new Set<string>();
  const left = new Set<string>();
  for (const [target, move] of cmd.moves) {
    if (!targets.has(target)) continue;
    for (const userId of move.joined) {
      if (userId === state.depositorId || state.recipients.has(userId) || joined.has(userId) || !holdsLocker(cmd.directory, userId)) continue;
      joined.add(userId);
      events.push({ type: 'RecipientJoined', data: { documentId: state.id, userId, via: target }, ...by });
    }
    for (const userId of move.left) {
      if (!state.recipients.has(userId) || state.named.has(userId) || left.has(userId) || reachedThrough(cmd.directory, targets, userId)) continue;
      left.add(userId);
      events.push({ type: 'RecipientLeft', data: { documentId: state.id, userId, from: target }, ...by });
    }
  }
  return ok(events);
};

/** Category and memo in one decision, so a change of both is all or nothing. */
const changeDetails = (doc: LiveDocument, cmd: Extract<DocumentCommand, { type: 'ChangeDetails' }>): Result<DocumentEvent[], DocumentError> => {
  const events: DocumentEvent[] = [];
  if (cmd.categoryId !== undefined && cmd.categoryId !== doc.categoryId) {
    const usable = checkCategory(cmd.settings, cmd.categoryId);
    if (usable.isErr()) return err(usable.error);
    events.push({ type: 'CategoryChanged', data: { documentId: doc.id, categoryId: cmd.categoryId }, actor: cmd.actorId, at: cmd.at });
  }
  if (cmd.memo !== undefined) {
    const memo = cleanText(cmd.memo);
    if (memo !== doc.memo) {
      const fits = checkText('memo', memo);
      if (fits.isErr()) return err(fits.error);
      events.push({ type: 'MemoChanged', data: { documentId: doc.id, memo }, actor: cmd.actorId, at: cmd.at });
    }
  }
  if (cmd.recipientsMayEdit !== undefined && cmd.recipientsMayEdit !== doc.recipientsMayEdit) {
    events.push({ type: 'RecipientsMayEditSet', data: { documentId: doc.id, recipientsMayEdit: cmd.recipientsMayEdit }, actor: cmd.actorId, at: cmd.at });
  }
  if (cmd.acknowledgement !== undefined) {
    const dueAt = cmd.acknowledgement.required ? (cmd.acknowledgement.dueAt ?? null) : null;
    const due = checkDueAt(dueAt, cmd.at);
    if (due.isErr()) return err(due.error);
    if (cmd.acknowledgement.required !== doc.acknowledgement.required || dueAt !== doc.acknowledgement.dueAt) {
      const ask = cmd.acknowledgement.required && !doc.acknowledgement.required;
      events.push({ type: 'AcknowledgementSet', data: { documentId: doc.id, required: cmd.acknowledgement.required, dueAt, ask }, actor: cmd.actorId, at: cmd.at });
    }
  }
  return ok(events);
};

/** A new version keeps the document, its recipients and its history: versions count up by one. */
const updateContent = (doc: LiveDocument, cmd: Extract<DocumentCommand, { type: 'UpdateContent' }>) =>
  checkFile(cmd.file, cmd.maxDocumentBytes).map((): DocumentEvent[] => [
    {
      type: 'DocumentUpdated',
      data: { documentId: doc.id, content: { ...cmd.file, version: latest(doc).version + 1 }, ...(cmd.minor ? { minor: true } : {}), ...(cmd.cloud ? { cloud: cmd.cloud } : {}) },
      actor: cmd.actorId,
      at: cmd.at,
    },
  ]);

/** Who still owes the latest version something: to open it, or (when asked) to acknowledge it. */
export const stillToRemind = (doc: LiveDocument): string[] => {
  const now = latest(doc).version;
  return [...doc.recipients].filter(
    (u) => !doc.consulted.has(consultationKey(u, now)) || (doc.acknowledgement.required && (doc.acknowledged.get(u) ?? 0) < doc.acknowledgement.askedFrom),
  );
};

/** Whether someone has acknowledged what they are asked to: a version at least as new as the last non-minor one. */
export const hasAcknowledged = (doc: LiveDocument, userId: string): boolean => (doc.acknowledged.get(userId) ?? 0) >= doc.acknowledgement.askedFrom;

const DAY_MS = 24 * 60 * 60 * 1000;

/** When this person may next be reminded of this document: a day after their last reminder, whatever asked for it. */
const nextReminderFor = (doc: Pick<LiveDocument, 'reminded'>, userId: string) => Date.parse(doc.reminded.get(userId) ?? '1970-01-01T00:00:00.000Z') + DAY_MS;
const remindable = (doc: Pick<LiveDocument, 'reminded'>, userId: string, now: number) => nextReminderFor(doc, userId) <= now;

/** At most one reminder a day per person: those reminded less than a day ago wait. */
const remind = (doc: LiveDocument, cmd: Extract<DocumentCommand, { type: 'Remind' }>): Result<DocumentEvent[], DocumentError> => {
  const owing = stillToRemind(doc);
  if (owing.length === 0) return ok([]);
  const now = Date.parse(cmd.at);
  const nextFor = (u: string) => nextReminderFor(doc, u);
  const due = owing.filter((u) => nextFor(u) <= now);
  if (due.length === 0) return err({ code: 'REMINDER_TOO_SOON', retryAfterSeconds: Math.ceil((Math.min(...owing.map(nextFor)) - now) / 1000) });
  return ok([{ type: 'ReminderSent', data: { documentId: doc.id, userIds: due, reason: 'manual' }, actor: cmd.actorId, at: cmd.at }]);
};

/** Once `dueAt` has passed, those who have not acknowledged are reminded, once; the mark is recorded even when nobody is left. */
const remindDue = (state: DocumentState, cmd: Extract<DocumentCommand, { type: 'RemindDue' }>): Result<DocumentEvent[], DocumentError> => {
  if (state.status !== 'live' || !state.acknowledgement.required || state.dueReminded) return ok([]);
  const dueAt = state.acknowledgement.dueAt;
  if (dueAt === null || Date.parse(dueAt) > Date.parse(cmd.at)) return ok([]);
  // The once-a-day rule holds here too: someone reminded less than a day ago (by hand, or by an
  // earlier due date) is not reminded again; the mark is recorded all the same.
  const now = Date.parse(cmd.at);
  const owing = [...state.recipients].filter((u) => !hasAcknowledged(state, u) && remindable(state, u, now));
  return ok([{ type: 'ReminderSent', data: { documentId: state.id, userIds: owing, reason: 'due' }, actor: cmd.actorId, at: cmd.at }]);
};

/** A recipient acknowledges the latest version, which they must have opened; once is enough. */
const acknowledge = (state: DocumentState, cmd: Extract<DocumentCommand, { type: 'Acknowledge' }>): Result<DocumentEvent[], DocumentError> => {
  if (state.status === 'none' || !canRead(state, cmd.actorId)) return err({ code: 'DOCUMENT_NOT_FOUND', documentId: cmd.documentId });
  if (!state.recipients.has(cmd.actorId)) return err({ code: 'NOT_A_RECIPIENT', documentId: state.id });
  if (!state.acknowledgement.required) return err({ code: 'ACKNOWLEDGEMENT_NOT_ASKED', documentId: state.id });
  const version = latest(state).version;
  if (!state.consulted.has(consultationKey(cmd.actorId, version))) return err({ code: 'NOT_OPENED', documentId: state.id, version });
  if ((state.acknowledged.get(cmd.actorId) ?? 0) >= version) return ok([]);
  return ok([{ type: 'DocumentAcknowledged', data: { documentId: state.id, userId: cmd.actorId, version }, actor: cmd.actorId, at: cmd.at }]);
};

/**
 * Opening a document: the latest version unless another is asked for. A recipient's first opening
 * of each version is recorded; the depositor's openings are not consultations.
 */
const consult = (state: DocumentState, cmd: Extract<DocumentCommand, { type: 'Consult' }>): Result<DocumentEvent[], DocumentError> => {
  if (state.status === 'none' || !canRead(state, cmd.actorId)) return err({ code: 'DOCUMENT_NOT_FOUND', documentId: cmd.documentId });
  const content = versionOf(state, cmd.version);
  if (!content) return err({ code: 'VERSION_NOT_FOUND', documentId: state.id, version: cmd.version ?? 0 });
  // A version the scanner has not cleared, or found infected, reaches nobody: not even its depositor.
  const hold = state.scanHolds.get(content.version);
  if (hold && 'pending' in hold) return err({ code: 'SCAN_PENDING', documentId: state.id, version: content.version });
  if (hold) return err({ code: 'QUARANTINED', documentId: state.id, version: content.version, signature: hold.quarantined });
  const first = state.recipients.has(cmd.actorId) && !state.consulted.has(consultationKey(cmd.actorId, content.version));
  return ok(first ? [{ type: 'DocumentConsulted', data: { documentId: state.id, userId: cmd.actorId, version: content.version }, actor: cmd.actorId, at: cmd.at }] : []);
};

/** A scan's verdict on a stored version: a pending one cleared, an infected one quarantined (once); a deleted document is left as it is. */
const recordScan = (state: DocumentState, cmd: Extract<DocumentCommand, { type: 'RecordScan' }>): Result<DocumentEvent[], DocumentError> => {
  if (state.status === 'none') return err({ code: 'DOCUMENT_NOT_FOUND', documentId: cmd.documentId });
  if (!versionOf(state, cmd.version)) return err({ code: 'VERSION_NOT_FOUND', documentId: state.id, version: cmd.version });
  if (state.status === 'deleted') return ok([]);
  const hold = state.scanHolds.get(cmd.version);
  const by = { actor: cmd.actorId, at: cmd.at };
  if (cmd.verdict.infected) return ok(hold && 'quarantined' in hold ? [] : [{ type: 'ContentQuarantined', data: { documentId: state.id, version: cmd.version, signature: cmd.verdict.signature }, ...by }]);
  return ok(hold && 'pending' in hold ? [{ type: 'ContentCleared', data: { documentId: state.id, version: cmd.version }, ...by }] : []);
};

const notCarried = (reason: CarrySkipReason): Result<DocumentEvent[], DocumentError> => err({ code: 'NOT_CARRIED', reason });

/**
 * How the source is addressed in the next year: the named people still on the staff, and its
 * classes and groups as the new year's directory has them.
 */
const carriedAddressing = (source: LiveDocument, cmd: CarryOver) => {
  const stays = (id: string) => holdsLocker(cmd.directory, id) && !cmd.removedBy?.has(id) && id !== source.depositorId;
  const named = [...source.named].filter(stays);
  const classes = source.classes.map((c) => ({ classId: c.classId, teacherIds: (cmd.directory.schoolClass(c.classId)?.teacherIds ?? []).filter((t) => holdsLocker(cmd.directory, t)) }));
  const groups = [...source.groups];
  const reached = [...named, ...classes.flatMap((c) => c.teacherIds), ...groups.flatMap((g) => cmd.directory.membersOf(g))];
  return { named, classes, groups, recipientIds: [...new Set(reached)].filter(stays) };
};

/**
 * The source's latest content as a version of the carried document: held from readers (pending a
 * scan) if the source's is held, so a version found infected is never carried out of quarantine.
 */
const carriedContent = (source: LiveDocument, version: number): Content => {
  const { scan: _scan, ...content } = latest(source);
  return { ...content, version, ...(source.scanHolds.has(content.version) ? { scan: 'pending' as const } : {}) };
};

/** Who of the source's recipients goes on into the next year: staff still, who kept it, not the depositor. */
const keptRecipients = (source: LiveDocument, cmd: CarryOver): string[] => carriedAddressing(source, cmd).recipientIds;

/**
 * What the rollover does with one document of the closed year, decided on its replayed state and
 * today's directory, against the new stream of year N+1 (its id derived from the source):
 * - nothing there yet: carried with whoever is still there, or skipped with the reason;
 * - carried by an earlier run: brought up to date with year N's final state (deleted, new content,
 *   memo, category, new recipients), so a rerun converges and nothing is carried twice.
 */
const carryOver = (target: DocumentState, cmd: CarryOver): Result<DocumentEvent[], DocumentError> => {
  const source = cmd.source;
  if (target.status !== 'none') return ok(bringUpToDate(target, cmd));
  if (source.status !== 'live') return notCarried('deleted');
  if (cmd.categories && !cmd.categories.has(source.categoryId)) return notCarried('category-excluded');
  if (!holdsLocker(cmd.directory, source.depositorId)) return notCarried('depositor-left');
  const all = [...source.recipients];
  const addressing = carriedAddressing(source, cmd);
  const kept = addressing.recipientIds;
  if (kept.length === 0) return notCarried('no-recipient-left');
  return ok([
    {
      type: 'DocumentCarriedOver',
      data: {
        documentId: cmd.newDocumentId,
        year: cmd.toYear,
        sourceDocumentId: source.id,
        sourceYear: source.year,
        depositorId: source.depositorId,
        title: source.title,
        categoryId: source.categoryId,
        memo: source.memo,
        recipientIds: kept,
        droppedRecipientIds: all.filter((id) => !kept.includes(id)),
        named: addressing.named,
        classes: addressing.classes,
        groups: addressing.groups,
        ...(source.recipientsMayEdit ? { recipientsMayEdit: true } : {}),
        content: carriedContent(source, 1),
      },
      actor: cmd.actorId,
      at: cmd.at,
    },
  ]);
};

/**
 * Only what changed in the source since it was last taken over follows: a change made in year N+1
 * itself (once it is the current year) is never undone by a rerun.
 */
const bringUpToDate = (target: LiveDocument, cmd: CarryOver): DocumentEvent[] => {
  const source = cmd.source;
  const from = target.fromSource;
  const by = { actor: cmd.actorId, at: cmd.at };
  const documentId = target.id;
  if (target.status === 'deleted' || !from || source.status === 'none') return [];
  if (source.status === 'deleted') return [{ type: 'DocumentDeletedForAll', data: { documentId }, ...by }];
  const now = latest(source);
  const contentChanged = now.sha256 !== from.sha256 || now.fileName !== from.fileName || now.mediaType !== from.mediaType;
  const memoChanged = source.memo !== from.memo;
  const categoryChanged = source.categoryId !== from.categoryId;
  const fresh = keptRecipients(source, cmd).filter((id) => !from.recipients.has(id) && !target.recipients.has(id));
  if (!contentChanged && !memoChanged && !categoryChanged && fresh.length === 0) return [];
  return [
    {
      type: 'CarriedDocumentRefreshed',
      data: {
        documentId,
        sourceDocumentId: source.id,
        ...(contentChanged ? { content: carriedContent(source, latest(target).version + 1) } : {}),
        ...(memoChanged ? { memo: source.memo } : {}),
        ...(categoryChanged ? { categoryId: source.categoryId } : {}),
        recipientIds: fresh,
      },
      ...by,
    },
  ];
};

const decide = (state: DocumentState, cmd: DocumentCommand): Result<DocumentEvent[], DocumentError> => {
  switch (cmd.type) {
    case 'Deposit':
      return deposit(state, cmd);
    case 'Consult':
      return consult(state, cmd);
    case 'RecordScan':
      return recordScan(state, cmd);
    case 'CarryOver':
      return carryOver(state, cmd);
    case 'FollowDirectory':
      return follow(state, cmd);
    case 'Acknowledge':
      return acknowledge(state, cmd);
    case 'Remind':
      return checkManaging(state, cmd).andThen((doc) => remind(doc, cmd));
    case 'RemindDue':
      return remindDue(state, cmd);
    case 'Expire': {
      if (state.status !== 'live') return ok([]);
      const due = Date.parse(state.depositedAt) + cmd.retentionDays * 24 * 60 * 60 * 1000;
      if (due > Date.parse(cmd.at)) return ok([]);
      return ok([{ type: 'DocumentExpired', data: { documentId: state.id, retentionDays: cmd.retentionDays }, actor: cmd.actorId, at: cmd.at }]);
    }
    case 'AddRecipients':
      return checkManaging(state, cmd).andThen((doc) => addRecipients(doc, cmd));
    case 'ChangeDetails':
      return checkManaging(state, cmd).andThen((doc) => changeDetails(doc, cmd));
    case 'UpdateContent':
      return checkEditing(state, cmd, cmd.minor === true).andThen((doc) => updateContent(doc, cmd));
    case 'DeleteForAll':
      return checkManaging(state, cmd).map((doc): DocumentEvent[] => [
        { type: 'DocumentDeletedForAll', data: { documentId: doc.id }, actor: cmd.actorId, at: cmd.at },
      ]);
  }
};

/** One stream per deposited document. */
export const documentDecider: Decider<DocumentCommand, DocumentState, DocumentEvent, DocumentError> = {
  initialState: initialDocument,
  evolve: evolveDocument,
  decide,
};
