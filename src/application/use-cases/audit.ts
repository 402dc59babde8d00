import { errAsync, okAsync, type ResultAsync } from 'neverthrow';
import { consultationKey, documentDecider, latest, schoolYearBounds, type DocumentEvent, type DocumentState } from '../../domain/index.js';
import { fromResult, withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { toDomain } from '../event-envelope.js';
import { notFound, type UseCaseError } from '../errors.js';
import type { RecordedEvent } from '../ports/event-store.js';
import type { SignedCheckpoint } from '../ports/notary.js';
import { noteRemoval, scanLog, TIDYING_TYPES } from '../read-log.js';
import { upcast } from '../upcasters.js';

export type AuditFilter = {
  readonly documentId?: string | undefined;
  readonly actor?: string | undefined;
  readonly type?: string | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
  /** A school year: events within its bounds (from 1 August of its first year). */
  readonly year?: string | undefined;
};

export type AuditPage = { events: RecordedEvent[]; next: string | null };

/** A filtered page scans at most this many events, then hands back a cursor to go on from. */
const SCAN_BUDGET = 20_000;

const matches = (tenant: string, f: AuditFilter) => {
  const stream = f.documentId === undefined ? undefined : `${tenant}:document:${f.documentId}`;
  const range = f.year ? schoolYearBounds(f.year) : undefined;
  return (e: RecordedEvent) =>
    (stream === undefined || e.stream === stream) &&
    (f.actor === undefined || e.meta.actor === f.actor) &&
    (f.type === undefined || e.type === f.type) &&
    (f.from === undefined || e.meta.at >= f.from) &&
    (f.to === undefined || e.meta.at <= f.to) &&
    (range === undefined || (e.meta.at >= range.from && e.meta.at < range.to));
};

const auditor = (deps: Deps, actor: Actor) => fromResult(withPermission(deps, actor, 'locker.audit'));

/** The history as it was written (not upcast, not projected): what auditors are entitled to see. */
export const auditEvents =
  (deps: Deps) =>
  (actor: Actor, after: bigint | undefined, limit: number, filter: AuditFilter = {}): ResultAsync<AuditPage, UseCaseError> =>
    auditor(deps, actor).andThen(() => {
      const keep = matches(actor.tenant, filter);
      const events: RecordedEvent[] = [];
      let scanned = 0;
      let last: bigint | undefined;
      return scanLog(deps.events, { tenant: actor.tenant, after }, (event) => {
        scanned += 1;
        last = event.position;
        if (keep(event)) events.push(event);
        return events.length === limit || scanned === SCAN_BUDGET ? 'stop' : undefined;
      }).map(({ stopped }) => ({ events, next: stopped ? String(last) : null }));
    });

export type RecipientAsOf = { userId: string; openedVersions: number[]; acknowledgedVersion: number | null };
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
  const versions = state.versions.map((v) => v.version);
  return {
    documentId: state.id,
    status: state.status,
    year: state.year,
    title: state.title,
    categoryId: state.categoryId,
    depositorId: state.depositorId,
    version: latest(state).version,
    recipients: [...state.recipients]
      .filter((u) => !removed.has(u))
      .sort()
      .map((userId) => ({
        userId,
        openedVersions: versions.filter((v) => state.consulted.has(consultationKey(userId, v))),
        acknowledgedVersion: state.acknowledged.get(userId) ?? null,
      })),
  };
};

/** Folds the history up to a moment with the document decider's own `evolve`, from the log itself: not today's read models. */
const replayUntil = (deps: Deps, tenant: string, asOf: string, only?: string) => {
  const documents = new Map<string, DocumentState>();
  const removals = new Map<string, Set<string>>();
  const prefix = `${tenant}:document:`;
  return scanLog(deps.events, { tenant }, (stored) => {
    if (stored.meta.at > asOf) return;
    const documentId = (stored.data as { documentId?: string }).documentId;
    if (!documentId || (only !== undefined && documentId !== only)) return;
    if (TIDYING_TYPES.includes(stored.type)) return noteRemoval(removals, stored);
    if (!stored.stream.startsWith(prefix)) return;
    documents.set(documentId, documentDecider.evolve(documents.get(documentId) ?? documentDecider.initialState, toDomain<DocumentEvent>(upcast(stored))));
  }).map(() => ({ documents, removals }));
};

/** What was in a user's locker at a moment, and which versions they had opened by then. */
export const lockerAsOf =
  (deps: Deps) =>
  (actor: Actor, userId: string, asOf: string): ResultAsync<{ userId: string; asOf: string; documents: DocumentAsOf[] }, UseCaseError> =>
    auditor(deps, actor)
      .andThen(() => replayUntil(deps, actor.tenant, asOf))
      .map(({ documents, removals }) => {
        const inLocker: DocumentAsOf[] = [];
        for (const [id, state] of documents) {
          const view = asOfView(state, removals.get(id) ?? new Set());
          if (view && view.status === 'live' && view.recipients.some((r) => r.userId === userId)) {
            inLocker.push({ ...view, recipients: view.recipients.filter((r) => r.userId === userId) });
          }
        }
        return { userId, asOf, documents: inLocker };
      });

/** A document's whole stream, and its state (recipients and what each had opened) at a moment. */
export const documentHistory =
  (deps: Deps) =>
  (actor: Actor, documentId: string, asOf: string | undefined): ResultAsync<{ events: RecordedEvent[]; asOf: string; state: DocumentAsOf }, UseCaseError> => {
    const moment = asOf ?? deps.clock.now();
    return auditor(deps, actor)
      .andThen(() => deps.events.readStream(deps.streams.document(actor.tenant, documentId)))
      .andThen((events) => (events.length === 0 ? errAsync(notFound('document')) : okAsync(events)))
      .andThen((events) =>
        replayUntil(deps, actor.tenant, moment, documentId).andThen(({ documents, removals }) => {
          const state = asOfView(documents.get(documentId) ?? documentDecider.initialState, removals.get(documentId) ?? new Set());
          return state ? okAsync({ events, asOf: moment, state }) : errAsync<never, UseCaseError>(notFound('document'));
        }),
      );
  };

export type CheckpointsView = { keyId: string; publicKey: string; checkpoints: SignedCheckpoint[] };

/** The signed heads of the tenant's chain, newest first, with the key to check them: for auditors to keep. */
export const auditCheckpoints =
  (deps: Deps) =>
  (actor: Actor, limit: number): ResultAsync<CheckpointsView, UseCaseError> =>
    auditor(deps, actor).map(() => ({ keyId: deps.signer.keyId, publicKey: deps.signer.publicKeyPem, checkpoints: deps.notary.checkpoints(actor.tenant, limit) }));
