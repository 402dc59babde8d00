import { okAsync, ResultAsync } from 'neverthrow';
import { documentDecider, type Category } from '../../domain/index.js';
import type { Actor, Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { snapshots } from './snapshots.js';
import { catchUp, handle } from '../handle-command.js';
import { schoolMoves } from '../school-moves.js';
import { notFound } from '../errors.js';
import { settingsCommand } from './manage-categories.js';

export type RetentionReport = { readonly dryRun: boolean; readonly expired: number; readonly byTenant: Record<string, number> };

/** Documents of a category expire `days` after their deposit; null keeps them. */
export const setCategoryRetention =
  (deps: Deps) =>
  (actor: Actor, categoryId: string, days: number | null): ResultAsync<Category, UseCaseError> =>
    settingsCommand(deps, actor, { type: 'SetCategoryRetention', actorId: actor.userId, at: deps.clock.now(), categoryId, days })
      .map((o) => o.state.categories.get(categoryId)!)
      .mapErr((e) => (e.code === 'CATEGORY_NOT_FOUND' ? notFound('category') : e));

/**
 * Every live document whose category's retention has run out gets `DocumentExpired` (actor
 * `system:retention`): it leaves every view, and its bytes go at the next sweep once no live
 * version uses them. A dry run counts and writes nothing. Run daily by the server, and by
 * `locker retention run`.
 */
export const applyRetention =
  (deps: Deps) =>
  (options: { dryRun?: boolean | undefined; tenant?: string | undefined } = {}): ResultAsync<RetentionReport, UseCaseError> =>
    catchUp(deps.projector).andThen(() => schoolMoves(deps).importing()).andThen((importing) => {
      // A school being imported is left alone: its archive writes the documents' streams (ADR 54).
      const due = deps.readModels.expiredDocuments(deps.clock.now(), 100_000).filter((d) => (options.tenant === undefined || d.tenant === options.tenant) && !importing.has(d.tenant));
      const byTenant: Record<string, number> = {};
      for (const d of due) byTenant[d.tenant] = (byTenant[d.tenant] ?? 0) + 1;
      if (options.dryRun) return okAsync({ dryRun: true, expired: due.length, byTenant });
      return due
        .reduce<ResultAsync<number, UseCaseError>>(
          (acc, d) =>
            acc.andThen((n) =>
              handle(deps, documentDecider, d.tenant, deps.streams.document(d.tenant, d.documentId), { type: 'Expire', actorId: 'system:retention', at: deps.clock.now(), documentId: d.documentId, retentionDays: d.retentionDays }, { waitForReadModels: false })
                // Its title, memo and file name become unreadable in the log too.
                .andThen((h) =>
                  ResultAsync.fromPromise(deps.keys.shred(d.tenant, `doc:${d.documentId}`, deps.streams.document(d.tenant, d.documentId)), (e): UseCaseError => ({ code: 'STORE_UNAVAILABLE', message: `the key store: ${(e as Error).message}` })).map(
                    () => n + h.events.length,
                  ),
                ),
            ),
          okAsync(0),
        )
        .andThen((expired) =>
          catchUp(deps.projector)
            .map(() => {
              if (expired > 0) deps.readModels.scrub();
            })
            // Copies of the read models taken before still hold the expired titles (ADR 51).
            .andThen(() => (expired > 0 ? snapshots(deps).forget() : okAsync(0)))
            .map(() => ({ dryRun: false, expired, byTenant })),
        );
    });
