import { err, ok, type Result } from 'neverthrow';
import {
  carryOver,
  evolveDocument,
  initialDocument,
  isSchoolYear,
  nextSchoolYear,
  type CarrySkipReason,
  type DocumentEvent,
  type DirectoryView,
  type DocumentState,
} from '../domain/index.js';
import { withPermission } from './access.js';
import { catchUp } from './command-runner.js';
import type { Actor, Deps } from './deps.js';
import type { UseCaseError } from './errors.js';
import { envelope, toDomain } from './event-envelope.js';

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
  readonly eventsTotal: number | null;
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
  skipped: Record<CarrySkipReason, number>;
  perCategory: Record<string, { carried: number; skipped: number }>;
  droppedRecipients: { documentId: string; userIds: string[] }[];
};

const BATCH = 5000;
const FIRST_PASS_TYPES = ['DocumentDeposited', 'DocumentCarriedOver', 'DocumentRemovedFromLocker'];

/** The same few hundred staff are looked up for thousands of documents: ask the read model once each. */
const memoised = (view: DirectoryView): DirectoryView => {
  const users = new Map<string, ReturnType<DirectoryView['user']>>();
  return {
    ...view,
    user: (id) => {
      if (!users.has(id)) users.set(id, view.user(id));
      return users.get(id);
    },
  };
};
export const SYSTEM_SCOPE = 'system';

/**
 * Closes year N by replaying it: the live documents of year N, found from the event log (not the
 * read models) and each folded from its own stream, each start a new stream in year N+1 whose id is derived from (source, target year)
 * and appended with a no-stream expectation, so running it again, or after a crash, carries
 * nothing twice. Year N stays as it was. A dry run decides the same and writes nothing.
 */
export const rollover =
  (deps: Deps) =>
  async (actor: Actor, request: RolloverRequest, onProgress: (p: RolloverProgress) => void = () => undefined): Promise<Result<RolloverReport, UseCaseError>> => {
    if (!actor.scopes.includes(SYSTEM_SCOPE)) {
      const allowed = withPermission(deps, actor, 'locker.admin');
      if (allowed.isErr()) return err(allowed.error);
    }
    if (!isSchoolYear(request.from) || request.to !== nextSchoolYear(request.from)) {
      return err({ code: 'INVALID_INPUT', detail: `a rollover goes from a school year to the next one (${request.from} → ${isSchoolYear(request.from) ? nextSchoolYear(request.from) : '?'})` });
    }
    const caught = await catchUp(deps.projector);
    if (caught.isErr()) return err(caught.error);

    const tenant = actor.tenant;
    const eventsTotal = deps.events.count ? await deps.events.count(tenant) : null;
    const sources: string[] = [];
    const removals = new Map<string, Set<string>>();
    let eventsReplayed = 0;
    let after: bigint | undefined;
    const progress = (phase: RolloverProgress['phase'], documentsExamined = 0) =>
      onProgress({ phase, eventsReplayed, eventsTotal, documentsExamined, documentsTotal: sources.length });

    // First pass over the tenant's history: which documents belong to year N, and who tidied what.
    // Only ids are kept, so memory does not follow the length of the history.
    for (;;) {
      const page = await deps.events.readAll({ after, limit: BATCH, tenant, types: FIRST_PASS_TYPES });
      if (page.isErr()) return err(page.error);
      for (const stored of page.value) {
        const data = stored.data as { documentId?: string; year?: string; userId?: string };
        if (stored.type === 'DocumentRemovedFromLocker' && data.documentId && data.userId) {
          const set = removals.get(data.documentId) ?? new Set<string>();
          set.add(data.userId);
          removals.set(data.documentId, set);
        } else if ((stored.type === 'DocumentDeposited' || stored.type === 'DocumentCarriedOver') && data.year === request.from && data.documentId) {
          sources.push(data.documentId);
        }
      }
      if (page.value.length > 0) after = page.value[page.value.length - 1]!.position;
      progress('replaying');
      if (page.value.length < BATCH) break;
    }

    // Second pass, one document at a time: replay its stream, decide, carry.
    const replay = async (documentId: string): Promise<Result<DocumentState, UseCaseError>> => {
      const stream = await deps.events.readStream(deps.streams.document(tenant, documentId));
      if (stream.isErr()) return err(stream.error);
      eventsReplayed += stream.value.length;
      return ok(stream.value.map((e) => toDomain<DocumentEvent>(e)).reduce(evolveDocument, initialDocument));
    };

    const report: RolloverReport = {
      tenant,
      from: request.from,
      to: request.to,
      dryRun: request.dryRun,
      eventsReplayed,
      documentsExamined: 0,
      carried: 0,
      alreadyCarried: 0,
      skipped: { deleted: 0, 'category-excluded': 0, 'depositor-left': 0, 'no-recipient-left': 0 },
      perCategory: {},
      droppedRecipients: [],
    };
    const directory = memoised(deps.readModels.directoryView(tenant));
    const categories = request.categories ? new Set(request.categories) : undefined;
    const toEnvelope = envelope(tenant, deps.ids);

    for (const sourceId of sources) {
      const replayed = await replay(sourceId);
      if (replayed.isErr()) return err(replayed.error);
      const source = replayed.value;
      report.documentsExamined += 1;
      const category = source.status === 'none' ? 'unknown' : source.categoryId;
      const perCategory = (report.perCategory[category] ??= { carried: 0, skipped: 0 });
      const newDocumentId = deps.ids.derive('rollover', tenant, sourceId, request.to);
      const decided = carryOver(source, {
        actorId: actor.userId,
        at: deps.clock.now(),
        newDocumentId,
        toYear: request.to,
        directory,
        categories,
        removedBy: removals.get(sourceId),
      });
      if (decided.isErr()) {
        report.skipped[decided.error.reason] += 1;
        perCategory.skipped += 1;
      } else {
        if (!request.dryRun) {
          const appended = await deps.events.append(deps.streams.document(tenant, newDocumentId), [toEnvelope(decided.value)], 'no-stream');
          if (appended.isErr() && appended.error.code !== 'WRONG_EXPECTED_VERSION') return err(appended.error);
          if (appended.isErr()) report.alreadyCarried += 1;
        }
        report.carried += 1;
        perCategory.carried += 1;
        if (decided.value.data.droppedRecipientIds.length > 0) {
          report.droppedRecipients.push({ documentId: sourceId, userIds: decided.value.data.droppedRecipientIds });
        }
      }
      if (report.documentsExamined % 50 === 0) progress('carrying', report.documentsExamined);
    }
    report.eventsReplayed = eventsReplayed;
    progress('done', report.documentsExamined);
    if (!request.dryRun) {
      const done = await catchUp(deps.projector);
      if (done.isErr()) return err(done.error);
    }
    return ok(report);
  };
