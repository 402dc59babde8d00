import { err, ok, type Result } from 'neverthrow';
import { consultationKey, evolveDocument, initialDocument, latest, type DocumentEvent, type DocumentState } from '../domain/index.js';
import { withPermission } from './access.js';
import type { Actor, Deps } from './deps.js';
import { notFound, type UseCaseError } from './errors.js';
import type { RecordedEvent } from './ports/event-store.js';
import { LogUnavailable, noteRemoval, readLog } from './read-log.js';
import { upcast } from './upcasters.js';

export type AuditFilter = {
  readonly documentId?: string | undefined;
  readonly actor?: string | undefined;
  readonly type?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** A school year: events from 1 August of its first year to 31 July of its second. */
  readonly year?: string | undefined;
};

export type AuditPage = { events: RecordedEvent[]; next: string | null };

/** A filtered page scans at most this many events, then hands back a cursor to go on from. */
const SCAN_BUDGET = 20_000;

const yearRange = (year: string) => ({ from: `${year.slice(0, 4)}-08-01T00:00:00.000Z`, to: `${year.slice(5, 9)}-08-01T00:00:00.000Z` });

const matches = (tenant: string, f: AuditFilter) => {
  const stream = f.documentId === undefined ? undefined : `${tenant}:document:${f.documentId}`;
  const range = f.year ? yearRange(f.year) : undefined;
  return (e: RecordedEvent) =>
    (stream === undefined || e.stream === stream) &&
    (f.actor === undefined || e.meta.actor === f.actor) &&
    (f.type === undefined || e.type === f.type) &&
    (f.from === undefined || e.meta.at >= f.from) &&
    (f.to === undefined || e.meta.at <= f.to) &&
    (range === undefined || (e.meta.at >= range.from && e.meta.at < range.to));
};

const guarded = async <T>(work: () => Promise<T>): Promise<Result<T, UseCaseError>> => {
  try {
    return ok(await work());
  } catch (e) {
    if (e instanceof LogUnavailable) return err(e.storeError);
    if (e && typeof e === 'object' && 'code' in e) return err(e as UseCaseError);
    throw e;
  }
};

/** The history as it was written (not upcast, not projected): what auditors are entitled to see. */
export const auditEvents =
  (deps: Deps) =>
  async (actor: Actor, after: bigint | undefined, limit: number, filter: AuditFilter = {}): Promise<Result<AuditPage, UseCaseError>> => {
    const allowed = withPermission(deps, actor, 'locker.audit');
    if (allowed.isErr()) return err(allowed.error);
    const keep = matches(actor.tenant, filter);
    return guarded(async () => {
      const events: RecordedEvent[] = [];
      let scanned = 0;
      let last: bigint | undefined;
      for await (const event of readLog(deps.events, { tenant: actor.tenant, after })) {
        scanned += 1;
        last = event.position;
        if (keep(event)) events.push(event);
        if (events.length === limit || scanned === SCAN_BUDGET) return { events, next: String(last) };
      }
      return { events, next: null };
    });
  };

export type RecipientAsOf = { userId: string; openedVersions: number[] };
export type DocumentAsOf = {
  documentId: string;
  status: 'live' | 'deleted';
  year: string;
  title: string;
  categoryId: string;
  depositorId: string;
  version: number;
  recipients: RecipientAsOf[];
};

const asOfView = (state: DocumentState, removed: ReadonlySet<string>): DocumentAsOf | undefined => {
  if (state.status === 'none') return undefined;
  const version = latest(state).version;
  const versions = state.versions.map((v) => v.version);
  return {
    documentId: state.id,
    status: state.status,
    year: state.year,
    title: state.title,
    categoryId: state.categoryId,
    depositorId: state.depositorId,
    version,
    recipients: [...state.recipients]
      .filter((u) => !removed.has(u))
      .sort()
      .map((userId) => ({ userId, openedVersions: versions.filter((v) => state.consulted.has(consultationKey(userId, v))) })),
  };
};

/** Folds the history up to a moment, from the log itself: not today's read models. */
const replayUntil = async (deps: Deps, tenant: string, asOf: string, only?: string) => {
  const documents = new Map<string, DocumentState>();
  const removals = new Map<string, Set<string>>();
  for await (const stored of readLog(deps.events, { tenant })) {
    if (stored.meta.at > asOf) continue;
    const event = upcast(stored);
    const data = event.data as { documentId?: string };
    if (!data.documentId || (only !== undefined && data.documentId !== only)) continue;
    if (event.type === 'DocumentRemovedFromLocker') {
      noteRemoval(removals, event);
      continue;
    }
    if (!event.stream.startsWith(`${tenant}:document:`)) continue;
    const domain = { type: event.type, data: event.data, actor: event.meta.actor, at: event.meta.at } as DocumentEvent;
    documents.set(data.documentId, evolveDocument(documents.get(data.documentId) ?? initialDocument, domain));
  }
  return { documents, removals };
};

/** What was in a user's locker at a moment, and which versions they had opened by then. */
export const lockerAsOf =
  (deps: Deps) =>
  async (actor: Actor, userId: string, asOf: string): Promise<Result<{ userId: string; asOf: string; documents: DocumentAsOf[] }, UseCaseError>> => {
    const allowed = withPermission(deps, actor, 'locker.audit');
    if (allowed.isErr()) return err(allowed.error);
    return guarded(async () => {
      const { documents, removals } = await replayUntil(deps, actor.tenant, asOf);
      const inLocker: DocumentAsOf[] = [];
      for (const [id, state] of documents) {
        const view = asOfView(state, removals.get(id) ?? new Set());
        if (view && view.status === 'live' && view.recipients.some((r) => r.userId === userId)) {
          inLocker.push({ ...view, recipients: view.recipients.filter((r) => r.userId === userId) });
        }
      }
      return { userId, asOf, documents: inLocker };
    });
  };

/** A document's whole stream, and its state (recipients and what each had opened) at a moment. */
export const documentHistory =
  (deps: Deps) =>
  async (actor: Actor, documentId: string, asOf: string | undefined): Promise<Result<{ events: RecordedEvent[]; asOf: string; state: DocumentAsOf }, UseCaseError>> => {
    const allowed = withPermission(deps, actor, 'locker.audit');
    if (allowed.isErr()) return err(allowed.error);
    const stream = await deps.events.readStream(deps.streams.document(actor.tenant, documentId));
    if (stream.isErr()) return err(stream.error);
    if (stream.value.length === 0) return err(notFound('document'));
    const moment = asOf ?? deps.clock.now();
    return guarded(async () => {
      const { documents, removals } = await replayUntil(deps, actor.tenant, moment, documentId);
      const state = asOfView(documents.get(documentId) ?? initialDocument, removals.get(documentId) ?? new Set());
      if (!state) throw notFound('document');
      return { events: stream.value, asOf: moment, state };
    });
  };
