import { err, ok, type Result } from 'neverthrow';
import type { DirectoryView } from '../directory/directory.js';
import { holdsLocker } from '../directory/directory.js';
import type { DocumentError } from '../deposited-document/errors.js';
import { resolveRecipients, type RecipientChoice } from '../deposited-document/recipients.js';
import type { CommandContext, Decider, DomainEvent } from '../shared/decider.js';
import { cleanText } from '../shared/text.js';
import { usableCategory, type TenantSettings } from '../tenant-settings/tenant-settings.js';

/**
 * PRONOTE's "documents à collecter", between staff: a requester asks named colleagues (users,
 * classes, groups) for a document by a date. What they submit is an ordinary deposited document for
 * the requester, linked to the request (`collectionId` on its `DocumentDeposited`). Before that
 * event, the submission is accepted on the request's own stream (`SubmissionAccepted`), decided on
 * the request's state at that moment: a close that lands while the file uploads refuses it (one of
 * the two appends loses the race and is decided again).
 */
export type CollectionEvent =
  | DomainEvent<
      'CollectionCreated',
      { collectionId: string; year: string; requesterId: string; title: string; instructions: string | null; categoryId: string; askedIds: string[]; dueAt: string }
    >
  | DomainEvent<'CollectionPublished', { collectionId: string }>
  | DomainEvent<'CollectionClosed', { collectionId: string }>
  | DomainEvent<'CollectionReminderSent', { collectionId: string; userIds: string[] }>
  | DomainEvent<'SubmissionAccepted', { collectionId: string; userId: string; documentIds: string[] }>;

export type Collection =
  | { readonly status: 'none' }
  | {
      readonly status: 'draft' | 'open' | 'closed';
      readonly id: string;
      readonly year: string;
      readonly requesterId: string;
      readonly title: string;
      readonly categoryId: string;
      readonly asked: ReadonlySet<string>;
      readonly dueAt: string;
      readonly reminded: ReadonlyMap<string, string>;
      /** Documents accepted as submissions: a retried submission (same Idempotency-Key) is accepted again, even once closed. */
      readonly accepted: ReadonlySet<string>;
    };

export type CollectionError =
  | DocumentError
  | { readonly code: 'COLLECTION_NOT_FOUND'; readonly collectionId: string }
  | { readonly code: 'COLLECTION_CLOSED'; readonly collectionId: string }
  | { readonly code: 'NOT_REQUESTER'; readonly collectionId: string };

export type CollectionCommand =
  | (CommandContext & {
      readonly type: 'CreateCollection';
      readonly collectionId: string;
      readonly year: string;
      readonly directory: DirectoryView;
      readonly settings: TenantSettings;
      readonly mayRequest: boolean;
      readonly title: string;
      readonly instructions: string | null;
      readonly categoryId: string;
      readonly recipients: RecipientChoice;
      readonly dueAt: string;
      readonly draft: boolean;
    })
  | (CommandContext & { readonly type: 'PublishCollection'; readonly collectionId: string })
  | (CommandContext & { readonly type: 'CloseCollection'; readonly collectionId: string })
  /** Who has submitted is known to the read models (their deposits): the caller says. */
  | (CommandContext & { readonly type: 'RemindCollection'; readonly collectionId: string; readonly submitted: ReadonlySet<string> })
  /** Checked before a submission's bytes are read: may this person submit now? */
  | (CommandContext & { readonly type: 'CheckSubmission'; readonly collectionId: string; readonly directory: DirectoryView })
  /** Once the bytes are in, right before the documents are recorded: the same rules, on the state of now. */
  | (CommandContext & { readonly type: 'AcceptSubmission'; readonly collectionId: string; readonly directory: DirectoryView; readonly documentIds: readonly string[] });

const LIMITS = { title: 200, instructions: 2000 } as const;
const DAY_MS = 24 * 60 * 60 * 1000;

const evolve = (state: Collection, event: CollectionEvent): Collection => {
  if (event.type === 'CollectionCreated') {
    const d = event.data;
    return { status: 'draft', id: d.collectionId, year: d.year, requesterId: d.requesterId, title: d.title, categoryId: d.categoryId, asked: new Set(d.askedIds), dueAt: d.dueAt, reminded: new Map(), accepted: new Set() };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'CollectionPublished':
      return { ...state, status: 'open' };
    case 'CollectionClosed':
      return { ...state, status: 'closed' };
    case 'CollectionReminderSent':
      return { ...state, reminded: new Map([...state.reminded, ...event.data.userIds.map((u): [string, string] => [u, event.at])]) };
    case 'SubmissionAccepted':
      return { ...state, accepted: new Set([...state.accepted, ...event.data.documentIds]) };
  }
};

/** Someone who may not see the request learns nothing about it: for them it does not exist. */
const visible = (state: Collection, actorId: string, collectionId: string): Result<Exclude<Collection, { status: 'none' }>, CollectionError> => {
  if (state.status === 'none') return err({ code: 'COLLECTION_NOT_FOUND', collectionId });
  if (state.requesterId === actorId) return ok(state);
  if (state.status === 'draft' || !state.asked.has(actorId)) return err({ code: 'COLLECTION_NOT_FOUND', collectionId });
  return ok(state);
};

const requester = (state: Collection, actorId: string, collectionId: string) =>
  visible(state, actorId, collectionId).andThen((c) => (c.requesterId === actorId ? ok(c) : err<typeof c, CollectionError>({ code: 'NOT_REQUESTER', collectionId })));

const create = (state: Collection, cmd: Extract<CollectionCommand, { type: 'CreateCollection' }>): Result<CollectionEvent[], CollectionError> => {
  if (state.status !== 'none') return ok([]);
  if (!cmd.mayRequest) return err({ code: 'NOT_ALLOWED_TO_DEPOSIT', userId: cmd.actorId });
  const title = cleanText(cmd.title) ?? '';
  const instructions = cleanText(cmd.instructions);
  if (title.length === 0 || title.length > LIMITS.title) return err({ code: 'TEXT_TOO_LONG', field: 'title', max: LIMITS.title });
  if (instructions !== null && instructions.length > LIMITS.instructions) return err({ code: 'TEXT_TOO_LONG', field: 'memo', max: LIMITS.instructions });
  const category = usableCategory(cmd.settings, cmd.categoryId);
  if (category.isErr()) return err(category.error.code === 'CATEGORY_RETIRED' ? { code: 'CATEGORY_RETIRED', categoryId: cmd.categoryId } : { code: 'CATEGORY_NOT_FOUND', categoryId: cmd.categoryId });
  if (!(Date.parse(cmd.dueAt) > Date.parse(cmd.at))) return err({ code: 'INVALID_DUE_DATE', dueAt: cmd.dueAt });
  return resolveRecipients(cmd.directory, cmd.recipients, cmd.actorId).andThen((resolved): Result<CollectionEvent[], CollectionError> => {
    if (resolved.recipientIds.length === 0) return err({ code: 'NO_RECIPIENTS' });
    const by = { actor: cmd.actorId, at: cmd.at };
    const created: CollectionEvent = {
      type: 'CollectionCreated',
      data: { collectionId: cmd.collectionId, year: cmd.year, requesterId: cmd.actorId, title, instructions, categoryId: cmd.categoryId, askedIds: resolved.recipientIds, dueAt: cmd.dueAt },
      ...by,
    };
    return ok(cmd.draft ? [created] : [created, { type: 'CollectionPublished', data: { collectionId: cmd.collectionId }, ...by }]);
  });
};

const decide = (state: Collection, cmd: CollectionCommand): Result<CollectionEvent[], CollectionError> => {
  const by = { actor: cmd.actorId, at: cmd.at };
  switch (cmd.type) {
    case 'CreateCollection':
      return create(state, cmd);
    case 'PublishCollection':
      return requester(state, cmd.actorId, cmd.collectionId).andThen((c): Result<CollectionEvent[], CollectionError> => {
        if (c.status === 'closed') return err({ code: 'COLLECTION_CLOSED', collectionId: c.id });
        return ok(c.status === 'open' ? [] : [{ type: 'CollectionPublished', data: { collectionId: c.id }, ...by }]);
      });
    case 'CloseCollection':
      return requester(state, cmd.actorId, cmd.collectionId).map((c): CollectionEvent[] => (c.status === 'closed' ? [] : [{ type: 'CollectionClosed', data: { collectionId: c.id }, ...by }]));
    case 'RemindCollection':
      return requester(state, cmd.actorId, cmd.collectionId).andThen((c): Result<CollectionEvent[], CollectionError> => {
        if (c.status !== 'open') return err({ code: 'COLLECTION_CLOSED', collectionId: c.id });
        const owing = [...c.asked].filter((u) => !cmd.submitted.has(u));
        if (owing.length === 0) return ok([]);
        const now = Date.parse(cmd.at);
        const nextFor = (u: string) => Date.parse(c.reminded.get(u) ?? '1970-01-01T00:00:00.000Z') + DAY_MS;
        const due = owing.filter((u) => nextFor(u) <= now);
        if (due.length === 0) return err({ code: 'REMINDER_TOO_SOON', retryAfterSeconds: Math.ceil((Math.min(...owing.map(nextFor)) - now) / 1000) });
        return ok([{ type: 'CollectionReminderSent', data: { collectionId: c.id, userIds: due }, ...by }]);
      });
    case 'CheckSubmission':
      return mayStillSubmit(state, cmd).map(() => []);
    case 'AcceptSubmission':
      return mayStillSubmit(state, cmd).andThen((c): Result<CollectionEvent[], CollectionError> => {
        if (cmd.documentIds.length > 0 && cmd.documentIds.every((d) => c.accepted.has(d))) return ok([]);
        return ok([{ type: 'SubmissionAccepted', data: { collectionId: c.id, userId: cmd.actorId, documentIds: [...cmd.documentIds] }, ...by }]);
      });
  }
};

/** Whether this person may submit to the request as it is now (a retried submission already accepted may, closed or not). */
const mayStillSubmit = (state: Collection, cmd: CommandContext & { readonly collectionId: string; readonly directory: DirectoryView; readonly documentIds?: readonly string[] }) =>
  visible(state, cmd.actorId, cmd.collectionId).andThen((c): Result<typeof c, CollectionError> => {
    if (c.requesterId === cmd.actorId || !c.asked.has(cmd.actorId)) return err({ code: 'COLLECTION_NOT_FOUND', collectionId: c.id });
    if (cmd.documentIds && cmd.documentIds.length > 0 && cmd.documentIds.every((d) => c.accepted.has(d))) return ok(c);
    if (c.status === 'closed') return err({ code: 'COLLECTION_CLOSED', collectionId: c.id });
    if (!holdsLocker(cmd.directory, c.requesterId)) return err({ code: 'COLLECTION_CLOSED', collectionId: c.id });
    return ok(c);
  });

/** One stream per collection request. */
export const collectionDecider: Decider<CollectionCommand, Collection, CollectionEvent, CollectionError> = {
  initialState: { status: 'none' },
  evolve,
  decide,
};

export type SubmissionStatus = 'submitted' | 'late' | 'missing';

/** Per person: on time, after the due date, or not yet. */
export const submissionStatus = (dueAt: string, firstSubmittedAt: string | null): SubmissionStatus =>
  firstSubmittedAt === null ? 'missing' : Date.parse(firstSubmittedAt) <= Date.parse(dueAt) ? 'submitted' : 'late';
