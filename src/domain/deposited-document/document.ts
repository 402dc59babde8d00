import type { Group } from '../directory/groups.js';
import type { ClassRecipient, Content, DocumentEvent } from './events.js';

export type LiveDocument = {
  readonly status: 'live' | 'deleted';
  readonly id: string;
  readonly year: string;
  readonly depositorId: string;
  readonly title: string;
  readonly categoryId: string;
  readonly memo: string | null;
  /** Who has it now: the named ones and the current members of the addressed classes and groups. */
  readonly recipients: ReadonlySet<string>;
  /** Named one by one: they keep it whatever happens to their classes and groups. */
  readonly named: ReadonlySet<string>;
  readonly classes: readonly ClassRecipient[];
  readonly groups: ReadonlySet<Group>;
  readonly versions: readonly Content[];
  /** `${userId}#${version}`: a recipient's first opening of a version is recorded once. */
  readonly consulted: ReadonlySet<string>;
  readonly depositedAt: string;
  readonly updatedAt: string;
  readonly idempotency: { readonly key: string; readonly fingerprint: string } | undefined;
  /** Recipients may upload new versions (everything else stays the depositor's). */
  readonly recipientsMayEdit: boolean;
  /** Whether recipients are asked to acknowledge, by when, and from which version on (a minor version keeps it). */
  readonly acknowledgement: { readonly required: boolean; readonly dueAt: string | null; readonly askedFrom: number };
  /** The latest version each recipient acknowledged. */
  readonly acknowledged: ReadonlyMap<string, number>;
  /** When each recipient was last reminded. */
  readonly reminded: ReadonlyMap<string, string>;
  /** The reminder due once `dueAt` passes has been sent. */
  readonly dueReminded: boolean;
  /** For a carried document: its source as last taken over, so a rerun carries only what changed there since. */
  readonly fromSource: SourceSnapshot | undefined;
  /** Versions held from readers: not scanned yet, or found infected (with what). */
  readonly scanHolds: ReadonlyMap<number, ScanHold>;
};

export type ScanHold = { readonly pending: true } | { readonly quarantined: string };

const pendingOf = (content: Content): [number, ScanHold][] => (content.scan === 'pending' ? [[content.version, { pending: true }]] : []);

export type SourceSnapshot = {
  readonly sha256: string;
  readonly fileName: string;
  readonly mediaType: string;
  readonly memo: string | null;
  readonly categoryId: string;
  readonly recipients: ReadonlySet<string>;
};

export type DocumentState = { readonly status: 'none' } | LiveDocument;

export const initialDocument: DocumentState = { status: 'none' };

export const consultationKey = (userId: string, version: number): string => `${userId}#${version}`;

export const latest = (doc: LiveDocument): Content => doc.versions[doc.versions.length - 1] as Content;

/** The version a reader gets: the latest unless they ask for another. */
export const versionOf = (doc: LiveDocument, version: number | undefined): Content | undefined =>
  version === undefined ? latest(doc) : doc.versions.find((v) => v.version === version);

export const evolveDocument = (state: DocumentState, event: DocumentEvent): DocumentState => {
  if (event.type === 'DocumentDeposited' || event.type === 'DocumentCarriedOver') {
    const d = event.data;
    return {
      status: 'live',
      id: d.documentId,
      year: d.year,
      depositorId: d.depositorId,
      title: d.title,
      categoryId: d.categoryId,
      memo: d.memo,
      recipients: new Set(d.recipientIds),
      named: new Set(d.named),
      classes: d.classes,
      groups: new Set(d.groups),
      versions: [d.content],
      consulted: new Set(),
      depositedAt: event.at,
      updatedAt: event.at,
      idempotency: 'idempotency' in d ? d.idempotency : undefined,
      recipientsMayEdit: d.recipientsMayEdit === true,
      // A carried document starts a new year: nobody is asked to acknowledge it again (ADR 19).
      acknowledgement: { required: 'acknowledgement' in d && d.acknowledgement?.required === true, dueAt: ('acknowledgement' in d && d.acknowledgement?.dueAt) || null, askedFrom: 1 },
      acknowledged: new Map(),
      reminded: new Map(),
      dueReminded: false,
      scanHolds: new Map(pendingOf(d.content)),
      fromSource:
        event.type === 'DocumentCarriedOver'
          ? { sha256: d.content.sha256, fileName: d.content.fileName, mediaType: d.content.mediaType, memo: d.memo, categoryId: d.categoryId, recipients: new Set(d.recipientIds) }
          : undefined,
    };
  }
  if (state.status === 'none') return state;
  switch (event.type) {
    case 'RecipientAdded':
      return {
        ...state,
        recipients: new Set([...state.recipients, ...event.data.recipientIds]),
        named: new Set([...state.named, ...event.data.named]),
        classes: [...state.classes, ...event.data.classes.filter((c) => !state.classes.some((k) => k.classId === c.classId))],
        groups: new Set([...state.groups, ...event.data.groups]),
        updatedAt: event.at,
      };
    case 'RecipientJoined':
      return { ...state, recipients: new Set([...state.recipients, event.data.userId]), updatedAt: event.at };
    case 'RecipientLeft':
      return { ...state, recipients: new Set([...state.recipients].filter((id) => id !== event.data.userId)), updatedAt: event.at };
    case 'CategoryChanged':
      return { ...state, categoryId: event.data.categoryId, updatedAt: event.at };
    case 'MemoChanged':
      return { ...state, memo: event.data.memo, updatedAt: event.at };
    case 'RecipientsMayEditSet':
      return { ...state, recipientsMayEdit: event.data.recipientsMayEdit, updatedAt: event.at };
    case 'DocumentUpdated': {
      // A new version asks everyone again, unless the depositor called it minor.
      const askedFrom = event.data.minor ? state.acknowledgement.askedFrom : event.data.content.version;
      return {
        ...state,
        versions: [...state.versions, event.data.content],
        acknowledgement: { ...state.acknowledgement, askedFrom },
        scanHolds: new Map([...state.scanHolds, ...pendingOf(event.data.content)]),
        updatedAt: event.at,
      };
    }
    case 'AcknowledgementSet': {
      const askedFrom = event.data.required && !state.acknowledgement.required ? latest(state).version : state.acknowledgement.askedFrom;
      const dueReminded = event.data.dueAt === state.acknowledgement.dueAt ? state.dueReminded : false;
      return { ...state, acknowledgement: { required: event.data.required, dueAt: event.data.dueAt, askedFrom }, dueReminded, updatedAt: event.at };
    }
    case 'DocumentAcknowledged':
      return { ...state, acknowledged: new Map([...state.acknowledged, [event.data.userId, event.data.version]]) };
    case 'ReminderSent':
      return {
        ...state,
        reminded: new Map([...state.reminded, ...event.data.userIds.map((u): [string, string] => [u, event.at])]),
        dueReminded: state.dueReminded || event.data.reason === 'due',
      };
    case 'DocumentConsulted':
      return { ...state, consulted: new Set([...state.consulted, consultationKey(event.data.userId, event.data.version)]) };
    case 'DocumentDeletedForAll':
    case 'DocumentExpired':
      return { ...state, status: 'deleted', updatedAt: event.at };
    case 'ContentCleared':
      return { ...state, scanHolds: new Map([...state.scanHolds].filter(([version]) => version !== event.data.version)) };
    case 'ContentQuarantined':
      return { ...state, scanHolds: new Map([...state.scanHolds, [event.data.version, { quarantined: event.data.signature }]]) };
    case 'CarriedDocumentRefreshed': {
      const d = event.data;
      const from = state.fromSource;
      const content = d.content;
      return {
        ...state,
        versions: content ? [...state.versions, content] : state.versions,
        scanHolds: content ? new Map([...state.scanHolds, ...pendingOf(content)]) : state.scanHolds,
        memo: d.memo === undefined ? state.memo : d.memo,
        categoryId: d.categoryId ?? state.categoryId,
        recipients: new Set([...state.recipients, ...d.recipientIds]),
        // Added in year N after the carry, however they were addressed there: named here.
        named: new Set([...state.named, ...d.recipientIds]),
        updatedAt: event.at,
        fromSource: from && {
          sha256: content?.sha256 ?? from.sha256,
          fileName: content?.fileName ?? from.fileName,
          mediaType: content?.mediaType ?? from.mediaType,
          memo: d.memo === undefined ? from.memo : d.memo,
          categoryId: d.categoryId ?? from.categoryId,
          recipients: new Set([...from.recipients, ...d.recipientIds]),
        },
      };
    }
  }
};

/**
 * What the reading rule needs to know of a document, whether it comes from the folded stream or
 * from a read model: the one rule then serves both.
 */
export type Readable = {
  readonly status: 'none' | 'live' | 'deleted';
  readonly depositorId?: string;
  readonly recipients?: { has(userId: string): boolean };
};

/** The one reading rule: the depositor or a current recipient, of a document that is not deleted. */
export const canRead = (doc: Readable, userId: string): boolean =>
  doc.status === 'live' && (doc.depositorId === userId || doc.recipients?.has(userId) === true);

/** The one managing rule's first half: only the depositor manages; everyone else may at most read. */
export const canManage = (doc: Readable, userId: string): boolean => doc.status === 'live' && doc.depositorId === userId;
