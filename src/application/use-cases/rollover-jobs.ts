import { err, ok, type Result } from 'neverthrow';
import { withPermission } from '../access.js';
import type { Actor, Deps } from '../deps.js';
import { notFound, type UseCaseError } from '../errors.js';
import { checkRolloverYears, rollover, type RolloverProgress, type RolloverReport, type RolloverRequest } from './rollover.js';

export type RolloverJob = {
  readonly id: string;
  readonly tenant: string;
  readonly request: RolloverRequest;
  status: 'running' | 'done' | 'failed';
  progress: RolloverProgress | null;
  report: RolloverReport | null;
  error: UseCaseError | null;
};

/**
 * Rollovers started over HTTP run in the background of the node that received them; their
 * progress is kept on that node while it runs (the carried documents themselves are events).
 * What can be refused at once (who asks, which years) is refused before a job exists.
 */
export const rolloverJobs = (deps: Deps) => {
  const jobs = new Map<string, RolloverJob>();
  const run = rollover(deps);
  return {
    start(actor: Actor, request: RolloverRequest): Result<RolloverJob, UseCaseError> {
      const allowed = withPermission(deps, actor, 'locker.admin').andThen(() => checkRolloverYears(request));
      if (allowed.isErr()) return err(allowed.error);
      const job: RolloverJob = { id: deps.ids.newId(), tenant: actor.tenant, request, status: 'running', progress: null, report: null, error: null };
      jobs.set(job.id, job);
      void run(actor, request, (p) => (job.progress = p)).match(
        (report) => Object.assign(job, { status: 'done', report }),
        (error) => Object.assign(job, { status: 'failed', error }),
      );
      return ok(job);
    },
    /** Rollovers running on this node, for monitoring. */
    running(): { tenant: string; examined: number; total: number }[] {
      return [...jobs.values()]
        .filter((j) => j.status === 'running')
        .map((j) => ({ tenant: j.tenant, examined: j.progress?.documentsExamined ?? 0, total: j.progress?.documentsTotal ?? 0 }));
    },
    get(actor: Actor, id: string): Result<RolloverJob, UseCaseError> {
      return withPermission(deps, actor, 'locker.admin').andThen(() => {
        const job = jobs.get(id);
        return job && job.tenant === actor.tenant ? ok(job) : err(notFound('rollover'));
      });
    },
  };
};
