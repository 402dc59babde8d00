import { err, ok, ResultAsync, type Result } from 'neverthrow';
import { documentDecider, isSchoolYear, nextSchoolYear, type CarrySkipReason, type DirectoryView, type DocumentCommand, type DocumentEvent } from '../../domain/index.js';
import { withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp, handleMany, replay } from '../handle-command.js';
import type { ReplayedEvent } from '../ports/event-store.js';
import { noteRemoval, scanLog, TIDYING_TYPES } from '../read-log.js';

export type RolloverRequest = {
  readonly from: string;
  readonly to: string;
  readonly dryRun: boolean;
  readonly categories?: readonly string[] | undefined;
};

export type RolloverProgress = {
  /** Finding year N's documents, then replaying and carrying them one by one. */
  readonly phase: 'replaying' | 'carrying' | 'done';
  readonly eventsReplayed: number;
  readonly documentsExamined: number;
  readonly documentsTotal: number;
};

export type RolloverReport = {
  tenant: string;
  from: string;
  to: string;
  dryRun: boolean;
  eventsReplayed: number;
  documentsExamined: number;
  carried: number;
  /** Carried by an earlier run (a rerun, or one that was interrupted): nothing is carried twice. */
  alreadyCarried: number;
  /** Of those, how many were brought up to date with year N's final state (content, memo, category, recipients, deletion). */
  updated: number;
  skipped: Record<CarrySkipReason, number>;
  perCategory: Record<string, { carried: number; skipped: number }>;
  droppedRecipients: { documentId: string; userIds: string[] }[];
};

/** Carries written in one commit, at least (a batch of streams from the store is added whole). */
const CARRIES_PER_COMMIT = 500;

type CarryOver = Extract<DocumentCommand, { type: 'CarryOver' }>;

/** The same few hundred staff are looked up for thousands of documents: ask the read model once each. */
const memoised = (view: DirectoryView): DirectoryView => {
  const users = new Map<string, ReturnType<DirectoryView['user']>>();
  const groups = new Map<string, readonly string[]>();
  return {
    ...view,
    user: (id) => {
      if (!users.has(id)) users.set(id, view.user(id));
      return users.get(id);
    },
    membersOf: (group) => {
      if (!groups.has(group)) groups.set(group, view.membersOf(group));
      return groups.get(group) ?? [];
    },
  };
};

export const SYSTEM_SCOPE = 'system';

/** A rollover goes from a school year to the next one: anything else is refused before it starts. */
export const checkRolloverYears = (request: Pick<RolloverRequest, 'from' | 'to'>): Result<void, UseCaseError> =>
  !isSchoolYear(request.from)
    ? err({ code: 'INVALID_INPUT', detail: `${request.from} is not a school year: expected the form 2025-2026` })
    : request.to === nextSchoolYear(request.from)
    ? ok(undefined)
    : err({ code: 'INVALID_INPUT', detail: `a rollover goes from a school year to the next one (${request.from} → ${nextSchoolYear(request.from)})` });

const allowedToRollOver = (deps: Deps, actor: Actor): Result<unknown, UseCaseError> =>
  actor.scopes.includes(SYSTEM_SCOPE) ? ok(undefined) : withPermission(deps, actor, 'locker.admin');

/**
 * Closes year N by replaying it: each live document of year N, folded from its own stream in the
 * event log (not the read models) with the document decider's `evolve`, starts a new stream in
 * year N+1 whose id is derived from (source, target year) and goes through the one command path
 * expecting a new stream, so running it again, or after a crash, carries nothing twice. Year N
 * stays as it was. A dry run decides the same, writes nothing.
 */
export const rollover =
  (deps: Deps) =>
  (actor: Actor, request: RolloverRequest, onProgress: (p: RolloverProgress) => void = () => undefined): ResultAsync<RolloverReport, UseCaseError> => {
    const checked = allowedToRollOver(deps, actor).andThen(() => checkRolloverYears(request));
    if (checked.isErr()) return new ResultAsync(Promise.resolve(err(checked.error)));
    // A store that fails in the middle of a scan throws from its iterator: that is an error value
    // here too, never a rejected promise (a rollover started over HTTP has nobody awaiting it).
    const failed = (e: unknown): Result<RolloverReport, UseCaseError> => err({ code: 'STORE_UNAVAILABLE', message: `the event log, while replaying: ${(e as Error).message}` });
    return catchUp(deps.projector).andThen(() => new ResultAsync(run(deps, actor, request, onProgress).catch(failed)));
  };

const run = async (deps: Deps, actor: Actor, request: RolloverRequest, onProgress: (p: RolloverProgress) => void): Promise<Result<RolloverReport, UseCaseError>> => {
  const tenant = actor.tenant;
  let eventsReplayed = 0;
  // First pass, by type: the streams year N+1 already has (what an earlier run carried), and who
  // tidied what from their locker. Year N's documents are found by the second pass; the total for
  // the progress is what the read models count for the year. None of it is sealed.
  const startedInTarget = new Set<string>();
  const removals = new Map<string, Set<string>>();
  const found = await scanLog(deps.impersonalEvents, { tenant, types: ['DocumentCarriedOver', ...TIDYING_TYPES] }, (stored) => {
    const data = stored.data as { documentId?: string; year?: string };
    if (TIDYING_TYPES.includes(stored.type)) noteRemoval(removals, stored);
    else if (data.year === request.to && data.documentId) startedInTarget.add(data.documentId);
  });
  if (found.isErr()) return err(found.error);
  const expected = deps.readModels.documentsOfYear(tenant, request.from);
  // Documents a retention forgot are in the log, not in the read models: the total never falls short.
  const progress = (phase: RolloverProgress['phase'], documentsExamined = 0) =>
    onProgress({ phase, eventsReplayed, documentsExamined, documentsTotal: Math.max(expected, documentsExamined) });
  progress('replaying');

  // Second pass: year N's documents, whole streams a page at a time; memory holds one page.
  // A dry run leaves sealed fields closed: deciding to carry a document into a year that has none
  // of it yet looks only at fields in clear (status, category, depositor, recipients), and the
  // report only counts. Where a sealed value is looked at (a real carry copies title, memo and file
  // name; a rerun compares them with what was carried), the document is read again, opened.
  const scanned = request.dryRun ? deps.impersonalEvents : deps.events;
  // The streams that start in year N, whole, a batch at a time (how the store finds them is its own business).
  const yearDocuments = scanned.readDocumentsOfYear(tenant, request.from);

  const report: RolloverReport = {
    tenant,
    from: request.from,
    to: request.to,
    dryRun: request.dryRun,
    eventsReplayed,
    documentsExamined: 0,
    carried: 0,
    alreadyCarried: 0,
    updated: 0,
    skipped: { deleted: 0, 'category-excluded': 0, 'depositor-left': 0, 'no-recipient-left': 0 },
    perCategory: {},
    droppedRecipients: [],
  };
  const directory = memoised(deps.readModels.directoryView(tenant));
  const categories = request.categories ? new Set(request.categories) : undefined;

  /** What a carry did, in the report: classified by what a carry decided now would do, so a first run and a rerun agree. */
  const record = (source: { id: string; categoryId: string }, wouldCarry: Result<DocumentEvent[], UseCaseError>, changed: readonly DocumentEvent[]) => {
    const perCategory = (report.perCategory[source.categoryId] ??= { carried: 0, skipped: 0 });
    if (wouldCarry.isErr()) {
      if (wouldCarry.error.code === 'NOT_CARRIED') report.skipped[wouldCarry.error.reason] += 1;
      perCategory.skipped += 1;
      // Carried by an earlier run and deleted since in year N: the deletion followed.
      if (changed.length > 0) report.updated += 1;
      return;
    }
    report.carried += 1;
    perCategory.carried += 1;
    if (!changed.some((e) => e.type === 'DocumentCarriedOver')) {
      report.alreadyCarried += 1;
      if (changed.length > 0) report.updated += 1;
    }
    const carried = wouldCarry.value[0];
    if (carried?.type === 'DocumentCarriedOver' && carried.data.droppedRecipientIds.length > 0) {
      report.droppedRecipients.push({ documentId: source.id, userIds: carried.data.droppedRecipientIds });
    }
  };

  // Carries are written together (`handleMany`): one commit for a few hundred documents instead
  // of one each (commits were more than half of a real run's time). Each is decided once, on the
  // stream as it was read here (none yet, or carried by an earlier run), and written as decided:
  // one that somebody changed meanwhile fails alone and goes the one command path, which decides
  // it again on what is there. The report follows in scan order.
  type Examined = {
    readonly source: { id: string; categoryId: string };
    readonly wouldCarry: Result<DocumentEvent[], UseCaseError>;
    changed: readonly DocumentEvent[];
    readonly write?: { readonly stream: string; readonly command: CarryOver; readonly known: readonly ReplayedEvent[]; readonly decided: readonly DocumentEvent[] };
  };
  const examined: Examined[] = [];
  // A dry run writes nothing: it reports each document at once. Holding a few hundred folded
  // documents until a flush outlived the 1 MiB young generation (ADR 28), costing time and memory.
  const note = (e: Examined) => (request.dryRun ? record(e.source, e.wouldCarry, e.changed) : examined.push(e));
  const flush = async (): Promise<Result<void, UseCaseError>> => {
    const done = examined.splice(0);
    const writing = done.filter((e) => e.write !== undefined);
    if (writing.length > 0) {
      const handled = await handleMany(deps, documentDecider, tenant, writing.map((w) => w.write!), { allOrNone: false, waitForReadModels: false });
      if (handled.isErr()) return err(handled.error);
      for (const [i, w] of writing.entries()) {
        const outcome = handled.value[i]!;
        // Decided again on a stream somebody changed meanwhile: a refusal to carry is an answer.
        if (outcome.isErr() && outcome.error.code !== 'NOT_CARRIED') return err(outcome.error);
        w.changed = outcome.isOk() ? outcome.value.events : [];
      }
    }
    for (const e of done) record(e.source, e.wouldCarry, e.changed);
    return ok(undefined);
  };

  for await (const batch of yearDocuments) {
    // One clock reading a batch (a few milliseconds of work), not one a document.
    const at = deps.clock.now();
    for (const history of batch) {
      eventsReplayed += history.length;
      const folded = replay(documentDecider, history);
      if (folded.status === 'none') continue;
      let source: typeof folded = folded;
      report.documentsExamined += 1;
      const newDocumentId = deps.ids.derive('rollover', tenant, source.id, request.to);
      const carriedBefore = startedInTarget.has(newDocumentId);
      if (request.dryRun && carriedBefore) {
        const opened = await deps.events.readStream(deps.streams.document(tenant, source.id));
        if (opened.isErr()) return err(opened.error);
        const reread = replay(documentDecider, opened.value);
        if (reread.status !== 'none') source = reread;
      }
      const command: CarryOver = {
        type: 'CarryOver',
        actorId: actor.userId,
        at,
        newDocumentId,
        toYear: request.to,
        source,
        directory,
        categories,
        removedBy: removals.get(source.id),
      };
      const stream = deps.streams.document(tenant, newDocumentId);
      // What a carry into a new stream decides: the report's classification, and (for a stream
      // the first pass saw empty) what a real run writes.
      const wouldCarry = documentDecider.decide(documentDecider.initialState, command);
      // Decided on the new stream as the first pass saw it: empty (what `wouldCarry` just decided),
      // or carried by an earlier run, read and brought up to date. A dry run stops at the decision;
      // a real one writes it with the others of the batch, at the revision it was decided on.
      let changed: DocumentEvent[];
      let known: readonly ReplayedEvent[] = [];
      if (!carriedBefore) {
        if (wouldCarry.isErr() && wouldCarry.error.code !== 'NOT_CARRIED') return err(wouldCarry.error);
        changed = wouldCarry.isOk() ? wouldCarry.value : [];
      } else {
        const recorded = await deps.events.readStream(stream);
        if (recorded.isErr()) return err(recorded.error);
        known = recorded.value;
        const decided = documentDecider.decide(replay(documentDecider, known), command).orElse((e) => (e.code === 'NOT_CARRIED' ? ok([]) : err(e)));
        if (decided.isErr()) return err(decided.error);
        changed = decided.value;
      }
      note({ source: { id: source.id, categoryId: source.categoryId }, wouldCarry, changed, ...(!request.dryRun && changed.length > 0 ? { write: { stream, command, known, decided: changed } } : {}) });
      if (report.documentsExamined % 50 === 0) progress('carrying', report.documentsExamined);
    }
    if (examined.length >= CARRIES_PER_COMMIT) {
      const flushed = await flush();
      if (flushed.isErr()) return err(flushed.error);
    }
  }
  const flushed = await flush();
  if (flushed.isErr()) return err(flushed.error);
  report.eventsReplayed = eventsReplayed;
  progress('done', report.documentsExamined);
  if (!request.dryRun) {
    const done = await catchUp(deps.projector);
    if (done.isErr()) return err(done.error);
  }
  return ok(report);
};
