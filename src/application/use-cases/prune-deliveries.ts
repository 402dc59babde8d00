import type { ResultAsync } from 'neverthrow';
import type { Deps } from '../deps.js';
import type { UseCaseError } from '../errors.js';
import { catchUp } from '../handle-command.js';

export type PruneReport = { readonly before: string; readonly mails: number; readonly webhookDeliveries: number };

/**
 * The outbox and the webhook deliveries would otherwise grow with every mail and event for ever:
 * what went out (or was skipped) longer ago than `keepMs` is forgotten, daily. What was sent is in
 * the log, so a rebuild that makes the rows again sends nothing twice (a mail older than its
 * maximum age is skipped, a webhook resumes after its recorded progress), and the next pruning
 * forgets them again.
 */
export const pruneDeliveries =
  (deps: Deps) =>
  (keepMs: number): ResultAsync<PruneReport, UseCaseError> =>
    catchUp(deps.projector).map(() => {
      const before = new Date(Date.parse(deps.clock.now()) - keepMs).toISOString();
      return { before, ...deps.readModels.pruneDeliveries(before) };
    });
